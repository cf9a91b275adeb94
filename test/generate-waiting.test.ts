import { createHash } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import type { DeliveryAttempt, Job, Simulator } from '../simulator';
import { HarnessCredentialsHelper, disposeHarness } from './harness';
import { ResumeBridge } from './support/resumeBridge';
import { WEBHOOK_SECRET, aiStatsCredential, generateParameters, runAiStats, startSimulator } from './support/fixtures';

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

const statusCalls = () => sim.requests().filter((request) => request.method === 'GET' && /^\/v1\/videos\/[^/]+$/.test(request.path) && request.path !== '/v1/videos/models');
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

	// Production profile: the create response has no poll_after_seconds; the first status call comes promptly.
	it('polls ten jobs concurrently: about one job\'s time, not ten', async () => {
		sim.setOptions({ jobMs: 1500 });
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

	it('keeps polling through 429 and 502 answers of the status route', async () => {
		sim.setOptions({ jobMs: 1500 });
		sim.injectFault({ route: 'GET /videos/:id', kind: 'status', status: 429, error: 'key_limit_exceeded', count: 3 });
		sim.injectFault({ route: 'GET /videos/:id', kind: 'status', status: 502, error: 'upstream_error', count: 2 });
		const run = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'poll', downloadVideo: false }) });
		expect(run.status).toBe('success');
		expect(run.items[0].json.status).toBe('completed');
		expect(statusCalls().filter((call) => call.status === 429)).toHaveLength(3);
		expect(statusCalls().filter((call) => call.status === 502)).toHaveLength(2);
	});
});

const management = () => ({ managementKey: sim.keys.management });
const endpoints = async (): Promise<Array<{ id: string; name: string; status: string; url: string }>> => {
	const response = await fetch(`${sim.baseUrl}/webhook-endpoints?include_deleted=true`, { headers: { authorization: `Bearer ${sim.keys.management}` } });
	return ((await response.json()) as { data: Array<{ id: string; name: string; status: string; url: string }> }).data;
};
const downloads = () => sim.requests().filter((request) => request.method === 'GET' && request.path.endsWith('/content'));
const creates = () => sim.requests().filter((request) => request.method === 'POST' && request.path === '/v1/videos');
const hintsOf = (run: { run: { data: { resultData: { runData: Record<string, Array<{ hints?: Array<{ message: string }> }>> } } } }) =>
	(run.run.data.resultData.runData['AI Stats']?.[0]?.hints ?? []).map((hint) => hint.message);

/** Edits the stored credential while the execution is parked, as a user would in n8n. */
const changeCredential = async (run: unknown, data: IDataObject) =>
	await (run as { context: { credentialsHelper: { store(credential: unknown): Promise<void> } } }).context.credentialsHelper.store(aiStatsCredential(sim, data));

