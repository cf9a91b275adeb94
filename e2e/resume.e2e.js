'use strict';
/**
 * Generate's Webhook (Resume) in real n8n on the simulator's production profile (only registered
 * endpoints accepted), with a management key: parked while the jobs run, every callback of a batch
 * at once and duplicated → resumed once, each video downloaded once, the endpoint gone afterwards;
 * a loop that parks twice; no management key → polls and says why; Max Wait → the IF pattern.
 *
 *   AI_STATS_E2E_VERSIONS=v2|v1 npx jest --config e2e/jest.config.js e2e/resume.e2e.js
 * (under `flock /tmp/ai-stats-e2e.lock`).
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
const { eventually, parkedExecutionId, prepareUserFolder, sleep, startSimulator, webhookEndpoints } = require('./support');

const VERSIONS = (process.env.AI_STATS_E2E_VERSIONS || 'v2,v1').split(',').map((version) => version.trim());
const ENV = { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' };
const WITH_KEY = { aiStatsApi: { id: 'ai-stats-credential', name: 'AI Stats account' } };
const WITHOUT_KEY = { aiStatsApi: { id: 'ai-stats-no-management', name: 'AI Stats (no management key)' } };

function node(name, type, typeVersion, position, parameters, extra = {}) {
	return { id: `${name}-${type}`.replace(/[^A-Za-z0-9-]/g, '-'), name, type, typeVersion, position, parameters, ...extra };
}
const link = (to, index = 0) => ({ node: to, type: 'main', index });
const start = (pathName, webhookId) => node('Start', 'n8n-nodes-base.webhook', 2, [0, 0], { httpMethod: 'POST', path: pathName, responseMode: 'onReceived', options: {} }, { webhookId });
const generate = (credentials, waitOptions = {}, extra = {}) =>
	node('Generate video', 'n8n-nodes-ai-stats.aiStats', 1, [440, 0], {
		resource: 'video',
		operation: 'generate',
		model: { __rl: true, mode: 'id', value: 'google/veo-3.1-lite' },
		prompt: '={{ $json.prompt }}',
		waitForCompletion: 'webhook',
		waitOptions: { concurrency: 20, maxWaitMinutes: 10, ...waitOptions },
		...extra,
	}, { credentials });
const splitPrompts = () => node('Prompts', 'n8n-nodes-base.splitOut', 1, [220, 0], { fieldToSplitOut: 'body.prompts', options: {} });

const WORKFLOWS = {
	batch: {
		id: 'e2eResumeBatch1',
		name: 'e2e: resume a batch',
		nodes: [start('e2e-resume-batch', '0e6f6c1a-7d7e-4a39-9c55-1f3e2b4a5c01'), splitPrompts(), generate(WITH_KEY), node('After', 'n8n-nodes-base.noOp', 1, [660, 0], {})],
		connections: { Start: { main: [[link('Prompts')]] }, Prompts: { main: [[link('Generate video')]] }, 'Generate video': { main: [[link('After')]] } },
		settings: { executionOrder: 'v1' },
	},
	loop: {
		id: 'e2eResumeLoop1',
		name: 'e2e: resume in a loop',
		nodes: [
			start('e2e-resume-loop', '0e6f6c1a-7d7e-4a39-9c55-1f3e2b4a5c02'),
			splitPrompts(),
			node('Loop', 'n8n-nodes-base.splitInBatches', 3, [440, 0], { batchSize: 12, options: {} }),
			{ ...generate(WITH_KEY, {}, { downloadVideo: false }), position: [660, 100] },
			node('Done', 'n8n-nodes-base.noOp', 1, [660, -100], {}),
		],
		connections: { Start: { main: [[link('Prompts')]] }, Prompts: { main: [[link('Loop')]] }, Loop: { main: [[link('Done')], [link('Generate video')]] }, 'Generate video': { main: [[link('Loop')]] } },
		settings: { executionOrder: 'v1' },
	},
	noKey: {
		id: 'e2eResumeNoKey1',
		name: 'e2e: resume without a management key',
		nodes: [start('e2e-resume-nokey', '0e6f6c1a-7d7e-4a39-9c55-1f3e2b4a5c03'), splitPrompts(), generate(WITHOUT_KEY, { pollIntervalSeconds: 1 }, { downloadVideo: false })],
		connections: { Start: { main: [[link('Prompts')]] }, Prompts: { main: [[link('Generate video')]] } },
		settings: { executionOrder: 'v1' },
	},
	maxWait: (() => {
		const example = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'examples', 'generate-webhook-resume.json'), 'utf8'));
		const trigger = example.nodes.find((entry) => entry.type === 'n8n-nodes-base.manualTrigger');
		const nodes = example.nodes
			.filter((entry) => entry !== trigger && entry.type !== 'n8n-nodes-base.stickyNote')
			.map((entry) => (entry.name === 'Generate video' ? { ...entry, parameters: { ...entry.parameters, prompt: 'never finishes [sim:stuck]', waitOptions: { maxWaitMinutes: 0.05 } } } : entry))
			.map((entry) => (entry.name === 'Save MP4' ? node('Save MP4', 'n8n-nodes-base.noOp', 1, entry.position, {}) : entry));
		const connections = { ...example.connections, Start: example.connections[trigger.name] };
		delete connections[trigger.name];
		return { id: 'e2eResumeMaxWait1', name: 'e2e: Max Wait and the IF pattern', nodes: [start('e2e-resume-maxwait', '0e6f6c1a-7d7e-4a39-9c55-1f3e2b4a5c04'), ...nodes], connections, settings: { executionOrder: 'v1' } };
	})(),
};

describe.each(VERSIONS)('n8n %s: Webhook (Resume) on the production gateway', (version) => {
	let sim;
	let userFolder;
	let instance;

	beforeAll(async () => {
		sim = await startSimulator({ profile: 'production' });
		({ userFolder } = await prepareUserFolder(version, sim, { extraEnv: ENV }));
		await n8n.importCredentials(version, userFolder, [{ id: 'ai-stats-no-management', name: 'AI Stats (no management key)', type: 'aiStatsApi', data: { apiKey: sim.keys.inference, baseUrl: sim.baseUrl } }], { extraEnv: ENV });
		await n8n.importWorkflow(version, userFolder, Object.values(WORKFLOWS), { extraEnv: ENV });
		for (const workflow of Object.values(WORKFLOWS)) await n8n.publishWorkflow(version, userFolder, workflow.id, { extraEnv: ENV });
		instance = await n8n.startN8n({ version, userFolder, env: ENV });
		for (const route of ['e2e-resume-batch', 'e2e-resume-loop', 'e2e-resume-nokey', 'e2e-resume-maxwait']) await instance.waitForWebhook(`/webhook/${route}`);
	});

	afterEach(() => sim?.setOptions({ holdWebhooks: false, webhookCopies: 1 }));
	afterAll(async () => {
		await instance?.stop();
		await sim?.close();
	});

	const post = async (route, body) => {
		const response = await fetch(`${instance.url}/webhook/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		expect(response.status).toBe(200);
	};
	const endpoints = () => webhookEndpoints(sim);
	const finished = async (id, timeoutMs = 90000) =>
		await eventually(async () => {
			const execution = await instance.execution(id);
			return execution.status !== 'waiting' && execution.status !== 'running' && execution.status !== 'new' ? execution : undefined;
		}, `execution ${id} to finish`, timeoutMs);

	it('parks while the jobs run (endpoint registered); every callback at once, each ×3: the nodes after Generate run once, each video downloaded once; no endpoint after', async () => {
		sim.reset();
		sim.setOptions({ holdWebhooks: true, webhookCopies: 3 });
		await post('e2e-resume-batch', { prompts: [0, 1, 2, 3].map((index) => ({ prompt: `scene ${index}` })) });
		const [endpoint] = await eventually(async () => ((await endpoints()).length ? await endpoints() : undefined), 'the resume endpoint', 30000);
		expect(endpoint.name).toMatch(/^n8n-nodes-ai-stats resume · exec \S+ · until /);
		const executionId = parkedExecutionId(endpoint.url);
		const waiting = await eventually(async () => {
			const execution = await instance.execution(executionId);
			return execution.status === 'waiting' ? execution : undefined;
		}, 'the parked execution', 30000);
		expect(waiting.waitTill).toBeTruthy();
		expect(sim.jobs().filter((job) => job.webhook?.endpoint_id === endpoint.id)).toHaveLength(4);
		await eventually(() => sim.heldWebhooks() === 4, 'all four callbacks due', 30000);
		// Still parked while every job has ended: nothing polls.
		expect((await instance.execution(executionId)).status).toBe('waiting');
		expect(sim.releaseWebhooks()).toBe(4);
		const done = await finished(executionId);
		expect(done.status).toBe('success');
		await sim.waitForDeliveries((all) => all.filter((delivery) => delivery.status !== undefined).length >= 12, 30000);
		await sleep(2000);
		expect(done.data.resultData.runData.After).toHaveLength(1);
		const output = n8n.nodeOutput(done.data, 'Generate video');
		expect(output.map((item) => item.json.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
		expect(output.every((item) => item.binary?.data)).toBe(true);
		for (const job of sim.jobs()) expect(sim.requests().filter((request) => request.path === `/v1/videos/${job.id}/content`)).toHaveLength(1);
		const statusReads = sim.requests().filter((request) => request.method === 'GET' && /^\/v1\/videos\/vid_[^/]+$/.test(request.path)).length;
		expect(statusReads).toBeLessThanOrEqual(2 * 4 * 3); // ≤ 2 × the deliveries (4 jobs × 3 copies)
		expect(await endpoints()).toHaveLength(0);
		const answers = sim.deliveries().map(answerOf);
		expect(answers.filter((answer) => answer.resumed === true)).toHaveLength(1);
	});

	it('a loop (13 items, batch 12) parks twice and gives 13 items, each paired to its own input', async () => {
		sim.reset();
		await post('e2e-resume-loop', { prompts: Array.from({ length: 13 }, (_, index) => ({ prompt: `loop ${index}` })) });
		const execution = await eventually(async () => (await instance.executions({ workflowId: 'e2eResumeLoop1' })).find((entry) => entry.status === 'success' || entry.status === 'error'), 'the loop execution', 120000);
		expect(execution.status).toBe('success');
		const full = await instance.execution(execution.id);
		const runs = full.data.resultData.runData['Generate video'];
		expect(runs).toHaveLength(2);
		const first = n8n.nodeOutput(full.data, 'Generate video', { runIndex: 0 });
		const second = n8n.nodeOutput(full.data, 'Generate video', { runIndex: 1 });
		expect(first.map((item) => item.pairedItem)).toEqual(Array.from({ length: 12 }, (_, index) => ({ item: index })));
		expect(second.map((item) => item.pairedItem)).toEqual([{ item: 0 }]);
		const ids = [...first, ...second].map((item) => item.json.id);
		expect(new Set(ids).size).toBe(13);
		expect(sim.jobs()).toHaveLength(13);
		expect(n8n.nodeOutput(full.data, 'Done')).toHaveLength(13);
		expect(await endpoints()).toHaveLength(0);
	});

	it('without a management key: polls, and says why in a hint and in the output', async () => {
		sim.reset();
		await post('e2e-resume-nokey', { prompts: [{ prompt: 'no key' }] });
		const execution = await eventually(async () => (await instance.executions({ workflowId: 'e2eResumeNoKey1' })).find((entry) => entry.status === 'success' || entry.status === 'error'), 'the execution', 120000);
		expect(execution.status).toBe('success');
		const full = await instance.execution(execution.id);
		const [item] = n8n.nodeOutput(full.data, 'Generate video');
		expect(item.json).toMatchObject({ status: 'completed', waited_by: 'polling' });
		expect(item.json.waited_by_reason).toContain('Management Key');
		const hints = (full.data.resultData.runData['Generate video'][0].hints || []).map((hint) => hint.message).join(' ');
		expect(hints).toContain('Management Key');
	});

	it('Max Wait passes: the IF pattern of the example catches the timed-out wait', async () => {
		sim.reset();
		await post('e2e-resume-maxwait', {});
		const execution = await eventually(async () => (await instance.executions({ workflowId: 'e2eResumeMaxWait1' })).find((entry) => entry.status === 'success' || entry.status === 'error'), 'the timed-out execution', 180000);
		expect(execution.status).toBe('success');
		const full = await instance.execution(execution.id);
		expect(full.data.resultData.runData['Save MP4']).toBeUndefined();
		const ifName = Object.keys(full.data.resultData.runData).find((name) => name.startsWith('Timed out'));
		expect(n8n.nodeOutput(full.data, ifName, { output: 0 }).length).toBeGreaterThan(0);
	});
});
