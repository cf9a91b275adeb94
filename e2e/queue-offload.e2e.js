'use strict';
/**
 * Queue mode the way n8n 3.0 runs it, on n8n 2.41.1: manual executions offloaded to the workers
 * (`OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true`, which 3.0 makes the only behaviour), once with
 * binary data in `database` mode (the queue-mode default) and once in `filesystem` mode on a shared
 * folder. Main process + webhook process + one worker, Redis and PostgreSQL from tooling/n8n/services.sh.
 *
 * Manual executions are started as the editor starts them (`POST /rest/workflows/:id/run` with the
 * owner's session), and must then run on the worker: poll + download, Webhook (Resume) parked on a
 * worker and resumed through the webhook process, and a photo upload used as a binary reference.
 *
 * One public address in front of the processes, as n8n's queue-mode set-up has it: a small reverse
 * proxy sends /webhook…, /form… to the webhook process and everything else to main. It matters for
 * binary references: n8n builds signed binary links as `<N8N_WEBHOOK_URL>/rest/binary-data/signed`,
 * and only the main process serves /rest.
 */
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const n8n = require('../tooling/n8n');
const workflows = require('./workflows');
const { PNG, eventually, fileOf, multipart, parkedExecutionId, prepareUserFolder, sha256, startSimulator, webhookEndpoints } = require('./support');

const versions = (process.env.AI_STATS_E2E_VERSIONS || 'v2,v1').split(',').map((version) => version.trim());
const enabled = versions.includes('v2') && process.env.AI_STATS_E2E_SKIP_QUEUE !== '1';
const VERSION = 'v2';
const BROWSER_ID = 'ai-stats-e2e-queue-offload';
/** n8n's id prefix of a binary stored in each mode. */
const BINARY_ID_PREFIX = { database: 'database:', filesystem: 'filesystem-v2:' };

