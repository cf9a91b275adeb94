import { createHash } from 'node:crypto';

import type { DeliveryAttempt, Job, Simulator } from '../simulator';
import { disposeHarness } from './harness';
import { ResumeBridge } from './support/resumeBridge';
import { WEBHOOK_SECRET, generateParameters, runAiStats, startSimulator } from './support/fixtures';

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
	sim.setOptions({ jobMs: 400, queuedMs: 50, pollAfterSeconds: 1, profile: 'production' });
});

const statusCalls = () => sim.requests().filter((request) => request.method === 'GET' && /^\/v1\/videos\/[^/]+$/.test(request.path));
const sha256 = (buffer: Buffer) => createHash('sha256').update(buffer).digest('hex');

describe('Generate → Poll', () => {
	it('waits for the job and returns the video as binary with the job', async () => {
		const run = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'poll' }) });
		expect(run.status).toBe('success');
		expect(run.items).toHaveLength(1);
		const [item] = run.items;
		expect(item.json).toMatchObject({ status: 'completed', cost_status: 'settled' });
		expect(item.pairedItem).toEqual({ item: 0 });
		const bytes = await run.binaryBuffer(item);
		expect(sha256(bytes)).toBe(sim.contentFor(item.json.id as string, 0).sha256);
	});

	// Docs profile for now: production's create response has no poll_after_seconds, and the node then waits
	// its own default before the first poll (node-side fix pending, issue 13).
	it('polls ten jobs concurrently: about one job\'s time, not ten', async () => {
		sim.setOptions({ jobMs: 1500, profile: 'docs' });
		const started = Date.now();
		const run = await runAiStats(sim, {
			items: Array.from({ length: 10 }, (_, index) => ({ json: { prompt: `scene ${index}` } })),
			parameters: generateParameters({ waitForCompletion: 'poll', prompt: '={{ $json.prompt }}', downloadVideo: false }),
		});
		const elapsed = Date.now() - started;
		expect(run.status).toBe('success');
		expect(run.items.map((item) => item.json.status)).toEqual(Array(10).fill('completed'));
		expect(run.items.map((item) => item.pairedItem)).toEqual(Array.from({ length: 10 }, (_, item) => ({ item })));
		// Sequential waiting would take over 15 s; loose bound, the benchmark measures it properly.
		expect(elapsed).toBeLessThan(8000);
		// One status call per poll_after_seconds per job, plus the final one: no hammering.
		expect(statusCalls().length).toBeLessThanOrEqual(10 * 4);
	});

	it('follows an explicit poll interval', async () => {
		sim.setOptions({ jobMs: 3000, pollAfterSeconds: 1 });
		await runAiStats(sim, {
			parameters: generateParameters({ waitForCompletion: 'poll', downloadVideo: false, waitOptions: { pollIntervalSeconds: 2 } }),
		});
		const times = statusCalls().map((call) => call.time);
		expect(times.length).toBeGreaterThanOrEqual(1);
		const gaps = times.slice(1).map((time, index) => time - times[index]);
		// Every 2 s, not the gateway's 1 s.
		expect(gaps.every((gap) => gap >= 1900)).toBe(true);
	});

	it('times out with the job id and last status, or an item saying so with Continue On Fail', async () => {
		const parameters = generateParameters({
			waitForCompletion: 'poll',
			prompt: 'never ends [sim:stuck]',
			waitOptions: { maxWaitMinutes: 0.05 },
		});
		const run = await runAiStats(sim, { parameters });
		expect(run.status).toBe('error');
		const id = sim.jobs()[0].id;
		expect(run.error?.message).toMatch(new RegExp(`^Timed out after 3 s waiting for video ${id} \\(last status: processing`));

		const tolerant = await runAiStats(sim, { parameters, node: { onError: 'continueRegularOutput' } });
		expect(tolerant.items[0].json).toMatchObject({ timed_out: true, status: 'processing' });
		expect(tolerant.items[0].json.error).toMatch(/^Timed out/);
	});

	it('stops at once when the execution is cancelled', async () => {
		const run = await runAiStats(sim, {
			parameters: generateParameters({ waitForCompletion: 'poll', prompt: 'never ends [sim:stuck]' }),
			abortAfterMs: 700,
		});
		expect(run.status).toBe('canceled');
		expect(run.cancellation?.settledAfterMs).toBeDefined();
		expect((run.cancellation?.settledAfterMs ?? 0) - (run.cancellation?.requestedAfterMs ?? 0)).toBeLessThan(1000);
	});

	it.each([
		['[sim:fail]', 'failed'],
		['[sim:expire]', 'expired'],
		['[sim:cancel]', 'cancelled'],
	])('a job ending %s is an error by default, or an output item on request', async (directive, status) => {
		const failing = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'poll', prompt: `scene ${directive}` }) });
		expect(failing.status).toBe('error');
		expect(failing.error?.message).toContain(status);

		const output = await runAiStats(sim, {
			parameters: generateParameters({ waitForCompletion: 'poll', prompt: `scene ${directive}`, onJobFailure: 'output' }),
		});
		expect(output.status).toBe('success');
		expect(output.items[0].json).toMatchObject({ status, request_id: expect.any(String) });
		expect(output.items[0].binary).toBeUndefined();
		if (status === 'failed') expect(output.items[0].json.error_detail).toEqual(expect.any(String));
	});

	it('returns every sample of a multi-sample job, as items or as one item', async () => {
		const separate = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'poll', options: { sampleCount: 2 } }) });
		expect(separate.items).toHaveLength(2);
		expect(separate.items.map((item) => item.json.output_index)).toEqual([0, 1]);
		expect(separate.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
		const oneItem = await runAiStats(sim, {
			parameters: generateParameters({ waitForCompletion: 'poll', options: { sampleCount: 2 }, waitOptions: { layout: 'oneItem' } }),
		});
		expect(oneItem.items).toHaveLength(1);
		expect(Object.keys(oneItem.items[0].binary ?? {})).toEqual(['data', 'data_1']);
	});

	// Docs profile for now: see the ten-jobs test (first poll delay without poll_after_seconds on create).
	it('keeps polling through 429 and 502 answers of the status route', async () => {
		sim.setOptions({ jobMs: 1500, profile: 'docs' });
		sim.injectFault({ route: 'GET /videos/:id', kind: 'status', status: 429, error: 'key_limit_exceeded', count: 3 });
		sim.injectFault({ route: 'GET /videos/:id', kind: 'status', status: 502, error: 'upstream_error', count: 2 });
		const run = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'poll', downloadVideo: false }) });
		expect(run.status).toBe('success');
		expect(run.items[0].json.status).toBe('completed');
		expect(statusCalls().filter((call) => call.status === 429)).toHaveLength(3);
		expect(statusCalls().filter((call) => call.status === 502)).toHaveLength(2);
	});
});

