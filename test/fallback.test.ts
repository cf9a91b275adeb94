import type { Simulator } from '../simulator';
import { disposeHarness } from './harness';
import { generateParameters, runAiStats, startSimulator } from './support/fixtures';

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
	sim.setOptions({ jobMs: 300, queuedMs: 30, pollAfterSeconds: 1, profile: 'production' });
});

const creates = () => sim.requests().filter((request) => request.method === 'POST' && request.path === '/v1/videos');

/** Poll every second (production's create answer has no poll_after_seconds). */
const fallbackRun = (costControl: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
	generateParameters({
		waitForCompletion: 'poll',
		downloadVideo: false,
		onJobFailure: 'output',
		waitOptions: { pollIntervalSeconds: 1 },
		options: { duration: 4 },
		costControl,
		...extra,
	});

describe('Fallback models (Poll)', () => {
	it('a provider error falls back to the next model, which succeeds; the output lists both attempts with costs', async () => {
		sim.setOptions({ nextOutcomes: ['fail:provider_error'] });
		const run = await runAiStats(sim, { parameters: fallbackRun({ fallbackModels: 'google/veo-3.1' }) });
		expect(run.status).toBe('success');
		expect(run.items).toHaveLength(1);
		const [item] = run.items;
		expect(item.json).toMatchObject({ status: 'completed', model: 'google/veo-3.1' });
		const attempts = item.json.attempts as Array<Record<string, unknown>>;
		expect(attempts).toEqual([
			expect.objectContaining({ model: 'google/veo-3.1-lite', outcome: 'failed', failure_category: 'provider_error', cost: 0 }),
			expect.objectContaining({ model: 'google/veo-3.1', outcome: 'completed', failure_category: null, cost: item.json.cost }),
		]);
		expect(item.json.cost).toBeGreaterThan(0);
		expect(creates().map((request) => (request.body as { model: string }).model)).toEqual(['google/veo-3.1-lite', 'google/veo-3.1']);
		expect((creates()[1].body as { prompt: string }).prompt).toBe((creates()[0].body as { prompt: string }).prompt);
	});

	it('a content filter never falls back', async () => {
		sim.setOptions({ nextOutcomes: ['fail:content_filter'] });
		const run = await runAiStats(sim, { parameters: fallbackRun({ fallbackModels: 'google/veo-3.1' }) });
		expect(run.items[0].json).toMatchObject({ status: 'failed', failure_category: 'content_filtered' });
		expect(run.items[0].json.attempts).toHaveLength(1);
		expect(creates()).toHaveLength(1);
	});

	it('invalid input never falls back', async () => {
		sim.setOptions({ nextOutcomes: ['fail:invalid_input'] });
		const run = await runAiStats(sim, { parameters: fallbackRun({ fallbackModels: 'google/veo-3.1' }) });
		expect(run.items[0].json.failure_category).toBe('invalid_input');
		expect(creates()).toHaveLength(1);
	});

	it('skips a model the catalogue does not know or that cannot take the request, then tries the next', async () => {
		sim.setOptions({ nextOutcomes: ['fail:provider_unavailable'] });
		// minimax/hailuo-02 takes 6 or 10 s, not 4: checked against its catalogue entry, never created.
		const run = await runAiStats(sim, { parameters: fallbackRun({ fallbackModels: 'acme/nothing, minimax/hailuo-02, google/veo-3.1' }) });
		const attempts = run.items[0].json.attempts as Array<Record<string, unknown>>;
		expect(attempts.map((attempt) => [attempt.model, attempt.outcome])).toEqual([
			['google/veo-3.1-lite', 'failed'],
			['acme/nothing', 'not_tried'],
			['minimax/hailuo-02', 'not_tried'],
			['google/veo-3.1', 'completed'],
		]);
		expect(creates()).toHaveLength(2);
	});

	it('a fallback over the per-item cap is not created', async () => {
		sim.setOptions({ nextOutcomes: ['fail:provider_error'] });
		// veo-3.1-lite for 4 s fits under 0.5 USD; veo-3.1 (four times the rate) for 4 s does not.
		const run = await runAiStats(sim, { parameters: fallbackRun({ fallbackModels: 'google/veo-3.1', maxCostPerItem: 0.5 }) });
		const attempts = run.items[0].json.attempts as Array<Record<string, unknown>>;
		expect(attempts[1]).toMatchObject({ model: 'google/veo-3.1', outcome: 'not_tried' });
		expect(String(attempts[1].reason)).toMatch(/over Max Cost per Item \(0\.5 USD\)/);
		expect(run.items[0].json.status).toBe('failed');
		expect(creates()).toHaveLength(1);
	});

	it('off by default: a provider error is just reported', async () => {
		sim.setOptions({ nextOutcomes: ['fail:provider_error'] });
		const run = await runAiStats(sim, { parameters: fallbackRun({}) });
		expect(run.items[0].json).toMatchObject({ status: 'failed', failure_category: 'provider_error' });
		expect(run.items[0].json.attempts).toBeUndefined();
		expect(creates()).toHaveLength(1);
	});
});
