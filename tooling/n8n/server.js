'use strict';
/**
 * `n8n start`, `n8n webhook` and `n8n worker` as isolated processes: started, waited for until
 * really ready, stopped with their task runner.
 */
const { buildEnv } = require('./env');
const { attachApi } = require('./api');
const { ownerEnv } = require('./owner');
const { freePort } = require('./ports');
const { groupAlive, killGroup, sleep, spawnN8n, tail } = require('./processes');

const READY = {
	start: /Editor is now accessible via/,
	webhook: /Webhook listener waiting for requests/,
	worker: /n8n worker is now ready/,
};

/**
 * Start an isolated n8n process and wait until it is ready.
 *   startN8n({ version: 'v2', userFolder, port?, env?, extraEnv?, command?: 'start'|'webhook'|'worker',
 *              args?: [] (e.g. ['--concurrency=5'] for a worker), owner?: true, readyTimeoutMs?: 180000,
 *              logFile? })
 * Readiness: the process is alive, GET /healthz answers 200 (start, webhook) and the log shows
 * the command's ready line ("Editor is now accessible via" for start).
 * Resolves { url, port, brokerPort, pid, env, startMs, stop(), logs(), waitForLog(re), alive(),
 *            apiKey(), api(path, init), executions(query), execution(id), waitForExecution(pred, opts),
 *            activateWorkflow(id), deactivateWorkflow(id), waitForWebhook(path, opts) }.
 * apiKey() sets the owner up (2.x: N8N_INSTANCE_OWNER_MANAGED_BY_ENV at start; 1.x: POST
 * /rest/owner/setup), logs in and creates a public API key with every scope the owner may have.
 */
async function startN8n(options = {}) {
	const { version = 'v2', userFolder, command = 'start', args = [], owner = true, readyTimeoutMs = 180000, logFile } = options;
	if (!userFolder) throw new Error('startN8n needs userFolder');
	const port = options.port || (await freePort());
	const brokerPort = await freePort();
	const ownerVars = owner && command === 'start' ? (version === 'v2' ? ownerEnv(version) : {}) : {};
	const env = buildEnv({ version, userFolder, port, brokerPort, env: { ...ownerVars, ...(options.env || {}) }, extraEnv: options.extraEnv });
	const url = `http://127.0.0.1:${port}`;
	const started = Date.now();
	const { child, exited, logs } = spawnN8n(version, [command, ...args], env, { logFile });

	const instance = {
		version,
		command,
		url,
		port,
		brokerPort,
		pid: child.pid,
		env,
		userFolder,
		logs,
		alive: () => child.exitInfo === null && child.exitCode === null && child.signalCode === null,
		exited,
		startMs: 0,
	};

	instance.waitForLog = async (re, timeoutMs = 30000) => {
		const t0 = Date.now();
		while (Date.now() - t0 < timeoutMs) {
			if (re.test(logs())) return;
			if (!instance.alive()) throw new Error(`n8n exited while waiting for ${re}\n${tail(logs())}`);
			await sleep(200);
		}
		throw new Error(`timed out waiting for ${re} in n8n log\n${tail(logs())}`);
	};

	let stopping = null;
	instance.stop = ({ timeoutMs = 20000 } = {}) => {
		if (stopping) return stopping;
		stopping = (async () => {
			if (!groupAlive(child.pid) && !instance.alive()) return instance.exitInfo;
			killGroup(child.pid, 'SIGTERM');
			const t = setTimeout(() => killGroup(child.pid, 'SIGKILL'), timeoutMs);
			const info = await exited;
			clearTimeout(t);
			// the task runner is in the same process group
			for (let i = 0; i < 50 && groupAlive(child.pid); i++) {
				if (i === 10) killGroup(child.pid, 'SIGKILL');
				await sleep(100);
			}
			instance.exitInfo = info;
			return info;
		})();
		return stopping;
	};

	// readiness
	const readyRe = READY[command];
	const needHealth = command === 'start' || command === 'webhook';
	try {
		for (;;) {
			if (!instance.alive()) {
				await exited;
				throw new Error(`n8n ${command} (${version}) exited during start-up (${JSON.stringify(child.exitInfo)})\n${tail(logs(), 80)}`);
			}
			if (Date.now() - started > readyTimeoutMs) {
				throw new Error(`n8n ${command} (${version}) not ready after ${readyTimeoutMs} ms\n${tail(logs(), 80)}`);
			}
			let healthy = !needHealth;
			if (needHealth) {
				try {
					const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
					healthy = r.status === 200;
					await r.text();
				} catch {
					healthy = false;
				}
			}
			if (healthy && (!readyRe || readyRe.test(logs()))) break;
			await sleep(250);
		}
	} catch (err) {
		await instance.stop();
		throw err;
	}
	instance.startMs = Date.now() - started;
	attachApi(instance);
	return instance;
}

module.exports = { startN8n };
