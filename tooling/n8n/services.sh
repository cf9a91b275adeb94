#!/usr/bin/env bash
# Redis + PostgreSQL on loopback, non-default ports, for n8n queue-mode end-to-end runs.
#
#   tooling/n8n/services.sh start     install (apt, if missing and root), start both, create the database,
#                             print the connection environment (also written to $SERVICES/env.sh)
#   tooling/n8n/services.sh stop      stop both (data is kept; the database is re-created on each start)
#   tooling/n8n/services.sh status
#   tooling/n8n/services.sh env       print the connection environment
#
# Environment:
#   AI_STATS_E2E_CACHE        cache folder (default $HOME/.cache/n8n-nodes-ai-stats); data under services/
#   AI_STATS_E2E_REDIS_PORT   default 56379
#   AI_STATS_E2E_PG_PORT      default 55432
#   AI_STATS_E2E_PG_DB        default n8n_e2e
#
# PostgreSQL refuses to run as root: when this script runs as root, postgres runs as the OS user
# "postgres" (created by Debian's package), and its data folder must be reachable by that user.
# /root is mode 700, so in that case the data folder is /var/tmp/ai-stats-e2e-<hash>/postgres
# (the hash is of the cache path, so each cache folder has its own cluster). Throwaway test data:
# fsync is off.
set -euo pipefail
# runuser, and the tools apt's packages run, live in the sbin folders, which a CI shell's PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

CMD="${1:-}"
CACHE="${AI_STATS_E2E_CACHE:-$HOME/.cache/n8n-nodes-ai-stats}"
SERVICES="$CACHE/services"
REDIS_PORT="${AI_STATS_E2E_REDIS_PORT:-56379}"
PG_PORT="${AI_STATS_E2E_PG_PORT:-55432}"
PG_DB="${AI_STATS_E2E_PG_DB:-n8n_e2e}"
PG_USER="n8n"
PG_PASSWORD="n8n"
REDIS_DIR="$SERVICES/redis"

log() { printf '[services] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

if [ "$(id -u)" = 0 ]; then
  PG_OS_USER=postgres
  PG_ROOT="/var/tmp/ai-stats-e2e-$(printf '%s' "$CACHE" | sha256sum | cut -c1-8)"
else
  PG_OS_USER="$(id -un)"
  PG_ROOT="$SERVICES"
fi
PG_DIR="$PG_ROOT/postgres"
PG_LOG="$PG_ROOT/postgres.log"

pg_bin() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$d" ] && [ -x "$d/pg_ctl" ] && echo "$d"
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$PG_OS_USER" -- "$@"
  else
    "$@"
  fi
}

ensure_installed() {
  local need=()
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  pg_bin >/dev/null || need+=(postgresql)
  if [ ${#need[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing ${need[*]}: install them (apt-get install -y ${need[*]})"
    log "apt-get install ${need[*]}"
    local t0=$SECONDS
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >"$CACHE/apt-services.log" 2>&1 ||
      die "apt-get install ${need[*]} failed (see $CACHE/apt-services.log)"
    log "installed in $((SECONDS - t0)) s"
  fi
  if [ "$(id -u)" = 0 ] && ! id "$PG_OS_USER" >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash "$PG_OS_USER"
  fi
}

print_env() {
  cat <<EOF
export DB_TYPE=postgresdb
export DB_POSTGRESDB_HOST=127.0.0.1
export DB_POSTGRESDB_PORT=$PG_PORT
export DB_POSTGRESDB_DATABASE=$PG_DB
export DB_POSTGRESDB_USER=$PG_USER
export DB_POSTGRESDB_PASSWORD=$PG_PASSWORD
export QUEUE_BULL_REDIS_HOST=127.0.0.1
export QUEUE_BULL_REDIS_PORT=$REDIS_PORT
EOF
}

redis_running() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }
pg_running() { "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; }

start_redis() {
  mkdir -p "$REDIS_DIR"
  if redis_running; then
    log "redis already running on 127.0.0.1:$REDIS_PORT"
  else
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --protected-mode yes \
      --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
      --daemonize yes --save '' --appendonly no
    for _ in $(seq 1 50); do
      redis_running && break
      sleep 0.1
    done
    redis_running || die "redis did not start (see $REDIS_DIR/redis.log)"
    log "redis $(redis-server --version | awk '{print $3}') on 127.0.0.1:$REDIS_PORT"
  fi
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" flushall >/dev/null
}

start_pg() {
  local bin
  bin="$(pg_bin)" || die "PostgreSQL binaries not found in /usr/lib/postgresql/*/bin"
  mkdir -p "$PG_ROOT"
  [ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$PG_ROOT"
  if [ ! -f "$PG_DIR/PG_VERSION" ]; then
    rm -rf "$PG_DIR"
    as_pg "$bin/initdb" -D "$PG_DIR" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$PG_ROOT/initdb.log" 2>&1 ||
      as_pg "$bin/initdb" -D "$PG_DIR" -U "$PG_USER" --auth=trust --encoding=UTF8 --no-locale >"$PG_ROOT/initdb.log" 2>&1 ||
      die "initdb failed (see $PG_ROOT/initdb.log)"
  fi
  if pg_running; then
    log "postgres already running on 127.0.0.1:$PG_PORT"
  else
    as_pg "$bin/pg_ctl" -D "$PG_DIR" -l "$PG_LOG" -w -t 60 \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || die "postgres did not start (see $PG_LOG)"
    log "postgres $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (data $PG_DIR)"
  fi
  # a fresh database on every start
  PGOPTIONS="-c client_min_messages=warning" PGPASSWORD="$PG_PASSWORD" "$bin/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" -c "CREATE DATABASE \"$PG_DB\"" >/dev/null ||
    die "could not create database $PG_DB"
  log "database $PG_DB created"
}

stop_all() {
  if [ -f "$REDIS_DIR/redis.pid" ] || redis_running; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    rm -f "$REDIS_DIR/redis.pid"
    log "redis stopped"
  fi
  local bin
  if bin="$(pg_bin)" && [ -f "$PG_DIR/postmaster.pid" ]; then
    as_pg "$bin/pg_ctl" -D "$PG_DIR" -m fast -w stop >/dev/null 2>&1 || true
    log "postgres stopped"
  fi
}

case "$CMD" in
start)
  t0=$SECONDS
  mkdir -p "$SERVICES"
  ensure_installed
  start_redis
  start_pg
  print_env >"$SERVICES/env.sh"
  log "ready in $((SECONDS - t0)) s; environment (also in $SERVICES/env.sh):"
  print_env
  ;;
stop) stop_all ;;
status)
  redis_running && echo "redis: running on 127.0.0.1:$REDIS_PORT" || echo "redis: stopped"
  pg_running && echo "postgres: running on 127.0.0.1:$PG_PORT ($PG_DIR)" || echo "postgres: stopped"
  ;;
env) print_env ;;
*)
  echo "usage: $0 start|stop|status|env" >&2
  exit 2
  ;;
esac
