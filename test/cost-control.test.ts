import type { IDataObject } from 'n8n-workflow';

import type { Simulator } from '../simulator';
import { disposeHarness } from './harness';
import { byId, generateParameters, runAiStats, startSimulator } from './support/fixtures';

// What the simulated gateway holds for a request (the same price card as its pricing route and billing).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const models = require('../simulator/lib/models') as {
	findModel: (id: string) => unknown;
	resolveGeometry: (model: unknown, body: IDataObject) => unknown;
	estimateCostUsd: (model: unknown, body: IDataObject, geometry: unknown) => number;
};
const heldFor = (body: IDataObject) => {
	const model = models.findModel(String(body.model));
	return models.estimateCostUsd(model, body, models.resolveGeometry(model, body));
};

let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator();
});
afterAll(async () => {
	await sim.close();
	await disposeHarness();
});
beforeEach(() => {
	sim.reset();
	sim.setOptions({ jobMs: 300, queuedMs: 30, pollAfterSeconds: 1, profile: 'production', pricingApi: true });
});

const creates = () => sim.requests().filter((request) => request.method === 'POST' && request.path === '/v1/videos');
const pricingCalls = () => sim.requests().filter((request) => request.path === '/v1/pricing/calculate');

const estimateParameters = (extra: IDataObject = {}) => ({ ...generateParameters(extra), operation: 'estimateCost' });

