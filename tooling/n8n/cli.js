'use strict';
/**
 * n8n's CLI on an isolated user folder: import credentials and workflows, publish, execute.
 * Each call is one short-lived n8n process (2.5–6 s: keep calls few, import many at once).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { buildEnv } = require('./env');
const { freePort } = require('./ports');
const { killGroup, spawnN8n, tail } = require('./processes');
const { extractLastJson } = require('./run-data');

/**
 * Run an n8n CLI command to completion.
 *   n8nCli('v2', ['import:workflow', '--input=wf.json'], { N8N_USER_FOLDER: uf })
 * `env` is merged over the isolation defaults (N8N_USER_FOLDER, or opts.userFolder, is required).
 * Resolves { code, stdout (all output, interleaved), ms }; rejects on a non-zero exit unless
 * opts.allowFailure. A free N8N_RUNNERS_BROKER_PORT is chosen for every call.
 */
async function n8nCli(version, args, env = {}, opts = {}) {
	const userFolder = opts.userFolder || (env && env.N8N_USER_FOLDER);
	const brokerPort = await freePort();
	const fullEnv = buildEnv({ version, userFolder, brokerPort, env, extraEnv: opts.extraEnv });
	const started = Date.now();
	const { child, exited, logs } = spawnN8n(version, args, fullEnv, { logFile: opts.logFile, stdoutFile: opts.stdoutFile });
	const timeoutMs = opts.timeoutMs ?? 180000;
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		killGroup(child.pid, 'SIGKILL');
	}, timeoutMs);
	const { code, signal } = await exited;
	clearTimeout(timer);
	const result = { code, signal, stdout: logs(), ms: Date.now() - started };
	if (timedOut || (code !== 0 && !opts.allowFailure)) {
		const what = timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${code ?? signal}`;
		const err = new Error(`n8n ${args.join(' ')} (${version}) ${what}\n${tail(result.stdout)}`);
		// non-enumerable: an uncaught error must not dump the whole log
		for (const [k, v] of Object.entries(result)) Object.defineProperty(err, k, { value: v, enumerable: false });
		throw err;
	}
	return result;
}

/** Write JSON files for an import into a fresh folder of their own; returns that folder. */
function writeImportDir(userFolder, kind, values) {
	const dir = path.join(userFolder, 'e2e-import', `${kind}-${Date.now()}-${crypto.randomBytes(4).toString('hex')}`);
	fs.mkdirSync(dir, { recursive: true });
	values.forEach((v, i) => fs.writeFileSync(path.join(dir, `${kind}-${i}.json`), JSON.stringify(v, null, 2)));
	return dir;
}

/**
 * import:credentials from [{ id, name, type, data }] (plain, unencrypted data) or a file path.
 * Credentials are owned by the instance owner's personal project.
 */
async function importCredentials(version, userFolder, credentials, opts = {}) {
	const list = typeof credentials === 'string' ? null : [].concat(credentials);
	if (list) {
		for (const c of list) {
			if (!c.id || !c.name || !c.type || !c.data) throw new Error('credentials need id, name, type and data');
		}
	}
	const file = list ? path.join(writeImportDir(userFolder, 'credentials', [list]), 'credentials-0.json') : credentials;
	return n8nCli(version, ['import:credentials', `--input=${file}`], { N8N_USER_FOLDER: userFolder }, opts);
}

/**
 * import:workflow from a workflow object, an array of them (one CLI call: --separate), or a
 * file path. Imported workflows are inactive: publishWorkflow() before start, or
 * instance.activateWorkflow() on a running instance.
 */
async function importWorkflow(version, userFolder, workflow, opts = {}) {
	if (typeof workflow === 'string') {
		return n8nCli(version, ['import:workflow', `--input=${workflow}`], { N8N_USER_FOLDER: userFolder }, opts);
	}
	const list = [].concat(workflow);
	for (const wf of list) if (!wf.id) throw new Error('give every workflow a fixed id (needed for execute --id / publish)');
	const dir = writeImportDir(userFolder, 'workflow', list);
	return n8nCli(version, ['import:workflow', '--separate', `--input=${dir}`], { N8N_USER_FOLDER: userFolder }, opts);
}

/**
 * Make an imported workflow active on the next `n8n start`:
 * 2.x `publish:workflow --id`, 1.x `update:workflow --id --active=true`.
 */
async function publishWorkflow(version, userFolder, id, opts = {}) {
	const args = version === 'v2' ? ['publish:workflow', `--id=${id}`] : ['update:workflow', `--id=${id}`, '--active=true'];
	return n8nCli(version, args, { N8N_USER_FOLDER: userFolder }, opts);
}

/**
 * `n8n execute --id=<id> --rawOutput` (first node must be a Manual Trigger or Execute Workflow
 * Trigger). Resolves { ok, run (the IRun JSON, or null), code, stdout, ms }. A failed execution
 * resolves with ok=false (it does not reject) so tests can assert on the error.
 */
async function executeWorkflow(version, userFolder, id, opts = {}) {
	// The run is printed on stdout just before the CLI exits: into a file, so that none of it is lost.
	const stdoutFile = path.join(userFolder, `execute-${id}-${Date.now()}.out`);
	const res = await n8nCli(version, ['execute', `--id=${id}`, '--rawOutput'], { N8N_USER_FOLDER: userFolder }, { ...opts, allowFailure: true, stdoutFile });
	fs.rmSync(stdoutFile, { force: true });
	const run = extractLastJson(res.stdout);
	const ok = res.code === 0 && !!run && !(run.data && run.data.resultData && run.data.resultData.error);
	return { ok, run, code: res.code, signal: res.signal, stdout: res.stdout, ms: res.ms };
}

module.exports = { n8nCli, importCredentials, importWorkflow, publishWorkflow, executeWorkflow };
