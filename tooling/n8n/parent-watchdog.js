'use strict';
/**
 * Preloaded (`node --require`) into every n8n process that tooling/n8n starts (processes.js).
 *
 * n8n runs in a process group of its own (so that stop() also ends its task runner). If the
 * test process dies without calling stop() — SIGKILL, a CI timeout, a crashed jest worker —
 * that group would live on (and n8n spins on EPIPE once its log pipe is gone). The test process
 * holds the write end of this process's stdin; when it goes away, stdin ends and we take the
 * whole group down.
 *
 * Only active when AI_STATS_E2E_WATCHDOG=1, which is removed again at once so that processes
 * n8n itself spawns (task runners) do not inherit it.
 */
if (process.env.AI_STATS_E2E_WATCHDOG === '1') {
  delete process.env.AI_STATS_E2E_WATCHDOG;
  const killGroup = (signal) => {
    try {
      process.kill(-process.pid, signal);
    } catch {
      try {
        process.kill(process.pid, signal);
      } catch {
        /* gone */
      }
    }
  };
  // the test that owned this instance is gone: no graceful shutdown (it can hang on a dead
  // log pipe), the data is throwaway
  const onParentGone = () => killGroup('SIGKILL');
  const stdin = process.stdin;
  stdin.on('data', () => {});
  stdin.on('end', onParentGone);
  stdin.on('error', onParentGone);
  stdin.resume();
  // never keep a finished CLI command alive just because we listen
  if (typeof stdin.unref === 'function') stdin.unref();
}
