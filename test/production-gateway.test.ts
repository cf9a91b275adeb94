import { createHash } from 'node:crypto';

import type { Simulator } from '../simulator';
import { callListSearch, disposeHarness } from './harness';
import { RedirectingFront, Recorder } from './support/redirectServers';
import { TriggerBridge } from './support/triggerBridge';
import { AI_STATS, aiStatsCredential, byId, credentialTypes, generateParameters, nodeTypes, runAiStats, startSimulator } from './support/fixtures';

/**
 * The node against the gateway as it runs in production today (the simulator's default profile;
 * /work/shared/gateway-api.md, "The production gateway today"): the create response, the OpenAI
 * dialect, the OpenAI-form create fields, provider errors passed through, the Batch API gate, and
 * the key staying with the Base URL when the gateway redirects.
 */

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
	sim.setOptions({ profile: 'production', jobMs: 400, queuedMs: 50, pollAfterSeconds: 1, batchApi: true });
});

const SORA = byId('openai/sora-2');
const sha256 = (buffer: Buffer) => createHash('sha256').update(buffer).digest('hex');
const posts = () => sim.requests().filter((request) => request.method === 'POST' && request.path === '/v1/videos');
const statusReads = () => sim.requests().filter((request) => request.method === 'GET' && /^\/v1\/videos\/[^/]+$/.test(request.path) && request.path !== '/v1/videos/models');

/** The job exactly as GET /videos/{id} serves it to a client. */
async function rawJob(id: string): Promise<Record<string, unknown>> {
	const answer = await fetch(`${sim.baseUrl}/videos/${id}`, { headers: { authorization: `Bearer ${sim.keys.inference}` } });
	return (await answer.json()) as Record<string, unknown>;
}

async function createdJob(extra: Record<string, unknown> = {}): Promise<string> {
	const run = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none', ...extra }) });
	expect(run.status).toBe('success');
	return run.items[0].json.id as string;
}

