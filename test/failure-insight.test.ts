import type { Simulator } from '../simulator';
import { classifyProviderError } from '../nodes/shared/failures';
import { disposeHarness } from './harness';
import { ResumeBridge } from './support/resumeBridge';
import { TRIGGER_NAME, TriggerBridge } from './support/triggerBridge';
import { WEBHOOK_SECRET, byId, generateParameters, runAiStats, startSimulator } from './support/fixtures';

// The simulator's provider texts, per category and provider (what each provider says).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FAILURES } = require('../simulator/lib/failures') as {
	FAILURES: Record<string, Record<string, { code: string | number; message: string }>>;
};

/** The simulator's category names → ours (the simulator says content_filter). */
const OURS: Record<string, string> = { content_filter: 'content_filtered' };

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

/** Production's create answer has no poll_after_seconds: poll every second, not the default 20 s. */
const FAST = { pollIntervalSeconds: 1 };

const creates = () => sim.requests().filter((request) => request.method === 'POST' && request.path === '/v1/videos');

describe('failure classification table', () => {
	const cases = Object.entries(FAILURES).flatMap(([category, providers]) =>
		Object.entries(providers).map(([provider, failure]) => [category, provider, failure] as const),
	);
	it.each(cases)('%s from %s', (category, _provider, failure) => {
		expect(classifyProviderError(String(failure.code), failure.message).category).toBe(OURS[category] ?? category);
	});

	it('reads the message when the code is unknown, and says unknown when nothing matches', () => {
		expect(classifyProviderError(undefined, 'Your request was blocked by our moderation system.').category).toBe('content_filtered');
		expect(classifyProviderError('1027', 'output video sensitive').category).toBe('content_filtered');
		expect(classifyProviderError('2056', 'usage limit exceeded').category).toBe('provider_unavailable');
		expect(classifyProviderError('DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.').category).toBe('timed_out');
		expect(classifyProviderError('E42', 'something odd').category).toBe('unknown');
	});

	it("reads a Veo operation error by its gRPC number or canonical status (the gateway passes Google's error through)", () => {
		expect(classifyProviderError(['3', 'INVALID_ARGUMENT'], 'Unsupported output video duration 7 seconds.').category).toBe('invalid_input');
		expect(classifyProviderError(['14'], 'The service is currently unavailable.').category).toBe('provider_unavailable');
		expect(classifyProviderError(['13', 'INTERNAL'], 'Internal error encountered.').category).toBe('provider_error');
		expect(classifyProviderError(['4', 'DEADLINE_EXCEEDED'], 'Deadline expired before operation could complete.').category).toBe('timed_out');
	});
});

const MODELS: Array<[string, string]> = [
	['google/veo-3.1-lite', 'google-ai-studio'],
	['openai/sora-2', 'openai'],
	['bytedance/seedance-2.0', 'byteplus'],
	['minimax/hailuo-02', 'minimax'],
];

