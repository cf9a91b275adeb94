'use strict';
/**
 * Queue mode (n8n 2.41.1): Redis and PostgreSQL from Debian's packages (tooling/n8n/services.sh), a main
 * process, a separate webhook process and two workers, binary data in filesystem mode on a
 * shared folder. The trigger and the resume scenarios, with executions on whichever worker
 * takes them.
 */
const fs = require('node:fs');
const path = require('node:path');

const n8n = require('../tooling/n8n');

/** A callback's JSON answer ({} when n8n answered with something else). */
const answerOf = (delivery) => {
	try {
		return JSON.parse(delivery.responseBody || '{}') ?? {};
	} catch {
		return {};
	}
};
const workflows = require('./workflows');
const { WEBHOOK_SECRET, eventually, fileOf, prepareUserFolder, servicesEnv, sha256, startSimulator, parkedExecutionId, webhookEndpoints } = require('./support');

const enabled = n8n.versionsUnderTest().includes('v2') && process.env.AI_STATS_E2E_SKIP_QUEUE !== '1';
const VERSION = 'v2';

(enabled ? describe : describe.skip)('n8n 2.41.1 in queue mode (main + webhook process + 2 workers)', () => {
	let sim;
	let files;
	let main;
	let hook;
	let workers = [];

	beforeAll(async () => {
		sim = await startSimulator();
		const hookPort = await n8n.freePort();
		const hookUrl = `http://127.0.0.1:${hookPort}/`;
		const userFolder = n8n.makeUserFolder('ai-stats-e2e-queue-');
		const common = {
			...n8n.startServices(),
			EXECUTIONS_MODE: 'queue',
			N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
			N8N_BINARY_DATA_STORAGE_PATH: path.join(userFolder, 'binary'),
			// Every process hands out URLs of the webhook process: that is where the gateway calls back.
			N8N_WEBHOOK_URL: hookUrl,
		};
		({ files } = await prepareUserFolder(VERSION, sim, { extraEnv: common, userFolder }));
		await n8n.importWorkflow(VERSION, userFolder, [workflows.triggerNotify(files), workflows.resume(files)], { extraEnv: common });
		for (const id of ['e2eTriggerNotify1', 'e2eResume1']) await n8n.publishWorkflow(VERSION, userFolder, id, { extraEnv: common });
		main = await n8n.startN8n({ version: VERSION, userFolder, extraEnv: { ...common, N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' }, logFile: path.join(userFolder, 'main.log') });
		[hook, ...workers] = await Promise.all([
			n8n.startN8n({ version: VERSION, userFolder, command: 'webhook', port: hookPort, extraEnv: common, logFile: path.join(userFolder, 'webhook.log') }),
			n8n.startN8n({ version: VERSION, userFolder, command: 'worker', extraEnv: common, logFile: path.join(userFolder, 'worker-1.log') }),
			n8n.startN8n({ version: VERSION, userFolder, command: 'worker', extraEnv: common, logFile: path.join(userFolder, 'worker-2.log') }),
		]);
		await hook.waitForWebhook('/webhook/e2e-resume');
	});

	afterEach(() => sim?.setOptions({ profile: 'production' }));
	afterAll(async () => {
		await Promise.all([hook?.stop(), ...workers.map((worker) => worker.stop())]);
		await main?.stop();
		await sim?.close();
		n8n.stopServices();
	});

	/** The queue jobs of an execution, as the workers log them: "Worker started execution 2 (job 3)". */
	const jobsOf = (executionId) =>
		workers.flatMap((worker, index) =>
			[...worker.logs().matchAll(new RegExp(`Worker started execution ${executionId} \\(job (\\d+)\\)`, 'g'))].map((match) => ({ worker: index + 1, job: Number(match[1]) })),
		);

	it('the trigger runs once per selected event on the workers, and refuses a mis-signed delivery', async () => {
		const trigger = JSON.parse(fs.readFileSync(require.resolve('../examples/trigger-notify.json'), 'utf8')).nodes.find((entry) => entry.type === 'n8n-nodes-ai-stats.aiStatsTrigger');
		const url = `${hook.url}/webhook/${trigger.webhookId}/ai-stats`;
		await hook.waitForWebhook(`/webhook/${trigger.webhookId}/ai-stats`);
		const response = await fetch(`${sim.baseUrl}/videos`, {
			method: 'POST',
			headers: { authorization: `Bearer ${sim.keys.inference}`, 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'google/veo-3.1-lite', prompt: 'queue mode' }),
		});
		const { id } = await response.json();
		await sim.completeJob(id);
		const event = sim.buildEvent(sim.getJob(id), 'video.completed');
		expect((await sim.deliverEvent({ url, secret: WEBHOOK_SECRET, event, tamper: 'bad-signature' })).status).toBe(401);
		expect((await sim.deliverEvent({ url, secret: WEBHOOK_SECRET, event })).status).toBe(200);
		expect((await sim.deliverEvent({ url, secret: WEBHOOK_SECRET, event: sim.buildEvent(sim.getJob(id), 'video.progress', { progress: 50 }) })).status).toBe(200);

		const run = await eventually(async () => (await main.executions({ workflowId: 'e2eTriggerNotify1' })).find((execution) => execution.status === 'success'), 'the trigger execution', 60000);
		expect(await main.executions({ workflowId: 'e2eTriggerNotify1' })).toHaveLength(1);
		expect(n8n.nodeOutput(run.data, 'AI Stats Trigger')[0].json).toMatchObject({ type: 'video.completed', video_id: id });
		const file = await eventually(() => fileOf(files, `trigger-${id}`), 'the downloaded video');
		expect(sha256(fs.readFileSync(file))).toBe(sim.contentFor(id, 0).sha256);
		expect(jobsOf(run.id)).toHaveLength(1);
	});

	it('Webhook (Resume) on the production gateway parks on one worker (temporary endpoint); the callback delivered 3× at once resumes once, on whichever worker takes it', async () => {
		sim.setOptions({ holdWebhooks: true, webhookCopies: 3 });
		try {
			sim.clearRequests();
			const started = await fetch(`${hook.url}/webhook/e2e-resume`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ prompt: 'queue resume [sim:ms=3000]' }),
			});
			expect(started.status).toBe(200);
			const [endpoint] = await eventually(async () => ((await webhookEndpoints(sim)).length ? await webhookEndpoints(sim) : undefined), 'the resume endpoint', 60000);
			expect(endpoint.url.startsWith(`${hook.url}/webhook-waiting/`)).toBe(true);
			const executionId = parkedExecutionId(endpoint.url);
			const job = await eventually(() => sim.jobs().find((entry) => entry.webhook?.endpoint_id === endpoint.id), 'the job', 60000);
			await eventually(async () => (await main.execution(executionId)).status === 'waiting', 'the parked execution', 30000);
			await eventually(() => sim.heldWebhooks() > 0, 'the callback due', 60000);
			sim.releaseWebhooks();

			const done = await eventually(async () => {
				const execution = await main.execution(executionId);
				return execution.status === 'success' ? execution : undefined;
			}, 'the resumed execution', 90000);
			expect(n8n.nodeOutput(done.data, 'Generate video')[0].json.id).toBe(job.id);
			const file = await eventually(() => fileOf(files, `resumed-${job.id}`), 'the resumed video');
			expect(sha256(fs.readFileSync(file))).toBe(sim.contentFor(job.id, 0).sha256);
			await sim.waitForDeliveries((all) => all.filter((delivery) => delivery.jobId === job.id && delivery.status !== undefined).length >= 3, 30000);
			await new Promise((resolve) => setTimeout(resolve, 2000));
			expect(done.data.resultData.runData['Save MP4']).toHaveLength(1);
			expect(sim.requests().filter((request) => request.path === `/v1/videos/${job.id}/content`)).toHaveLength(1);
			expect(sim.deliveries().filter((delivery) => answerOf(delivery).resumed === true)).toHaveLength(1);
			expect(await webhookEndpoints(sim)).toHaveLength(0);
			// Parked and resumed as two queue jobs, each taken by whichever worker was free.
			const jobs = jobsOf(executionId).sort((a, b) => a.job - b.job);
			expect(jobs).toHaveLength(2);
			console.log(`queue mode: execution ${executionId} started on worker ${jobs[0].worker} and resumed on worker ${jobs[1].worker}`);
		} finally {
			sim.setOptions({ holdWebhooks: false, webhookCopies: 1 });
		}
	});
});