async function untilStatus(id: string, status: string): Promise<void> {
	for (let attempt = 0; attempt < 100 && sim.getJob(id)?.status !== status; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('create response and dialects', () => {
	it('Don\'t Wait reports the create response as it is: queued, request id from meta, no cost it does not carry, no extra request', async () => {
		const run = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none' }) });
		expect(run.status).toBe('success');
		const { json } = run.items[0];
		const job = sim.getJob(json.id as string)!;
		expect(json).toMatchObject({ object: 'video', status: 'queued', request_id: job.request_id, cost_estimated: null, cost: null, cost_status: null });
		expect(json.billing).toBeUndefined();
		expect(json.outputs).toBeUndefined();
		expect(json.created_at_iso).toBe(new Date((json.created_at as number) * 1000).toISOString());
		expect(json.duration_seconds).toBe(8);
		// One request per item, as an HTTP Request node would send.
		expect(posts()).toHaveLength(1);
		expect(statusReads()).toHaveLength(0);

		// The documented create response is the GET shape: its estimate is reported.
		sim.setOptions({ profile: 'docs' });
		const docs = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none' }) });
		expect(docs.items[0].json.cost_estimated).toEqual(expect.any(Number));
	});

	it('Poll reports the cost read with GET /videos/{id}, billed per output for a multi-sample job', async () => {
		const run = await runAiStats(sim, {
			parameters: generateParameters({ waitForCompletion: 'poll', downloadVideo: false, options: { sampleCount: 2 } }),
		});
		expect(run.status).toBe('success');
		const { json } = run.items[0];
		const billing = sim.getJob(json.id as string)!.billing as Record<string, unknown>;
		expect(json).toMatchObject({ status: 'completed', cost_status: 'settled', cost: Number(billing.settled_user_cost) });
		const single = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'poll', downloadVideo: false }) });
		expect(json.cost).toBeCloseTo(2 * (single.items[0].json.cost as number), 2);
	});

	it('reads OpenAI jobs: in_progress is processing, unix timestamps and string seconds become *_iso and duration_seconds', async () => {
		const id = await createdJob({ model: SORA, prompt: 'a lighthouse [sim:ms=1500]' });
		await untilStatus(id, 'in_progress');
		expect((await rawJob(id)).status).toBe('in_progress');
		const running = await runAiStats(sim, { parameters: { resource: 'video', operation: 'get', videoId: byId(id) } });
		expect(running.items[0].json).toMatchObject({ status: 'processing', cost: null, cost_status: 'estimated' });

		await sim.completeJob(id);
		const raw = await rawJob(id);
		expect(typeof raw.seconds).toBe('string');
		expect(typeof raw.completed_at).toBe('number');
		const done = await runAiStats(sim, { parameters: { resource: 'video', operation: 'get', videoId: byId(id) } });
		expect(done.items[0].json).toMatchObject({
			status: 'completed',
			duration_seconds: Number(raw.seconds),
			completed_at_iso: new Date((raw.completed_at as number) * 1000).toISOString(),
			started_at_iso: new Date((raw.started_at as number) * 1000).toISOString(),
			cost_status: 'settled',
		});

		// Get Many shows the same normalised status.
		const list = await runAiStats(sim, { parameters: { resource: 'video', operation: 'getMany', limit: 5 } });
		expect(list.items.map((item) => item.json.status)).toEqual(['completed']);
	});

	it('the Video list shows an OpenAI job in progress as processing, with its creation time', async () => {
		const id = await createdJob({ model: SORA, prompt: 'a lighthouse [sim:stuck]' });
		await untilStatus(id, 'in_progress');
		const list = await callListSearch(nodeTypes[AI_STATS], 'searchVideos', { credentialTypes, credentials: [aiStatsCredential(sim)], parameters: {} });
		const created = new Date(sim.getJob(id)!.created_at * 1000).toISOString().replace('T', ' ').slice(0, 16);
		expect(list.results).toEqual([{ name: `openai/sora-2 · processing · ${created}`, value: id, description: id }]);
		const filtered = await callListSearch(nodeTypes[AI_STATS], 'searchVideos', { credentialTypes, credentials: [aiStatsCredential(sim)], parameters: {}, filter: 'processing' });
		expect(filtered.results.map((result) => result.value)).toEqual([id]);
	});

	it('reads the other providers\' ISO timestamps the same way', async () => {
		const id = await createdJob();
		await sim.completeJob(id);
		const raw = await rawJob(id);
		expect(typeof raw.completed_at).toBe('string');
		const done = await runAiStats(sim, { parameters: { resource: 'video', operation: 'get', videoId: byId(id) } });
		expect(done.items[0].json.completed_at_iso).toBe(new Date(raw.completed_at as string).toISOString());
	});

	it('turns a failed OpenAI job\'s error object into readable text', async () => {
		const parameters = generateParameters({ model: SORA, prompt: 'a scene [sim:fail=content_filter]', waitForCompletion: 'poll' });
		const failing = await runAiStats(sim, { parameters });
		expect(failing.status).toBe('error');
		expect(failing.error?.message).toMatch(/failed( \(content_filtered\))?: Your request was blocked by our moderation system\., code moderation_blocked/);
		const output = await runAiStats(sim, { parameters: { ...parameters, onJobFailure: 'output' } });
		expect(output.items[0].json).toMatchObject({ status: 'failed', error_detail: expect.stringContaining('moderation system') });
		expect(output.items[0].json.error).toEqual({ code: 'moderation_blocked', message: expect.any(String) });
	});

	it('downloads from providers that give no checksum, no asset bytes and no Content-Length', async () => {
		const id = await createdJob({ model: byId('minimax/hailuo-02'), options: { duration: 6 } });
		await sim.completeJob(id);
		expect(sim.getJob(id)!.asset).toMatchObject({ sha256: null, bytes: null });
		const run = await runAiStats(sim, { parameters: { resource: 'video', operation: 'download', videoId: byId(id) } });
		expect(run.status).toBe('success');
		expect(sha256(await run.binaryBuffer(run.items[0]))).toBe(sim.contentFor(id, 0).sha256);
	});
});

describe('create fields', () => {
	it('Seconds (OpenAI form), one row of the field table: sent as a string, always with the model', async () => {
		await createdJob({ model: SORA, options: { seconds: '={{ 12 }}' } });
		expect(posts()[0].body).toEqual({ model: 'openai/sora-2', prompt: 'A cinematic sunrise over a mountain lake', seconds: '12' });
		expect(sim.jobs()[0].seconds).toBe('12');

		const refused = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none', options: { seconds: '7' } }) });
		expect(refused.status).toBe('error');
		expect(refused.error?.message).toMatch(/Seconds.*must be one of 4, 8, 12, 16, 20/);

		// Checked against the model's durations before any money is held (Veo: 4, 6, 8).
		const unsupported = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none', options: { seconds: '20' } }) });
		expect(unsupported.status).toBe('error');
		expect(unsupported.error?.message).toMatch(/Seconds.*not offered by model google\/veo-3\.1-lite/);
		expect(posts()).toHaveLength(1);
	});

	it('never leaves the model out (the gateway would silently use sora-2): a model expression resolving to nothing is refused', async () => {
		const run = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none', model: byId('={{ $json.missing }}') }) });
		expect(run.status).toBe('error');
		expect(run.error?.message).toContain('Model');
		expect(posts()).toHaveLength(0);
	});
});