describe('Video → Estimate Cost', () => {
	it('prices each item from the pricing route (duration, resolution, samples, audio) and creates nothing', async () => {
		const run = await runAiStats(sim, {
			items: [
				{ json: { duration: 4, resolution: '720p', samples: 1, audio: false } },
				{ json: { duration: 8, resolution: '1080p', samples: 2, audio: true } },
			],
			parameters: estimateParameters({
				model: byId('google/veo-3.1'),
				options: {
					duration: '={{ $json.duration }}',
					resolution: '={{ $json.resolution }}',
					sampleCount: '={{ $json.samples }}',
					generateAudio: '={{ $json.audio }}',
				},
			}),
		});
		expect(run.status).toBe('success');
		const bodies = [
			{ model: 'google/veo-3.1', duration: 4, resolution: '720p', sample_count: 1, generate_audio: false },
			{ model: 'google/veo-3.1', duration: 8, resolution: '1080p', sample_count: 2, generate_audio: true },
		];
		expect(run.items.map((item) => item.json.cost_estimate)).toEqual(bodies.map(heldFor));
		expect(run.items[1].json).toMatchObject({
			cost_estimate_currency: 'USD',
			cost_estimate_reason: null,
			cost_estimate_basis: { provider: 'google-ai-studio', billed_seconds: 16, resolution: '1080p', generate_audio: true },
		});
		expect(run.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(pricingCalls()).toHaveLength(2);
		expect(pricingCalls()[1].body).toMatchObject({ provider: 'google-ai-studio', model: 'google/veo-3.1', endpoint: 'video.generate' });
		expect(creates()).toHaveLength(0);
	});

	it('uses the catalogue defaults for what the item leaves out (Sora: size-priced)', async () => {
		const run = await runAiStats(sim, { parameters: estimateParameters({ model: byId('openai/sora-2'), options: {} }) });
		expect(run.items[0].json).toMatchObject({ cost_estimate_basis: { provider: 'openai', resolution: '1280x720' } });
		expect(run.items[0].json.cost_estimate).toBe(heldFor({ model: 'openai/sora-2' }));
	});

	it('says null with a reason when the gateway has no pricing answer, never a guess', async () => {
		sim.setOptions({ pricingApi: false });
		const run = await runAiStats(sim, { parameters: estimateParameters() });
		expect(run.status).toBe('success');
		expect(run.items[0].json).toMatchObject({ cost_estimate: null });
		expect(run.items[0].json.cost_estimate_reason).toMatch(/no pricing data for google\/veo-3\.1-lite/);
		expect(creates()).toHaveLength(0);
	});

	it('says null with a reason for a model the catalogue does not know (no pricing call)', async () => {
		const run = await runAiStats(sim, { parameters: estimateParameters({ model: byId('acme/unknown-video') }) });
		expect(run.items[0].json.cost_estimate).toBeNull();
		expect(run.items[0].json.cost_estimate_reason).toMatch(/not in the gateway's model catalogue/);
		expect(pricingCalls()).toHaveLength(0);
	});
});

describe('Generate → Estimate Cost option', () => {
	it('adds the estimate to the output, which matches the settled cost', async () => {
		const run = await runAiStats(sim, {
			parameters: generateParameters({
				waitForCompletion: 'poll',
				downloadVideo: false,
				waitOptions: { pollIntervalSeconds: 1 },
				options: { duration: 4 },
				costControl: { estimateCost: true },
			}),
		});
		expect(run.status).toBe('success');
		const [item] = run.items;
		expect(item.json.status).toBe('completed');
		expect(item.json.cost_estimate).toBe(heldFor({ model: 'google/veo-3.1-lite', duration: 4 }));
		expect(item.json.cost).toBe(item.json.cost_estimate);
		expect(creates()).toHaveLength(1);
	});

	it('without a pricing answer it still creates, with cost_estimate null and the reason', async () => {
		sim.setOptions({ pricingApi: false });
		const run = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none', costControl: { estimateCost: true } }) });
		expect(run.items[0].json).toMatchObject({ status: 'queued', cost_estimate: null });
		expect(creates()).toHaveLength(1);
	});
});

describe('Generate → budget guard', () => {
	const threeItems = [{ json: { duration: 4 } }, { json: { duration: 8 } }, { json: { duration: 4 } }];
	const perSecond = heldFor({ model: 'google/veo-3.1-lite', duration: 1 });

	it('Max Cost per Item refuses an item over the cap before create, naming estimate and cap', async () => {
		const cap = perSecond * 6;
		const run = await runAiStats(sim, {
			items: threeItems,
			parameters: generateParameters({ waitForCompletion: 'none', options: { duration: '={{ $json.duration }}' }, costControl: { maxCostPerItem: cap } }),
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toContain(`Estimated cost ${perSecond * 8} USD is over Max Cost per Item (${cap} USD)`);
		expect(creates()).toHaveLength(0);
	});

	it('with Continue On Fail the refused item is an error item and the others are created', async () => {
		const cap = perSecond * 6;
		const run = await runAiStats(sim, {
			items: threeItems,
			node: { onError: 'continueRegularOutput' },
			parameters: generateParameters({ waitForCompletion: 'none', options: { duration: '={{ $json.duration }}' }, costControl: { maxCostPerItem: cap } }),
		});
		expect(run.status).toBe('success');
		expect(run.items.map((item) => item.json.status ?? 'refused')).toEqual(['queued', 'refused', 'queued']);
		expect(run.items[1].json).toMatchObject({ cost_estimate: perSecond * 8 });
		expect(String(run.items[1].json.error)).toMatch(/Over budget/);
		expect(run.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(creates()).toHaveLength(2);
	});

	it('Max Cost per Execution stops creating once the running total would pass the cap', async () => {
		const cap = perSecond * 13;
		const run = await runAiStats(sim, {
			items: threeItems,
			node: { onError: 'continueRegularOutput' },
			parameters: generateParameters({ waitForCompletion: 'none', options: { duration: '={{ $json.duration }}' }, costControl: { maxCostPerExecution: cap } }),
		});
		// 4 s + 8 s fit in 13 s worth; the third 4 s would make 16.
		expect(run.items.map((item) => item.json.status ?? 'refused')).toEqual(['queued', 'queued', 'refused']);
		expect(String(run.items[2].json.error)).toMatch(/over Max Cost per Execution/);
		expect(creates()).toHaveLength(2);
	});

	it('a cap with no pricing answer refuses rather than spending an unknown amount', async () => {
		sim.setOptions({ pricingApi: false });
		const run = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none', costControl: { maxCostPerItem: 100 } }) });
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(/Cannot check the budget: no cost estimate/);
		expect(creates()).toHaveLength(0);
	});
});

describe('Account', () => {
	it('Get Credits reads the balance with the management key only', async () => {
		const run = await runAiStats(sim, {
			credential: { managementKey: sim.keys.management },
			parameters: { resource: 'account', operation: 'getCredits' },
		});
		expect(run.status).toBe('success');
		expect(run.items[0].json).toMatchObject({ currency: 'USD', balance: 1_000_000, reserved: 0, available: 1_000_000 });
		const call = sim.requests().find((request) => request.path === '/v1/credits');
		expect(call?.headers?.authorization).toBe(`Bearer ${sim.keys.management}`);
	});

	it('Get Credits without a management key says so and calls nothing', async () => {
		const run = await runAiStats(sim, { parameters: { resource: 'account', operation: 'getCredits' } });
		expect(run.status).toBe('error');
		expect(run.error?.message).toBe('Get Credits needs a Management Key');
		expect(sim.requests().filter((request) => request.path === '/v1/credits')).toHaveLength(0);
	});

	it('Get Generation Cost gives the settled cost of a request', async () => {
		const generated = await runAiStats(sim, {
			parameters: generateParameters({ waitForCompletion: 'poll', downloadVideo: false, waitOptions: { pollIntervalSeconds: 1 }, options: { duration: 4 } }),
		});
		const job = generated.items[0].json;
		const run = await runAiStats(sim, {
			items: [{ json: job }],
			parameters: { resource: 'account', operation: 'getGenerationCost', requestId: '={{ $json.request_id }}' },
		});
		expect(run.items[0].json).toMatchObject({ request_id: job.request_id, cost: job.cost, cost_currency: 'USD', success: true });
	});
});
