'use strict';
/**
 * Money safety in real n8n (2.41.1 and 1.123): n8n's own Retry On Fail over a batch where one item
 * always fails. Counted at the simulator: every other item is created exactly once, and the
 * execution's error names every job created.
 */
const n8n = require('../tooling/n8n');
const { prepareUserFolder, startSimulator } = require('./support');

const VERSIONS = (process.env.AI_STATS_E2E_VERSIONS || 'v2,v1').split(',').map((version) => version.trim());
const CREDENTIAL = { aiStatsApi: { id: 'ai-stats-credential', name: 'AI Stats account' } };
const PROMPTS = ['scene 0', 'scene 1', 'scene 2 [sim:fail=provider_error]', 'scene 3'];

function node(name, type, typeVersion, position, parameters, extra = {}) {
	return { id: `money-${name}`.replace(/[^A-Za-z0-9-]/g, '-'), name, type, typeVersion, position, parameters, ...extra };
}

/** Manual start → four prompts as four items → Generate (Poll, Stop With an Error) with Retry On Fail, 3 tries. */
function retryBatch() {
	const names = ['Start', 'Prompts', 'One item per prompt', 'Generate video'];
	return {
		id: 'e2eMoneyRetryBatch1',
		name: 'e2e: Retry On Fail over a batch',
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, [0, 0], {}),
			node('Prompts', 'n8n-nodes-base.set', 3.4, [200, 0], { mode: 'raw', jsonOutput: JSON.stringify({ prompt: PROMPTS }), options: {} }),
			node('One item per prompt', 'n8n-nodes-base.splitOut', 1, [400, 0], { fieldToSplitOut: 'prompt', options: {} }),
			node(
				'Generate video',
				'n8n-nodes-ai-stats.aiStats',
				1,
				[600, 0],
				{
					resource: 'video',
					operation: 'generate',
					model: { __rl: true, mode: 'id', value: 'google/veo-3.1-lite' },
					prompt: '={{ $json.prompt }}',
					waitForCompletion: 'poll',
					downloadVideo: false,
					waitOptions: { pollIntervalSeconds: 1 },
				},
				{ credentials: CREDENTIAL, retryOnFail: true, maxTries: 3, waitBetweenTries: 500 },
			),
		],
		connections: Object.fromEntries(names.slice(0, -1).map((name, index) => [name, { main: [[{ node: names[index + 1], type: 'main', index: 0 }]] }])),
		settings: { executionOrder: 'v1' },
	};
}

describe.each(VERSIONS)('n8n %s: money safety', (version) => {
	let sim;
	let userFolder;

	beforeAll(async () => {
		sim = await startSimulator({ jobMs: 1000 });
		({ userFolder } = await prepareUserFolder(version, sim));
		await n8n.importWorkflow(version, userFolder, [retryBatch()]);
	});

	afterAll(async () => {
		await sim?.close();
	});

	it('Retry On Fail (3 tries) over four items, one failing at the provider: the other three are created exactly once', async () => {
		sim.clearRequests();
		const run = await n8n.executeWorkflow(version, userFolder, 'e2eMoneyRetryBatch1', { timeoutMs: 5 * 60 * 1000 });
		expect(run.ok).toBe(false);
		const creates = sim.requests().filter((request) => request.method === 'POST' && request.path === '/v1/videos');
		const count = (prompt) => creates.filter((request) => request.body && request.body.prompt === prompt).length;
		expect(PROMPTS.map(count)).toEqual([1, 1, 3, 1]);
		const completed = sim.jobs().filter((job) => job.status === 'completed');
		expect(completed).toHaveLength(3);
		// The error n8n stored names every completed job, so the user can download them.
		const { error } = run.run.data.resultData;
		expect(error.message).toContain('failed');
		for (const job of completed) expect(error.description).toContain(job.id);
	});
});
