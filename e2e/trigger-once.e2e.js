'use strict';
/**
 * Issue 14 in real n8n: every event starts exactly one execution, and no acknowledged event is
 * lost. 2.41.1 and 1.123.81 with one main process (sqlite), and 2.41.1 in queue mode (main +
 * one webhook process + a worker, PostgreSQL + Redis): duplicates delivered together, seconds
 * apart and after a restart of the process that receives them; a burst of 20 events each sent
 * twice; a Registered Endpoint trigger deactivated and reactivated while its job runs; a signed
 * link that stalls mid-body.
 */
const http = require('node:http');
const path = require('node:path');

const n8n = require('../tooling/n8n');
const { WEBHOOK_SECRET, eventually, prepareUserFolder, servicesEnv, sleep, startSimulator, webhookEndpoints } = require('./support');

const VERSIONS = (process.env.AI_STATS_E2E_VERSIONS || 'v2,v1').split(',').map((version) => version.trim());
const SETUPS = [
	...VERSIONS.map((version) => ({ version, queue: false })),
	...(VERSIONS.includes('v2') && process.env.AI_STATS_E2E_SKIP_QUEUE !== '1' ? [{ version: 'v2', queue: true }] : []),
];
const CREDENTIAL = { aiStatsApi: { id: 'ai-stats-credential', name: 'AI Stats account' } };
const BOTH_KEYS = { aiStatsApi: { id: 'ai-stats-both-keys', name: 'AI Stats (both keys)' } };