// Docs profile: Webhook (Resume) sends the documented inline {url, secret} webhook, which production
// refuses (the node then polls; see the fallback test). Node-side production support is issue 13's node part.
describe('Generate → Webhook (Resume)', () => {
	let bridge: ResumeBridge;

	beforeEach(() => sim.setOptions({ profile: 'docs' }));

	beforeEach(async () => {
		bridge = new ResumeBridge();
		await bridge.start();
	});
	afterEach(async () => {
		await bridge.stop();
	});

	async function park(extra: Record<string, unknown> = {}, items = [{ json: {} }]) {
		const run = await runAiStats(sim, {
			items,
			webhookBaseUrl: bridge.baseUrl,
			parameters: generateParameters({ waitForCompletion: 'webhook', ...extra }),
		});
		bridge.current = run;
		return run;
	}

	it('parks the execution, and the gateway\'s signed callback resumes it with the video', async () => {
		const waiting = await park({ prompt: 'scene [sim:ms=600]' });
		expect(waiting.status).toBe('waiting');
		expect(waiting.waitTill).toBeInstanceOf(Date);
		const create = sim.requests().find((request) => request.method === 'POST')?.body as { webhook: { url: string; secret: string; events: string[] } };
		expect(create.webhook.url).toMatch(new RegExp(`/webhook-waiting/${waiting.executionId}/ai-stats-callback\\?signature=`));
		expect(create.webhook.secret).toBe(WEBHOOK_SECRET);

		const done = await bridge.finished();
		expect(done.status).toBe('success');
		const [item] = done.output('AI Stats');
		expect(item.json).toMatchObject({ status: 'completed' });
		expect(sha256(await done.binaryBuffer(item))).toBe(sim.contentFor(item.json.id as string, 0).sha256);
	});

	it('refuses unsigned or mis-signed callbacks and keeps waiting', async () => {
		const waiting = await park({ prompt: 'scene [sim:stuck]' });
		const job = sim.jobs()[0];
		const url = (sim.requests().find((request) => request.method === 'POST')?.body as { webhook: { url: string } }).webhook.url;
		const event = sim.buildEvent({ ...sim.getJob(job.id)!, status: 'completed' } as Job, 'video.completed');
		for (const tamper of ['bad-signature', 'missing-signature', 'missing-timestamp', 'stale-timestamp', 'tampered-body'] as const) {
			const response = await sim.deliverEvent({ url, secret: WEBHOOK_SECRET, event, tamper });
			expect(response.status).toBe(401);
		}
		const wrongSecret = await sim.deliverEvent({ url, secret: 'whsec_wrong', event });
		expect(wrongSecret.status).toBe(401);
		expect(bridge.current).toBe(waiting);

		// Upper-case hex and a sha256= prefix are accepted; the gateway still says "processing".
		for (const tamper of ['uppercase-hex', 'sha256-prefix'] as const) {
			const response = await sim.deliverEvent({ url, secret: WEBHOOK_SECRET, event, tamper });
			expect(response.status).toBe(200);
		}
		expect(bridge.current?.status).toBe('waiting');

		await sim.completeJob(job.id);
		expect((await bridge.finished()).status).toBe('success');
	});

	it('resumes with an error item for a failed job (a resumed node cannot fail), with its details', async () => {
		await park({ prompt: 'scene [sim:fail]' });
		const done = await bridge.finished();
		expect(done.status).toBe('success');
		const [item] = done.output('AI Stats');
		expect(item.json.error).toMatch(/^Video \S+ failed/);
		expect(item.json).toMatchObject({ status: 'failed', video_id: expect.any(String), request_id: expect.any(String), error_detail: expect.any(String) });
		expect(item.binary).toBeUndefined();
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	it('stays waiting on a progress event', async () => {
		await park({ prompt: 'scene [sim:stuck]' });
		const job = sim.jobs()[0];
		const url = (sim.requests().find((request) => request.method === 'POST')?.body as { webhook: { url: string } }).webhook.url;
		const response = await sim.deliverEvent({ url, secret: WEBHOOK_SECRET, event: sim.buildEvent(sim.getJob(job.id)!, 'video.progress', { progress: 50 }) });
		expect(response.status).toBe(200);
		expect(bridge.current?.status).toBe('waiting');
	});

	it('resumes a three-item batch only after the third job completes', async () => {
		const waiting = await park({ prompt: '={{ $json.prompt }}', downloadVideo: false }, [
			{ json: { prompt: 'first [sim:ms=200]' } },
			{ json: { prompt: 'second [sim:ms=500]' } },
			{ json: { prompt: 'third [sim:ms=1800]' } },
		]);
		expect(waiting.status).toBe('waiting');
		await sim.waitForDeliveries((deliveries: DeliveryAttempt[]) => deliveries.filter((delivery) => delivery.type === 'video.completed').length >= 2, 10_000);
		expect(bridge.current?.status).toBe('waiting');
		const done = await bridge.finished();
		expect(done.status).toBe('success');
		const items = done.output('AI Stats');
		expect(items.map((item) => item.json.status)).toEqual(['completed', 'completed', 'completed']);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(bridge.calls.filter((call) => (call.body as { resumed?: boolean })?.resumed === false)).toHaveLength(2);
	});

	it('waits by polling when the batch is too large to keep in the execution\'s custom data', async () => {
		const run = await runAiStats(sim, {
			items: Array.from({ length: 120 }, (_, index) => ({ json: { prompt: `scene ${index}` } })),
			webhookBaseUrl: bridge.baseUrl,
			parameters: generateParameters({ waitForCompletion: 'webhook', prompt: '={{ $json.prompt }}', downloadVideo: false, waitOptions: { concurrency: 50 } }),
		});
		expect(run.status).toBe('success');
		expect(run.items).toHaveLength(120);
		expect(run.items.every((item) => item.json.status === 'completed')).toBe(true);
		expect(sim.jobs()).toHaveLength(120);
	});

	it('falls back to polling when the gateway only accepts registered endpoints', async () => {
		sim.setOptions({ acceptInlineWebhooks: false });
		try {
			const run = await runAiStats(sim, {
				webhookBaseUrl: bridge.baseUrl,
				parameters: generateParameters({ waitForCompletion: 'webhook', downloadVideo: false }),
			});
			expect(run.status).toBe('success');
			expect(run.items[0].json.status).toBe('completed');
			const creates = sim.requests().filter((request) => request.method === 'POST');
			expect(creates.map((request) => request.status)).toEqual([400, 202]);
			expect((creates[1].body as { webhook?: unknown }).webhook).toBeUndefined();
			expect(sim.jobs()).toHaveLength(1);
		} finally {
			sim.setOptions({ acceptInlineWebhooks: null });
		}
	});

	it('needs the credential\'s signing secret', async () => {
		const run = await runAiStats(sim, {
			webhookBaseUrl: bridge.baseUrl,
			credential: { webhookSecret: '' },
			parameters: generateParameters({ waitForCompletion: 'webhook' }),
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toContain('Webhook Signing Secret');
		expect(sim.requests().filter((request) => request.method === 'POST')).toHaveLength(0);
	});
});
