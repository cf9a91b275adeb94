'use strict';
/**
 * Cost control in real n8n (issue 19), one main process with sqlite: a form-like submission over
 * the budget is refused before anything is created, and a job that fails at its provider falls
 * back to the next model, the output listing both attempts with their costs. Checked from
 * outside: execution records through n8n's public API and the creates the simulator received.
 */
const n8n = require('../tooling/n8n');
const { eventually, prepareUserFolder, startSimulator } = require('./support');

const VERSIONS = n8n.versionsUnderTest();
const ENV = { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' };
const CREDENTIAL = { aiStatsApi: { id: 'ai-stats-credential', name: 'AI Stats account' } };

function workflow(id, path, webhookId, generate) {
	return {
		id,
		name: `e2e: ${id}`,
		nodes: [
			{ id: `${id}-form`, name: 'Form submission', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId, parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} } },
			{
				id: `${id}-generate`,
				name: 'Generate video',
				type: 'n8n-nodes-ai-stats.aiStats',
				typeVersion: 1,
				position: [220, 0],
				credentials: CREDENTIAL,
				parameters: {
					resource: 'video',
					operation: 'generate',
					model: { __rl: true, mode: 'id', value: 'google/veo-3.1-lite' },
					prompt: '={{ $json.body.prompt }}',
					waitForCompletion: 'poll',
					downloadVideo: false,
					waitOptions: { pollIntervalSeconds: 1 },
					options: { duration: '={{ Number($json.body.duration) }}' },
					...generate,
				},
			},
		],
		connections: { 'Form submission': { main: [[{ node: 'Generate video', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

const overBudget = () => workflow('e2eCostOverBudget1', 'e2e-cost-budget', '5b0e2c1a-8d3f-4e6a-9b7c-1f2e3d4c5b6a', { costControl: { maxCostPerItem: 0.25 } });
const fallback = () => workflow('e2eCostFallback1', 'e2e-cost-fallback', '6c1f3d2b-9e4a-4f7b-8c8d-2a3b4c5d6e7f', { onJobFailure: 'output', costControl: { fallbackModels: 'google/veo-3.1' } });

describe.each(VERSIONS)('n8n %s: cost control', (version) => {
	let sim;
	let userFolder;
	let instance;

	beforeAll(async () => {
		sim = await startSimulator({ jobMs: 1500 });
		({ userFolder } = await prepareUserFolder(version, sim, { extraEnv: ENV }));
		await n8n.importWorkflow(version, userFolder, [overBudget(), fallback()], { extraEnv: ENV });
		for (const id of ['e2eCostOverBudget1', 'e2eCostFallback1']) await n8n.publishWorkflow(version, userFolder, id, { extraEnv: ENV });
		instance = await n8n.startN8n({ version, userFolder, env: ENV });
		await instance.waitForWebhook('/webhook/e2e-cost-fallback');
	});

	afterAll(async () => {
		await instance?.stop();
		await sim?.close();
	});

	const creates = () => sim.requests().filter((request) => request.method === 'POST' && request.path === '/v1/videos');
	const submit = async (path, fields) =>
		await fetch(`${instance.url}/webhook/${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams(fields).toString(),
		});
	const finished = async (workflowId) =>
		await eventually(
			async () => (await instance.executions({ workflowId })).find((execution) => execution.status !== 'running' && execution.status !== 'new' && execution.status !== 'waiting'),
			`the ${workflowId} execution`,
			90000,
		);

	it('a form submission over Max Cost per Item is refused with estimate and cap, and nothing is created', async () => {
		sim.clearRequests();
		expect((await submit('e2e-cost-budget', { prompt: 'a long take of the harbour', duration: '8' })).status).toBe(200);
		const done = await finished('e2eCostOverBudget1');
		expect(done.status).toBe('error');
		expect(n8n.failure(done)).toMatch(/Over budget: Estimated cost \d+(\.\d+)? USD is over Max Cost per Item \(0\.25 USD\)/);
		expect(sim.requests().filter((request) => request.path === '/v1/pricing/calculate')).toHaveLength(1);
		expect(creates()).toHaveLength(0);
	});

	it('a provider error falls back to the next model; the output lists both attempts with their costs', async () => {
		sim.clearRequests();
		sim.setOptions({ nextOutcomes: ['fail:provider_error'] });
		expect((await submit('e2e-cost-fallback', { prompt: 'a quiet forest at dawn', duration: '4' })).status).toBe(200);
		const done = await finished('e2eCostFallback1');
		expect(done.status).toBe('success');
		const [item] = n8n.nodeOutput(done.data, 'Generate video');
		expect(item.json).toMatchObject({ status: 'completed', model: 'google/veo-3.1' });
		expect(item.json.attempts).toEqual([
			expect.objectContaining({ model: 'google/veo-3.1-lite', outcome: 'failed', failure_category: 'provider_error', cost: 0 }),
			expect.objectContaining({ model: 'google/veo-3.1', outcome: 'completed', cost: item.json.cost }),
		]);
		expect(item.json.cost).toBeGreaterThan(0);
		expect(item.json.attempts.map((attempt) => attempt.video_id)).toEqual(sim.jobs().map((job) => job.id));
		expect(creates().map((request) => request.body.model)).toEqual(['google/veo-3.1-lite', 'google/veo-3.1']);
	});
});