/** The public address: /webhook*, /form* → the webhook process, the rest → main. */
async function startProxy(routes) {
	const server = http.createServer((request, response) => {
		const target = /^\/(webhook|form)/.test(request.url) ? routes.webhook() : routes.main();
		const upstream = http.request(`${target}${request.url}`, { method: request.method, headers: request.headers }, (reply) => {
			response.writeHead(reply.statusCode, reply.headers);
			reply.pipe(response);
		});
		upstream.on('error', (error) => {
			response.writeHead(502, { 'content-type': 'text/plain' });
			response.end(`e2e proxy: ${error.message}`);
		});
		request.pipe(upstream);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Generate (Webhook (Resume)) → Save MP4, started by hand instead of by a webhook call. */
function manualResume(files) {
	const workflow = workflows.resume(files);
	const nodes = workflow.nodes.map((entry) => {
		if (entry.name === 'Start') return { id: 'manual-resume-start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: entry.position, parameters: {} };
		if (entry.name === 'Generate video') return { ...entry, parameters: { ...entry.parameters, prompt: 'offloaded manual resume [sim:ms=4000]' } };
		return entry;
	});
	return { ...workflow, id: 'e2eManualResume1', name: 'e2e: manual generate and resume', nodes };
}

/** The owner's editor session: the cookie `POST /rest/workflows/:id/run` needs. */
async function editorSession(instance) {
	const login = await n8n.httpJson(`${instance.url}/rest/login`, {
		method: 'POST',
		headers: { 'browser-id': BROWSER_ID },
		body: { emailOrLdapLoginId: n8n.OWNER.email, password: n8n.OWNER.password },
	});
	if (login.status !== 200) throw new Error(`owner login failed: HTTP ${login.status} ${login.text.slice(0, 300)}`);
	const cookie = login.headers
		.getSetCookie()
		.map((entry) => entry.split(';')[0])
		.join('; ');
	return { 'browser-id': BROWSER_ID, cookie };
}

(enabled ? describe : describe.skip).each(['database', 'filesystem'])('n8n 2.41.1 queue mode, manual executions on workers, binary data in %s mode', (binaryMode) => {
	let sim;
	let files;
	let main;
	let hook;
	let worker;
	let session;
	let proxy;

	beforeAll(async () => {
		sim = await startSimulator();
		proxy = await startProxy({ main: () => main.url, webhook: () => hook.url });
		const userFolder = n8n.makeUserFolder(`ai-stats-e2e-offload-${binaryMode}-`);
		const common = {
			...n8n.startServices(),
			EXECUTIONS_MODE: 'queue',
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			N8N_DEFAULT_BINARY_DATA_MODE: binaryMode,
			N8N_BINARY_DATA_STORAGE_PATH: binaryMode === 'filesystem' ? path.join(userFolder, 'binary') : null,
			N8N_WEBHOOK_URL: `${proxy.url}/`,
			N8N_EDITOR_BASE_URL: `${proxy.url}/`,
		};
		({ files } = await prepareUserFolder(VERSION, sim, { extraEnv: common, userFolder }));
		await n8n.importWorkflow(VERSION, userFolder, [workflows.generateAndSave(files), manualResume(files), workflows.photoToVideo(files)], { extraEnv: common });
		await n8n.publishWorkflow(VERSION, userFolder, 'e2ePhotoToVideo1', { extraEnv: common });
		main = await n8n.startN8n({ version: VERSION, userFolder, extraEnv: { ...common, N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' }, logFile: path.join(userFolder, 'main.log') });
		[hook, worker] = await Promise.all([
			n8n.startN8n({ version: VERSION, userFolder, command: 'webhook', extraEnv: common, logFile: path.join(userFolder, 'webhook.log') }),
			n8n.startN8n({ version: VERSION, userFolder, command: 'worker', extraEnv: common, logFile: path.join(userFolder, 'worker.log') }),
		]);
		session = await editorSession(main);
	});

	afterAll(async () => {
		await Promise.all([hook?.stop(), worker?.stop()]);
		await main?.stop();
		await proxy?.close();
		await sim?.close();
		n8n.stopServices();
	});

	/** Starts a workflow by hand, as the editor's "Execute workflow" does; resolves the execution id. */
	async function runManually(workflowId, trigger) {
		const response = await n8n.httpJson(`${main.url}/rest/workflows/${workflowId}/run`, { method: 'POST', headers: session, body: { triggerToStartFrom: { name: trigger } } });
		if (response.status !== 200) throw new Error(`manual run of ${workflowId}: HTTP ${response.status} ${response.text.slice(0, 500)}`);
		return String(response.json.data.executionId);
	}

	const ranOnWorker = (executionId) => new RegExp(`Worker started execution ${executionId} \\(job \\d+\\)`).test(worker.logs());
	const finished = (executionId, what, timeoutMs = 90000) =>
		eventually(async () => {
			const execution = await main.execution(executionId);
			return ['success', 'error', 'crashed', 'canceled'].includes(execution.status) ? execution : undefined;
		}, what, timeoutMs);

	it('a manual Generate (poll, download) runs on the worker and the video lands in the binary store intact', async () => {
		const executionId = await runManually('e2eGenerateAndSave1', "When clicking 'Execute workflow'");
		const execution = await finished(executionId, 'the manual generate');
		expect(execution.status).toBe('success');
		expect(execution.mode).toBe('manual');
		expect(ranOnWorker(executionId)).toBe(true);
		const [item] = n8n.nodeOutput(execution.data, 'Generate video');
		expect(item.binary.data.id.startsWith(BINARY_ID_PREFIX[binaryMode])).toBe(true);
		const file = await eventually(() => fileOf(files, item.json.id), 'the saved video');
		expect(sha256(fs.readFileSync(file))).toBe(sim.contentFor(item.json.id, 0).sha256);
	});

	it('a manual Generate in Webhook (Resume) mode parks on the worker and resumes there through the webhook process', async () => {
		const executionId = await runManually('e2eManualResume1', 'Start');
		// Parked on a temporary endpoint (the production gateway takes no inline webhook URL): its URL resumes this execution.
		const endpoint = await eventually(async () => (await webhookEndpoints(sim)).find((entry) => parkedExecutionId(entry.url) === executionId), 'this execution\'s resume endpoint', 60000);
		expect(endpoint.url.startsWith(`${proxy.url}/webhook-waiting/`)).toBe(true);
		const job = await eventually(() => sim.jobs().find((entry) => entry.webhook?.endpoint_id === endpoint.id), 'the job parked on it', 60000);
		const execution = await finished(executionId, 'the resumed manual execution');
		expect(execution.status).toBe('success');
		expect(n8n.nodeOutput(execution.data, 'Generate video')[0].json.id).toBe(job.id);
		const file = await eventually(() => fileOf(files, `resumed-${job.id}`), 'the resumed video');
		expect(sha256(fs.readFileSync(file))).toBe(sim.contentFor(job.id, 0).sha256);
		expect([...worker.logs().matchAll(new RegExp(`Worker started execution ${executionId} \\(job \\d+\\)`, 'g'))]).toHaveLength(2);
	});

	it('an uploaded photo stored by the webhook process becomes the first frame, fetched through n8n\'s signed link', async () => {
		await hook.waitForWebhook('/webhook/e2e-photo');
		const { body, contentType } = multipart({ motion: 'offloaded photo' }, { field: 'photo', name: 'photo.png', type: 'image/png', data: PNG });
		const response = await fetch(`${proxy.url}/webhook/e2e-photo`, { method: 'POST', headers: { 'content-type': contentType }, body });
		expect(response.status).toBe(200);
		const execution = await eventually(async () => (await main.executions({ workflowId: 'e2ePhotoToVideo1' })).find((entry) => !['running', 'new', 'waiting'].includes(entry.status)), 'the photo execution', 90000);
		const fetched = sim.references().find((reference) => reference.url.startsWith(`${proxy.url}/rest/binary-data/signed`));
		expect(fetched).toMatchObject({ status: 200, bytes: PNG.length, sha256: sha256(PNG) });
		expect(execution.status).toBe('success');
		const [item] = n8n.nodeOutput(execution.data, 'Animate photo');
		const file = await eventually(() => fileOf(files, `photo-${item.json.id}`), 'the video');
		expect(fs.statSync(file).size).toBe(sim.contentFor(item.json.id, 0).bytes);
	});
});