function triggerWorkflow(id, webhookId, parameters, credentials = CREDENTIAL) {
	return {
		id,
		name: `e2e: ${id}`,
		nodes: [
			{
				id: `${id}-trigger`,
				name: 'AI Stats Trigger',
				type: 'n8n-nodes-ai-stats.aiStatsTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId,
				parameters,
				credentials,
			},
			{ id: `${id}-noop`, name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
		],
		connections: { 'AI Stats Trigger': { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

const WORKFLOWS = [
	triggerWorkflow('e2eTriggerOnce1', 'e2e-trigger-once', { secretSource: 'sharedSecret', events: ['video.completed', 'video.progress'] }),
	triggerWorkflow('e2eTriggerStall1', 'e2e-trigger-stall', {
		secretSource: 'sharedSecret',
		events: ['video.completed'],
		options: { downloadVideo: true, downloadTimeLimit: 15 },
	}),
	triggerWorkflow('e2eTrigEndpoint1', 'e2e-trigger-endpoint', { secretSource: 'registeredEndpoint', events: ['video.completed'] }, BOTH_KEYS),
];

/** A "signed link" that sends headers and 64 KiB of a 10 MB body, then nothing. */
async function startStallingServer() {
	const server = http.createServer((request, response) => {
		response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(10 * 1024 * 1024) });
		response.write(Buffer.alloc(64 * 1024, 1));
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${server.address().port}/stall.mp4?download_sig=0123456789abcdef`,
		close: async () => {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}

describe.each(SETUPS)('AI Stats Trigger exactly once: n8n $version, queue mode $queue', ({ version, queue }) => {
	let sim;
	let userFolder;
	let env;
	let main;
	let receiver; // the process that receives webhooks: main, or the webhook process in queue mode
	let workers = [];
	let receiverPort;

	const startReceiver = async () => {
		if (!queue) {
			main = await n8n.startN8n({ version, userFolder, port: receiverPort, extraEnv: env, logFile: path.join(userFolder, `main-${Date.now()}.log`) });
			receiver = main;
		} else {
			receiver = await n8n.startN8n({ version, userFolder, command: 'webhook', port: receiverPort, extraEnv: env, logFile: path.join(userFolder, `webhook-${Date.now()}.log`) });
		}
		await receiver.waitForWebhook('/webhook/e2e-trigger-once/ai-stats');
	};

	beforeAll(async () => {
		sim = await startSimulator();
		userFolder = n8n.makeUserFolder(`ai-stats-e2e-once-${version}${queue ? '-queue' : ''}-`);
		receiverPort = await n8n.freePort();
		env = { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' };
		if (queue) {
			env = {
				...env,
				...servicesEnv(),
				EXECUTIONS_MODE: 'queue',
				N8N_BINARY_DATA_STORAGE_PATH: path.join(userFolder, 'binary'),
				N8N_WEBHOOK_URL: `http://127.0.0.1:${receiverPort}/`,
			};
		}
		await prepareUserFolder(version, sim, { extraEnv: env, userFolder });
		await n8n.importCredentials(
			version,
			userFolder,
			[{ id: 'ai-stats-both-keys', name: 'AI Stats (both keys)', type: 'aiStatsApi', data: { apiKey: sim.keys.inference, managementKey: sim.keys.management, baseUrl: sim.baseUrl } }],
			{ extraEnv: env },
		);
		await n8n.importWorkflow(version, userFolder, WORKFLOWS, { extraEnv: env });
		for (const workflow of WORKFLOWS) await n8n.publishWorkflow(version, userFolder, workflow.id, { extraEnv: env });
		if (queue) {
			main = await n8n.startN8n({ version, userFolder, extraEnv: { ...env, N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' }, logFile: path.join(userFolder, 'main.log') });
			workers = [await n8n.startN8n({ version, userFolder, command: 'worker', extraEnv: env, logFile: path.join(userFolder, 'worker.log') })];
		}
		await startReceiver();
	});

	afterAll(async () => {
		await Promise.all([receiver !== main ? receiver?.stop() : undefined, ...workers.map((worker) => worker.stop())]);
		await main?.stop();
		await sim?.close();
		if (queue) n8n.stopServices();
	});

	const hookUrl = (webhookId) => `${receiver.url}/webhook/${webhookId}/ai-stats`;
	const createJob = async (prompt, webhook) => {
		const response = await fetch(`${sim.baseUrl}/videos`, {
			method: 'POST',
			headers: { authorization: `Bearer ${sim.keys.inference}`, 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'google/veo-3.1-lite', prompt, ...(webhook ? { webhook } : {}) }),
		});
		expect(response.status).toBeLessThan(300);
		return (await response.json()).id;
	};
	const finished = async (workflowId) =>
		(await main.executions({ workflowId })).filter((execution) => !['running', 'new', 'waiting'].includes(execution.status));
	const eventIdOf = (execution) => n8n.nodeOutput(execution.data, 'AI Stats Trigger')[0].json.event_id;

	it('one event id delivered twice together, again 2 s later and again after a restart: one execution', async () => {
		const id = await createJob('exactly once');
		await sim.completeJob(id);
		const event = sim.buildEvent(sim.getJob(id), 'video.completed');
		const deliver = async () => await sim.deliverEvent({ url: hookUrl('e2e-trigger-once'), secret: WEBHOOK_SECRET, event });

		const together = await Promise.all([deliver(), deliver()]);
		expect(together.map((response) => response.status)).toEqual([200, 200]);
		await sleep(2000);
		expect((await deliver()).status).toBe(200);
		await eventually(async () => (await finished('e2eTriggerOnce1')).length >= 1, 'the first execution');

		if (receiver === main) await main.stop();
		else await receiver.stop();
		await startReceiver();
		expect((await deliver()).status).toBe(200);

		await sleep(3000);
		const runs = (await finished('e2eTriggerOnce1')).filter((execution) => eventIdOf(execution) === event.id);
		expect(runs).toHaveLength(1);
		expect(runs[0].status).toBe('success');
	});

	it('20 distinct events in a burst, each delivered twice at once: 20 executions', async () => {
		const before = (await finished('e2eTriggerOnce1')).length;
		const ids = await Promise.all(Array.from({ length: 20 }, (_, index) => createJob(`burst ${index}`)));
		for (const id of ids) await sim.completeJob(id);
		const events = ids.map((id) => sim.buildEvent(sim.getJob(id), 'video.completed'));
		const responses = await Promise.all(
			events.flatMap((event) => [0, 1].map(() => sim.deliverEvent({ url: hookUrl('e2e-trigger-once'), secret: WEBHOOK_SECRET, event }))),
		);
		expect(responses.every((response) => response.status === 200)).toBe(true);
		await eventually(async () => (await finished('e2eTriggerOnce1')).length >= before + 20, '20 executions', 120000);
		await sleep(3000);
		const runs = await finished('e2eTriggerOnce1');
		expect(runs).toHaveLength(before + 20);
		const started = runs.map(eventIdOf).filter((eventId) => events.some((event) => event.id === eventId));
		expect(new Set(started).size).toBe(20);
		expect(started).toHaveLength(20);
	});

	it('a signed link that stalls mid-body: acknowledged at once, and an execution with download_error within 2 minutes', async () => {
		const stalling = await startStallingServer();
		try {
			const id = await createJob('stalling link');
			await sim.completeJob(id);
			const event = sim.buildEvent(sim.getJob(id), 'video.completed');
			event.data.download_url = stalling.url;
			const sent = Date.now();
			const response = await sim.deliverEvent({ url: hookUrl('e2e-trigger-stall'), secret: WEBHOOK_SECRET, event });
			expect(response.status).toBe(200);
			expect(Date.now() - sent).toBeLessThan(10000);
			const run = await eventually(async () => (await finished('e2eTriggerStall1'))[0], 'the stalled-download execution', 120000);
			expect(Date.now() - sent).toBeLessThan(120000);
			const [item] = n8n.nodeOutput(run.data, 'AI Stats Trigger');
			expect(item.json).toMatchObject({ video_id: id, type: 'video.completed' });
			expect(item.json.download_error).toMatch(/did not finish within 15 s/);
			expect(item.binary).toBeUndefined();
		} finally {
			await stalling.close();
		}
	});

	it('Registered Endpoint: deactivate + reactivate while a job runs keeps the endpoint id, and the job\'s completed event arrives', async () => {
		const listEndpoints = () => webhookEndpoints(sim);
		// Activated as a user does (editor or API). The workflow id has at most 16 characters: n8n
		// 1.x saves static data (the endpoint's id and secret) only for such ids, as its own are.
		await main.deactivateWorkflow('e2eTrigEndpoint1');
		await main.activateWorkflow('e2eTrigEndpoint1');
		const [endpoint] = await eventually(async () => {
			const list = await listEndpoints();
			return list.length === 1 ? list : undefined;
		}, 'the registered endpoint');
		expect(endpoint.url).toBe(hookUrl('e2e-trigger-endpoint'));
		const id = await createJob('registered endpoint [sim:ms=6000]', { endpoint_id: endpoint.id });

		await main.deactivateWorkflow('e2eTrigEndpoint1');
		await sleep(1000);
		await main.activateWorkflow('e2eTrigEndpoint1');
		expect(await listEndpoints()).toEqual([expect.objectContaining({ id: endpoint.id, status: 'active' })]);
		expect(sim.requests().filter((request) => request.path.startsWith('/v1/webhook-endpoints') && ['POST', 'DELETE'].includes(request.method))).toHaveLength(1);

		const run = await eventually(async () => (await finished('e2eTrigEndpoint1')).find((execution) => n8n.nodeOutput(execution.data, 'AI Stats Trigger')[0].json.video_id === id), 'the completed event of the running job', 90000);
		expect(n8n.nodeOutput(run.data, 'AI Stats Trigger')[0].json).toMatchObject({ type: 'video.completed', endpoint_id: endpoint.id });
		expect(sim.deliveries().some((delivery) => delivery.jobId === id && delivery.type === 'video.completed' && delivery.status === 200)).toBe(true);
	});
});