describe('Generate → Webhook (Resume)', () => {
	let bridge: ResumeBridge;

	beforeEach(async () => {
		bridge = new ResumeBridge();
		await bridge.start();
	});
	afterEach(async () => {
		await bridge.stop();
	});

	async function park(extra: Record<string, unknown> = {}, items = [{ json: {} }], credential: IDataObject = management()) {
		const run = await runAiStats(sim, {
			items,
			webhookBaseUrl: bridge.baseUrl,
			credential,
			parameters: generateParameters({ waitForCompletion: 'webhook', ...extra }),
		});
		bridge.current = run;
		return run;
	}

	describe('production gateway, with a management key: a temporary endpoint', () => {
		it('registers an endpoint for the resume URL, parks, resumes with the video, and deletes the endpoint', async () => {
			const waiting = await park({ prompt: 'scene [sim:ms=600]' });
			expect(waiting.status).toBe('waiting');
			const [endpoint] = await endpoints();
			expect(endpoint.status).toBe('active');
			expect(endpoint.url).toMatch(new RegExp(`/webhook-waiting/${waiting.executionId}/ai-stats-callback\\?signature=`));
			expect(endpoint.name).toMatch(new RegExp(`^n8n-nodes-ai-stats resume · exec ${waiting.executionId} · until \\d{4}-`));
			const registration = sim.requests().find((request) => request.method === 'POST' && request.path === '/v1/webhook-endpoints');
			expect(registration?.headers.authorization).toBe(`Bearer ${sim.keys.management}`);
			expect((creates()[0].body as { webhook: unknown }).webhook).toEqual({ endpoint_id: endpoint.id, events: ['video.completed', 'video.failed', 'video.cancelled', 'video.expired'] });

			const done = await bridge.finished();
			expect(done.status).toBe('success');
			const [item] = done.output('AI Stats');
			expect(item.json).toMatchObject({ status: 'completed' });
			expect(sha256(await done.binaryBuffer(item))).toBe(sim.contentFor(item.json.id as string, 0).sha256);
			expect((await endpoints())[0].status).toBe('deleted');
			expect(downloads()).toHaveLength(1);
		});

		it('ten jobs finishing together: one callback resumes, one download per video, status reads ≤ 2 × jobs', async () => {
			const items = Array.from({ length: 10 }, (_, index) => ({ json: { prompt: `scene ${index}` } }));
			await park({ prompt: '={{ $json.prompt }}' }, items);
			const done = await bridge.finished();
			expect(done.status).toBe('success');
			const output = done.output('AI Stats');
			expect(output.map((item) => item.pairedItem)).toEqual(items.map((_, index) => ({ item: index })));
			expect(output.every((item) => item.json.status === 'completed' && item.binary?.data)).toBe(true);
			// The remaining callbacks are answered by the bridge (execution no longer waiting) or declined.
			await new Promise((resolve) => setTimeout(resolve, 500));
			expect(bridge.calls.filter((call) => (call.body as { resumed?: boolean })?.resumed === true)).toHaveLength(1);
			expect(downloads()).toHaveLength(10);
			expect(statusCalls().length).toBeLessThanOrEqual(20);
		});

		it('every callback of the batch released at once, each delivered twice: one resume, one download per video', async () => {
			sim.setOptions({ holdWebhooks: true, webhookCopies: 2 });
			try {
				const items = Array.from({ length: 5 }, (_, index) => ({ json: { prompt: `scene ${index}` } }));
				await park({ prompt: '={{ $json.prompt }}' }, items);
				await sim.waitForDeliveries(() => sim.heldWebhooks() === 5, 10_000).catch(() => undefined);
				for (let tries = 0; sim.heldWebhooks() < 5 && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
				const readsBefore = HarnessCredentialsHelper.reads;
				expect(sim.releaseWebhooks()).toBe(5);
				const done = await bridge.finished();
				expect(done.output('AI Stats')).toHaveLength(5);
				await sim.waitForDeliveries((all: DeliveryAttempt[]) => all.length >= 10, 10_000);
				expect(bridge.calls.filter((call) => (call.body as { resumed?: boolean })?.resumed === true)).toHaveLength(1);
				expect(downloads()).toHaveLength(5);
				// The ten callbacks, arriving together, shared one read of the credential (credentials.ts).
				expect(HarnessCredentialsHelper.reads - readsBefore).toBe(1);
				// Each non-deciding delivery reads one status; each copy of the deciding one reads them all:
				// at most 2 × the deliveries (10 here), whether n8n serves them one by one or all at once.
				expect(statusCalls().length).toBeLessThanOrEqual(20);
			} finally {
				sim.setOptions({ holdWebhooks: false, webhookCopies: 1 });
			}
		});

		it('jobs finishing one after another: only the last one\'s callback resumes; status reads ≤ 2 × jobs', async () => {
			const prompts = ['first [sim:ms=200]', 'second [sim:ms=1400]', 'third [sim:ms=2600]'];
			await park({ prompt: '={{ $json.prompt }}', downloadVideo: false }, prompts.map((prompt) => ({ json: { prompt } })));
			const done = await bridge.finished();
			expect(done.output('AI Stats').map((item) => item.json.status)).toEqual(['completed', 'completed', 'completed']);
			expect(bridge.calls.map((call) => (call.body as { resumed?: boolean; reason?: string }).reason ?? 'resumed')).toEqual(['waiting_for', 'waiting_for', 'resumed']);
			expect(statusCalls().length).toBeLessThanOrEqual(6);
		});

		it('jobs finishing in reverse item order, or a lower item a moment after a higher one: still resumed once, by the last', async () => {
			for (const prompts of [
				['a [sim:ms=2600]', 'b [sim:ms=1400]', 'c [sim:ms=200]'],
				['a [sim:ms=700]', 'b [sim:ms=400]'],
			]) {
				sim.reset();
				bridge.calls.length = 0;
				await park({ prompt: '={{ $json.prompt }}', downloadVideo: false }, prompts.map((prompt) => ({ json: { prompt } })));
				const done = await bridge.finished();
				expect(done.output('AI Stats').map((item) => item.json.status)).toEqual(prompts.map(() => 'completed'));
				expect(bridge.calls.filter((call) => (call.body as { resumed?: boolean }).resumed === true)).toHaveLength(1);
			}
		});

		it('a callback that loses the claim (the endpoint is already deleted) answers resumed:false at once and keeps waiting', async () => {
			const waiting = await park({ prompt: 'scene [sim:stuck]' });
			const [endpoint] = await endpoints();
			const secret = sim.webhookEndpointSecret(endpoint.id)!;
			await fetch(`${sim.baseUrl}/webhook-endpoints/${endpoint.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${sim.keys.management}` } });
			const job = sim.jobs()[0];
			await sim.completeJob(job.id);
			// The endpoint is gone, so the gateway delivers nothing more: post the signed event as a late duplicate arrives.
			const response = await sim.deliverEvent({ url: endpoint.url, secret, event: sim.buildEvent(job.id, 'video.completed') });
			expect(response.status).toBe(200);
			expect(JSON.parse(response.body)).toMatchObject({ resumed: false, reason: 'already_resumed' });
			expect(bridge.current).toBe(waiting);
			expect(downloads()).toHaveLength(0);
		});

		it('sweeps expired endpoints of ours when parking, never an endpoint the user made', async () => {
			const register = async (name: string) =>
				await fetch(`${sim.baseUrl}/webhook-endpoints`, {
					method: 'POST',
					headers: { authorization: `Bearer ${sim.keys.management}`, 'content-type': 'application/json' },
					body: JSON.stringify({ name, url: 'https://example.com/hook', events: ['video.completed'] }),
				});
			await register('n8n-nodes-ai-stats resume · exec 1 · until 2020-01-01T00:00:00.000Z');
			await register('n8n-nodes-ai-stats resume · exec 2 · until 2999-01-01T00:00:00.000Z');
			await register('my own endpoint · until 2020-01-01T00:00:00.000Z');
			await park({ prompt: 'scene [sim:stuck]' });
			const byName = new Map((await endpoints()).map((endpoint) => [endpoint.name, endpoint.status]));
			expect(byName.get('n8n-nodes-ai-stats resume · exec 1 · until 2020-01-01T00:00:00.000Z')).toBe('deleted');
			expect(byName.get('n8n-nodes-ai-stats resume · exec 2 · until 2999-01-01T00:00:00.000Z')).toBe('active');
			expect(byName.get('my own endpoint · until 2020-01-01T00:00:00.000Z')).toBe('active');
		});

		it('verifies callbacks with the secret of this wait: changing the credential\'s signing secret while parked changes nothing', async () => {
			const waiting = await park({ prompt: 'scene [sim:ms=800]' });
			await changeCredential(waiting, { ...management(), webhookSecret: 'whsec_changed_while_parked' });
			const done = await bridge.finished();
			expect(done.status).toBe('success');
			expect(done.output('AI Stats')[0].json).toMatchObject({ status: 'completed' });
		});

		it('a changed API key makes the parked secret unreadable: callbacks are refused, nothing resumes', async () => {
			const waiting = await park({ prompt: 'scene [sim:stuck]' });
			const [endpoint] = await endpoints();
			const secret = sim.webhookEndpointSecret(endpoint.id)!;
			await changeCredential(waiting, { ...management(), apiKey: sim.keys.legacyInference });
			const job = sim.jobs()[0];
			await sim.completeJob(job.id);
			await sim.waitForDeliveries((all: DeliveryAttempt[]) => all.length >= 1, 5000);
			const response = await sim.deliverEvent({ url: endpoint.url, secret, event: sim.buildEvent(job.id, 'video.completed') });
			expect(response.status).toBe(401);
			expect(bridge.current?.status).toBe('waiting');
			expect(downloads()).toHaveLength(0);
		});

		it('keeps no plain secret in custom data', async () => {
			const waiting = await park({ prompt: 'scene [sim:stuck]' });
			const stored = JSON.stringify(waiting.runExecutionData);
			expect(stored).not.toMatch(/whsec_/);
			expect(stored).not.toContain(sim.keys.management);
		});

		it('resumes with an error item for a failed job (a resumed node cannot fail), with its details', async () => {
			await park({ prompt: 'scene [sim:fail]' });
			const done = await bridge.finished();
			expect(done.status).toBe('success');
			const [item] = done.output('AI Stats');
			expect(item.json.error).toMatch(/^Video \S+ failed/);
			expect(item.json).toMatchObject({ status: 'failed', video_id: expect.any(String), request_id: expect.any(String), error_detail: expect.any(String) });
			expect(item.pairedItem).toEqual({ item: 0 });
		});

		it('polls, and says why, when the workspace lacks the Batch API feature', async () => {
			sim.setOptions({ batchApi: false });
			try {
				const run = await park({ downloadVideo: false });
				expect(run.status).toBe('success');
				expect(run.items[0].json).toMatchObject({ status: 'completed', waited_by: 'polling', waited_by_reason: expect.stringContaining('Batch API') });
				expect(hintsOf(run).join(' ')).toContain('Batch API');
			} finally {
				sim.setOptions({ batchApi: true });
			}
		});

		it('a wrong management key fails before any job is created', async () => {
			const run = await park({}, [{ json: {} }], { managementKey: 'phaseo_v1_mk_wrong' });
			expect(run.status).toBe('error');
			expect(run.error?.message).toMatch(/401/);
			expect(creates()).toHaveLength(0);
		});
	});

	it('production gateway without a management key: polls, and the output and a hint say why', async () => {
		const run = await park({ downloadVideo: false }, [{ json: {} }], {});
		expect(run.status).toBe('success');
		expect(run.items[0].json).toMatchObject({ status: 'completed', waited_by: 'polling', waited_by_reason: expect.stringContaining('Management Key') });
		expect(hintsOf(run).join(' ')).toContain('Management Key');
		expect(creates().map((request) => request.status)).toEqual([400, 202]);
		expect((creates()[1].body as { webhook?: unknown }).webhook).toBeUndefined();
	});

	describe('docs profile (inline webhooks accepted), no management key', () => {
		beforeEach(() => sim.setOptions({ profile: 'docs' }));

		it('parks with an inline callback signed by a secret made for this wait, and resumes', async () => {
			const waiting = await park({ prompt: 'scene [sim:ms=600]' }, [{ json: {} }], {});
			expect(waiting.status).toBe('waiting');
			const create = creates()[0].body as { webhook: { url: string; secret: string } };
			expect(create.webhook.url).toMatch(new RegExp(`/webhook-waiting/${waiting.executionId}/ai-stats-callback\\?signature=`));
			expect(create.webhook.secret).toMatch(/^whsec_/);
			expect(create.webhook.secret).not.toBe(WEBHOOK_SECRET);
			const done = await bridge.finished();
			expect(done.status).toBe('success');
			expect(done.output('AI Stats')[0].json).toMatchObject({ status: 'completed' });
		});

		it('refuses unsigned, mis-signed, stale callbacks and ones signed with the credential\'s secret, and keeps waiting', async () => {
			const waiting = await park({ prompt: 'scene [sim:stuck]' }, [{ json: {} }], {});
			const job = sim.jobs()[0];
			const { url, secret } = (creates()[0].body as { webhook: { url: string; secret: string } }).webhook;
			const event = sim.buildEvent({ ...sim.getJob(job.id)!, status: 'completed' } as Job, 'video.completed');
			for (const tamper of ['bad-signature', 'missing-signature', 'missing-timestamp', 'stale-timestamp', 'tampered-body'] as const) {
				expect((await sim.deliverEvent({ url, secret, event, tamper })).status).toBe(401);
			}
			expect((await sim.deliverEvent({ url, secret: WEBHOOK_SECRET, event })).status).toBe(401);
			expect(bridge.current).toBe(waiting);
			await sim.completeJob(job.id);
			expect((await bridge.finished()).status).toBe('success');
		});

		it('a callback for a job of another batch does not resume this wait', async () => {
			const waiting = await park({ prompt: 'scene [sim:stuck]' }, [{ json: {} }], {});
			const { url, secret } = (creates()[0].body as { webhook: { url: string; secret: string } }).webhook;
			const event = sim.buildEvent(sim.jobs()[0].id, 'video.completed');
			const other = { ...event, data: { ...event.data, id: 'vid_from_an_earlier_batch', status: 'completed' } };
			const response = await sim.deliverEvent({ url, secret, event: other });
			expect(response.status).toBe(200);
			expect(JSON.parse(response.body ?? '{}')).toMatchObject({ resumed: false, reason: 'not_in_batch' });
			expect(bridge.current).toBe(waiting);
		});

		it('stays waiting on a progress event', async () => {
			await park({ prompt: 'scene [sim:stuck]' }, [{ json: {} }], {});
			const job = sim.jobs()[0];
			const { url, secret } = (creates()[0].body as { webhook: { url: string; secret: string } }).webhook;
			const response = await sim.deliverEvent({ url, secret, event: sim.buildEvent(sim.getJob(job.id)!, 'video.progress', { progress: 50 }) });
			expect(response.status).toBe(200);
			expect(bridge.current?.status).toBe('waiting');
		});

		it('waits by polling, and says why, when the batch is too large to keep in custom data', async () => {
			const run = await park(
				{ prompt: '={{ $json.prompt }}', downloadVideo: false, waitOptions: { concurrency: 50 } },
				Array.from({ length: 120 }, (_, index) => ({ json: { prompt: `scene ${index}` } })),
				{},
			);
			expect(run.status).toBe('success');
			expect(run.items).toHaveLength(120);
			expect(run.items.every((item) => item.json.status === 'completed' && item.json.waited_by === 'polling')).toBe(true);
			expect(hintsOf(run).join(' ')).toContain('custom data');
			expect(sim.jobs()).toHaveLength(120);
		});
	});
});