describe('failure insight through the engine (Poll)', () => {
	const cases = Object.keys(FAILURES).flatMap((category) => MODELS.map(([model, provider]) => [category, model, provider] as const));
	it.each(cases)('%s on %s: category, plain reason, charged false, raw error kept, one create', async (category, model, provider) => {
		const run = await runAiStats(sim, {
			parameters: generateParameters({
				model: byId(model),
				prompt: `a scene [sim:fail=${category}]`,
				waitForCompletion: 'poll',
				onJobFailure: 'output',
				waitOptions: FAST,
			}),
		});
		expect(run.status).toBe('success');
		const [item] = run.items;
		expect(item.json).toMatchObject({ status: 'failed', failure_category: OURS[category] ?? category, charged: false });
		expect(item.json.failure_reason).toEqual(expect.stringContaining(FAILURES[category][provider].message));
		expect(item.json.error).toBeTruthy();
		expect(creates()).toHaveLength(1);
	});

	it('expired and cancelled jobs, and a wait that runs out', async () => {
		const outcomes: Array<[string, string]> = [];
		for (const [outcome, category] of [['expire', 'expired'], ['cancel', 'cancelled']] as const) {
			sim.setOptions({ nextOutcomes: [outcome] });
			const run = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'poll', onJobFailure: 'output', waitOptions: FAST }) });
			outcomes.push([String(run.items[0].json.failure_category), category]);
			expect(run.items[0].json.charged).toBe(false);
		}
		for (const [actual, expected] of outcomes) expect(actual).toBe(expected);
		const timedOut = await runAiStats(sim, {
			parameters: generateParameters({ waitForCompletion: 'poll', prompt: 'x [sim:stuck]', waitOptions: { maxWaitMinutes: 0.05 } }),
			node: { onError: 'continueRegularOutput' },
		});
		expect(timedOut.items[0].json).toMatchObject({ timed_out: true, failure_category: 'timed_out' });
		expect(creates()).toHaveLength(3);
	});

	it('Stop With an Error names the category and keeps it on the error item', async () => {
		const run = await runAiStats(sim, {
			parameters: generateParameters({ prompt: 'x [sim:fail=content_filter]', waitForCompletion: 'poll', waitOptions: FAST }),
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(/failed \(content_filtered\)/);
		const tolerant = await runAiStats(sim, {
			parameters: generateParameters({ prompt: 'x [sim:fail=provider_unavailable]', waitForCompletion: 'poll', waitOptions: FAST }),
			node: { onError: 'continueRegularOutput' },
		});
		expect(tolerant.items[0].json).toMatchObject({ failure_category: 'provider_unavailable', charged: false });
	});

	it('Get reports the category of a failed job; completed jobs carry no failure fields', async () => {
		const created = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none' }), items: [{ json: {} }, { json: {} }] });
		const [failed, completed] = created.items.map((item) => item.json.id as string);
		sim.failJob(failed, 'insufficient_funds');
		await sim.completeJob(completed);
		const got = await runAiStats(sim, {
			items: [{ json: { id: failed } }, { json: { id: completed } }],
			parameters: { resource: 'video', operation: 'get', videoId: { __rl: true, mode: 'id', value: '={{ $json.id }}' } },
		});
		expect(got.items[0].json).toMatchObject({ failure_category: 'insufficient_funds', charged: false });
		expect(got.items[1].json.failure_category).toBeUndefined();
	});
});

describe('failure insight in Webhook (Resume) mode and on the trigger', () => {
	it('a resumed execution reports the category', async () => {
		sim.setOptions({ profile: 'docs' });
		const bridge = new ResumeBridge();
		await bridge.start();
		try {
			const run = await runAiStats(sim, {
				webhookBaseUrl: bridge.baseUrl,
				parameters: generateParameters({ waitForCompletion: 'webhook', prompt: 'x [sim:fail=content_filter]', onJobFailure: 'output' }),
			});
			bridge.current = run;
			expect(run.status).toBe('waiting');
			const done = await bridge.finished();
			expect(done.output('AI Stats')[0].json).toMatchObject({ status: 'failed', failure_category: 'content_filtered', charged: false });
			expect(creates()).toHaveLength(1);
		} finally {
			await bridge.stop();
		}
	});

	it('the trigger adds the category to a video.failed event', async () => {
		const created = await runAiStats(sim, { parameters: generateParameters({ model: byId('minimax/hailuo-02'), waitForCompletion: 'none' }) });
		const job = sim.failJob(created.items[0].json.id as string, 'content_filter');
		const bridge = new TriggerBridge(sim, { secretSource: 'sharedSecret', events: ['video.failed'] }, {});
		await bridge.start();
		try {
			const event = sim.buildEvent(job, 'video.failed');
			const response = await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event });
			expect(response.status).toBe(200);
			expect(bridge.executions[0].output(TRIGGER_NAME)[0].json).toMatchObject({ status: 'failed', failure_category: 'content_filtered', charged: false });
		} finally {
			await bridge.stop();
		}
	});
});