describe('provider errors and gates', () => {
	it('a DELETE the provider refuses (OpenAI jobs) says the provider refused and the job was not deleted', async () => {
		const id = await createdJob({ model: SORA, prompt: 'a lighthouse [sim:delete-error]' });
		await sim.completeJob(id);
		const run = await runAiStats(sim, { parameters: { resource: 'video', operation: 'delete', videoId: byId(id) } });
		expect(run.status).toBe('error');
		expect(run.error?.message).toBe(`Could not delete video ${id}: the provider answered 500: The server had an error while processing your request. Sorry about that!`);
		expect(String((run.error as { description?: string }).description)).toContain('the job was not deleted');
		expect(sim.getJob(id)?.status).toBe('completed');

		const gone = await createdJob({ model: SORA, prompt: 'a lighthouse [sim:delete-error=404]' });
		await sim.completeJob(gone);
		const missing = await runAiStats(sim, { parameters: { resource: 'video', operation: 'delete', videoId: byId(gone) }, node: { onError: 'continueRegularOutput' } });
		expect(missing.items[0].json).toMatchObject({ http_status: 404, error: expect.stringMatching(/^Could not delete video \S+: the provider no longer has this video/) });
	});

	it('a MiniMax error hidden behind /content (502 minimax_api_error) is a clear provider error', async () => {
		const id = await createdJob({ model: byId('minimax/hailuo-02'), prompt: 'a harbour [sim:minimax-api-error]', options: { duration: 6 } });
		await sim.completeJob(id);
		const run = await runAiStats(sim, { parameters: { resource: 'video', operation: 'download', videoId: byId(id) } });
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(/^Provider error \(502\): MiniMax reported an error for this video/);
		const description = String((run.error as { description?: string }).description);
		expect(description).toContain('Provider error: unknown error, code 1000');
		expect(description).toContain('minimax_api_error');
	});

	it('a workspace without the Batch API feature: registering the trigger\'s endpoint names the feature and what to ask for', async () => {
		sim.setOptions({ batchApi: false });
		const bridge = new TriggerBridge(sim, { secretSource: 'registeredEndpoint', events: ['video.completed'] }, { apiKey: sim.keys.management, webhookSecret: '' });
		await bridge.start();
		try {
			await expect(bridge.lifecycle('create')).rejects.toThrow(/Batch API feature.*403 batch_api_feature_flag_disabled|Forbidden \(403\): Webhook endpoints need the workspace's Batch API feature/);
		} finally {
			await bridge.stop();
		}
	});
});

describe('the key goes only to the Base URL: redirects', () => {
	let front: RedirectingFront;
	let elsewhere: Recorder;

	beforeEach(async () => {
		front = await new RedirectingFront(sim.origin).start();
		elsewhere = await new Recorder().start();
	});
	afterEach(async () => {
		await front.stop();
		await elsewhere.stop();
	});

	const credential = () => ({ baseUrl: front.baseUrl });

	it('a redirect to another origin is not followed: nothing reaches it, the error names both', async () => {
		const id = await createdJob();
		front.rule = ({ method, url }) => (method === 'GET' && url.startsWith(`/v1/videos/${id}`) ? { status: 302, location: `${elsewhere.origin}/v1/videos/${id}` } : undefined);
		const run = await runAiStats(sim, { parameters: { resource: 'video', operation: 'get', videoId: byId(id) }, credential: credential() });
		expect(run.status).toBe('error');
		expect(run.error?.message).toBe(`Redirect to another origin refused (302): GET ${front.baseUrl}/videos/${id} → ${elsewhere.origin}/v1/videos/${id}`);
		expect(elsewhere.seen).toEqual([]);
		// Not retried: the gateway was asked once.
		expect(front.seen.filter((request) => request.method === 'GET')).toHaveLength(1);
	});

	it('a redirected download is not followed to another origin either', async () => {
		const id = await createdJob();
		await sim.completeJob(id);
		front.rule = ({ url }) => (url.includes('/content') ? { status: 302, location: `${elsewhere.origin}/cdn/${id}.mp4` } : undefined);
		const run = await runAiStats(sim, { parameters: { resource: 'video', operation: 'download', videoId: byId(id) }, credential: credential() });
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(/^Redirect to another origin refused \(302\)/);
		expect(elsewhere.seen).toEqual([]);
	});

	it('a redirect on POST /videos never becomes a GET, nor reaches another origin', async () => {
		front.rule = ({ method }) => (method === 'POST' ? { status: 302, location: `${elsewhere.origin}/v1/videos` } : undefined);
		const away = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none' }), credential: credential() });
		expect(away.status).toBe('error');
		expect(away.error?.message).toMatch(/^Redirect to another origin refused \(302\): POST /);
		expect(elsewhere.seen).toEqual([]);

		front.rule = ({ method }) => (method === 'POST' ? { status: 302, location: '/v1/videos-moved' } : undefined);
		const same = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none' }), credential: credential() });
		expect(same.status).toBe('error');
		expect(same.error?.message).toMatch(/answered POST .*\/videos with a redirect \(302\) that would turn it into a GET; it was not followed/);
		// Each run sent its create once, and nothing was asked with GET instead (the GETs are the model check's catalogue).
		expect(front.seen.filter((request) => request.method === 'POST')).toHaveLength(2);
		// (the catalogue is cached across executions for a short time: one or two reads)
		const reads = front.seen.filter((request) => request.method !== 'POST').map((request) => request.url);
		expect(reads.length).toBeGreaterThanOrEqual(1);
		expect(reads.every((url) => url === '/v1/videos/models')).toBe(true);
		expect(sim.jobs()).toHaveLength(0);
	});

	it('follows redirects within the Base URL\'s origin: a GET, and a POST only with 307/308 (once, method and body kept)', async () => {
		const id = await createdJob();
		front.rule = ({ method, url }) =>
			method === 'GET' && url === `/v1/videos/${id}` ? { status: 301, location: `${front.origin}/v1/videos/${id}?moved=1` } : undefined;
		const get = await runAiStats(sim, { parameters: { resource: 'video', operation: 'get', videoId: byId(id) }, credential: credential() });
		expect(get.status).toBe('success');
		expect(get.items[0].json.id).toBe(id);

		sim.reset();
		front.rule = ({ method, url }) => (method === 'POST' && url === '/v1/videos' ? { status: 307, location: '/v1/videos?moved=1' } : undefined);
		const created = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none' }), credential: credential() });
		expect(created.status).toBe('success');
		expect(sim.jobs()).toHaveLength(1);
		expect(posts()).toHaveLength(1);
		expect((posts()[0].body as { prompt: string }).prompt).toBe('A cinematic sunrise over a mountain lake');
		expect(elsewhere.seen).toEqual([]);
	});
});

describe('blank IDs', () => {
	it.each([
		['get', {}],
		['download', {}],
		['getDownloadLink', {}],
		['delete', {}],
	])('%s: a Video expression resolving to nothing is refused naming the field before any request', async (operation, extra) => {
		// (A literally empty Video is stopped by n8n itself: the field is required.)
		for (const videoId of [byId('={{ $json.missing }}'), byId('={{ "  " }}'), byId('={{ null }}')]) {
			const run = await runAiStats(sim, { parameters: { resource: 'video', operation, videoId, ...extra } });
			expect(run.status).toBe('error');
			expect(run.error?.message).toBe('Video is empty: pick a video from the list or enter its ID');
		}
		expect(sim.requests()).toEqual([]);
	});

	it('with Continue On Fail, a blank Video is that item\'s error and the other items go on', async () => {
		const id = await createdJob();
		const run = await runAiStats(sim, {
			items: [{ json: { id } }, { json: {} }],
			parameters: { resource: 'video', operation: 'get', videoId: byId('={{ $json.id }}') },
			node: { onError: 'continueRegularOutput' },
		});
		expect(run.items.map((item) => item.json.id ?? item.json.error)).toEqual([id, 'Video is empty: pick a video from the list or enter its ID']);
		expect(run.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('Notify Webhook → Endpoint ID resolving to nothing is refused instead of creating a job without its callback', async () => {
		const run = await runAiStats(sim, {
			parameters: generateParameters({ waitForCompletion: 'none', notifyWebhook: { endpointId: '={{ $json.endpoint }}' } }),
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toBe('Notify Webhook → Endpoint ID is empty');
		expect(posts()).toHaveLength(0);
	});
});
