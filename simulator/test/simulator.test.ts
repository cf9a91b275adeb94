/**
 * Gateway simulator: auth, create validation, lifecycle, content, signed URLs, listing, delete, models.
 * Everything goes over real HTTP against a simulator on 127.0.0.1 with a fast clock.
 */
import { createHash } from 'node:crypto';
import { createSimulator, type Simulator } from '..';
import { call, createBody, createJob, rawGet, sleep, waitForStatus } from './helpers';

let sim: Simulator;

beforeAll(async () => {
	sim = await createSimulator({ profile: 'docs', queuedMs: 40, jobMs: 250 });
});
afterAll(async () => {
	await sim.close();
});
afterEach(() => {
	sim.reset();
	sim.setOptions({ queuedMs: 40, jobMs: 250, nextOutcomes: [] });
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('basics', () => {
	it('exposes origin, baseUrl and the documented key shapes', () => {
		expect(sim.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(sim.baseUrl).toBe(`${sim.origin}/v1`);
		expect(sim.keys.inference).toMatch(/^phaseo_v1_sk_test/);
		expect(sim.keys.legacyInference).toMatch(/^aistats_v1_sk_/);
		expect(sim.keys.management).toMatch(/^phaseo_v1_mk_test/);
		for (const name of ['otherInference', 'noFunds', 'videoDisabled', 'expired'] as const) expect(sim.keys[name]).toMatch(/^phaseo_v1_sk_/);
	});

	it('answers unknown routes with a flat 404 and always sends x-request-id', async () => {
		const result = await call(sim, '/nope');
		expect(result.status).toBe(404);
		expect(result.json).toMatchObject({ error: 'not_found', status_code: 404 });
		expect(result.headers.get('x-request-id')).toBe(result.json.request_id);
	});
});

describe('auth', () => {
	const cases: Array<[string, () => string | null, number, string, string]> = [
		['missing header', () => null, 401, 'unauthorised', 'missing_or_invalid_authorization_header'],
		['malformed key', () => 'not-a-key', 401, 'unauthorised', 'invalid_key_format'],
		['unknown well-formed key', () => 'phaseo_v1_sk_zzzzzz99_whatever', 401, 'unauthorised', 'key_not_found_or_revoked'],
		['revoked key', () => sim.keys.revoked, 401, 'unauthorised', 'key_not_found_or_revoked'],
		['expired key', () => sim.keys.expired, 401, 'unauthorised', 'key_expired'],
		['wrong secret', () => sim.keys.inference.replace(/secret_a$/, 'secret_x'), 401, 'unauthorised', 'invalid_secret'],
		['management key on a video route', () => sim.keys.management, 401, 'unauthorised', 'management_key_not_valid_for_gateway'],
		['video not enabled', () => sim.keys.videoDisabled, 501, 'not_implemented_yet', 'video_api_feature_disabled'],
	];
	it.each(cases)('%s', async (_name, key, status, error, reason) => {
		const result = await call(sim, '/videos?limit=1', { key: key() });
		expect(result.status).toBe(status);
		expect(result.json).toMatchObject({ error, reason, status_code: status });
		expect(typeof result.json.request_id).toBe('string');
		expect(result.headers.get('x-request-id')).toBe(result.json.request_id);
	});

	it('accepts only the Bearer scheme', async () => {
		const result = await call(sim, '/videos?limit=1', { key: null, headers: { authorization: `bearer ${sim.keys.inference}` } });
		expect(result.json.reason).toBe('missing_or_invalid_authorization_header');
		const basic = await call(sim, '/videos?limit=1', { key: null, headers: { 'x-api-key': sim.keys.inference } });
		expect(basic.status).toBe(401);
	});

	it('accepts the legacy aistats key until the retirement date', async () => {
		expect((await call(sim, '/videos?limit=1', { key: sim.keys.legacyInference })).status).toBe(200);
		sim.setOptions({ legacyKeysRetireAt: '2000-01-01T00:00:00Z' });
		try {
			const retired = await call(sim, '/videos?limit=1', { key: sim.keys.legacyInference });
			expect(retired.json).toMatchObject({ error: 'unauthorised', reason: 'legacy_key_prefix_retired' });
		} finally {
			sim.setOptions({ legacyKeysRetireAt: '2027-01-01T00:00:00Z' });
		}
	});

	it('refuses creates without funds (402)', async () => {
		const result = await call(sim, '/videos', { key: sim.keys.noFunds, body: createBody() });
		expect(result.status).toBe(402);
		expect(result.json.error).toBe('insufficient_funds');
		expect(sim.jobs()).toHaveLength(0);
	});
});

describe('create validation', () => {
	const invalid: Array<[string, Record<string, unknown>, string]> = [
		['unknown key', { extra_field: 1 }, 'extra_field'],
		['duration_seconds alias', { duration_seconds: 8 }, 'duration_seconds'],
		['duration as string', { duration: '8' }, 'duration'],
		['duration too long', { duration: 121 }, 'duration'],
		['duration fractional', { duration: 4.5 }, 'duration'],
		['empty prompt', { prompt: '' }, 'prompt'],
		['size + resolution', { aspect_ratio: undefined, size: '1280x720', resolution: '720p' }, 'size'],
		['bad size', { aspect_ratio: undefined, size: '1280*720' }, 'size'],
		['bad resolution', { resolution: '900p' }, 'resolution'],
		['bad aspect ratio', { aspect_ratio: 'wide' }, 'aspect_ratio'],
		['sample_count 5', { sample_count: 5 }, 'sample_count'],
		['compression_quality 101', { compression_quality: 101 }, 'compression_quality'],
		['generate_audio string', { generate_audio: 'yes' }, 'generate_audio'],
		['http reference', { input_references: [{ type: 'image_url', image_url: { url: 'http://example.com/a.png' } }] }, 'input_references'],
		['legacy reference shape', { input_references: [{ type: 'image', url: 'https://example.com/a.png' }] }, 'input_references'],
		['bad role', { input_references: [{ type: 'image_url', role: 'middle', image_url: { url: 'https://example.com/a.png' } }] }, 'input_references'],
		['provider_params overriding prompt', { provider_params: { prompt: 'bypass' } }, 'provider_params'],
		['provider_params nested request', { provider_params: { request: { prompt: 'bypass' } } }, 'provider_params'],
		['bad output access', { output: { access: 'stream' } }, 'output'],
		['provider.order not strings', { provider: { order: [1] } }, 'provider'],
		['webhook without secret', { webhook: { url: 'http://127.0.0.1:9/x' } }, 'webhook'],
		['webhook for batches only', { webhook: { url: 'http://127.0.0.1:9/x', secret: 's', events: ['batch.completed'] } }, 'webhook'],
	];
	it.each(invalid)('rejects %s with 400 validation_error', async (_name, overrides, path) => {
		const result = await call(sim, '/videos', { body: createBody(overrides) });
		expect(result.status).toBe(400);
		expect(result.json.error).toBe('validation_error');
		expect(result.json.details.some((detail: { path: unknown[] }) => detail.path[0] === path)).toBe(true);
		expect(sim.jobs()).toHaveLength(0);
	});

	it('reports a missing model as model_required', async () => {
		const result = await call(sim, '/videos', { body: { prompt: 'x' } });
		expect(result.status).toBe(400);
		expect(result.json.error).toBe('model_required');
	});

	it('rejects models outside the catalogue', async () => {
		const result = await call(sim, '/videos', { body: createBody({ model: 'acme/unknown' }) });
		expect(result.status).toBe(400);
		expect(result.json.error).toBe('unsupported_model_or_endpoint');
	});

	it('answers non-JSON with invalid_json and oversized bodies with 413', async () => {
		expect((await call(sim, '/videos', { rawBody: '{"model":' })).json.error).toBe('invalid_json');
		sim.setOptions({ maxBodyBytes: 1024 });
		try {
			const big = await call(sim, '/videos', { body: createBody({ prompt: 'x'.repeat(5000) }) });
			expect(big.status).toBe(413);
			expect(big.json.error).toBe('payload_too_large');
		} finally {
			sim.setOptions({ maxBodyBytes: 16 * 1024 * 1024 });
		}
	});

	it('checks auth before the body (bad key + bad JSON → 401)', async () => {
		const result = await call(sim, '/videos', { key: 'bad', rawBody: '{' });
		expect(result.status).toBe(401);
	});

	it('accepts a full valid body and records the request', async () => {
		const body = createBody({
			resolution: '720p',
			seed: 7,
			sample_count: 2,
			negative_prompt: 'blur',
			generate_audio: false,
			enhance_prompt: true,
			person_generation: 'allow_adult',
			input_references: [{ type: 'image_url', role: 'first_frame', image_url: { url: 'https://example.com/a.png' } }],
			provider_params: { style: 'noir' },
			output: { access: 'both' },
			provider: { order: ['google-ai-studio'], include_alpha: false },
		});
		const result = await call(sim, '/videos', { body });
		expect(result.status).toBe(202);
		expect(result.json).toMatchObject({ object: 'video', status: 'queued', model: 'google/veo-3.1-lite', seconds: 8, size: '1280x720', audio: false });
		const logged = sim.requests().find((entry) => entry.method === 'POST');
		expect(logged?.body).toEqual(body);
		expect(logged?.headers.authorization).toBe(`Bearer ${sim.keys.inference}`);
		expect(logged?.status).toBe(202);
	});
});

describe('lifecycle', () => {
	it('goes queued → processing → completed with the documented job fields', async () => {
		const created = await call(sim, '/videos', { body: createBody() });
		expect(created.status).toBe(202);
		const job = created.json;
		expect(job).toMatchObject({
			status: 'queued',
			progress: 0,
			output_access: 'both',
			poll_after_seconds: 20,
			polling_url: `${sim.baseUrl}/videos/${job.id}`,
			content_url: `${sim.baseUrl}/videos/${job.id}/content`,
			download_url: null,
			asset: null,
			outputs: [],
			provider: 'google-ai-studio',
			generation_id: job.request_id,
		});
		expect(Number.isInteger(job.created_at)).toBe(true);
		expect(job.request_id).toBe(created.headers.get('x-request-id'));
		expect(job.usage.cost).toBeGreaterThan(0);
		expect(job.billing).toMatchObject({ currency: 'usd', state: 'estimated' });

		const processing = await waitForStatus(sim, job.id, ['processing']);
		expect(processing.started_at).toEqual(expect.any(String));
		const done = await waitForStatus(sim, job.id, ['completed']);
		expect(done.progress).toBe(100);
		expect(done.completed_at).toEqual(expect.any(String));
		expect(done.asset).toMatchObject({ mime_type: 'video/mp4', width: 1280, height: 720, duration_seconds: 8 });
		expect(done.asset.sha256).toMatch(/^[0-9a-f]{64}$/);
		expect(done.outputs).toHaveLength(1);
		expect(done.outputs[0]).toMatchObject({ index: 0, mime_type: 'video/mp4', bytes_available: true, content_url: done.content_url });
		expect(done.download_url).toEqual(expect.stringContaining(`/v1/videos/${job.id}/content`));
		expect(done.expires_at).toBeGreaterThan(Date.now() / 1000 + 800);
		expect(done.billing).toMatchObject({ state: 'settled', settled_user_cost: job.billing.estimated_user_cost });
		expect(done.error).toBeUndefined();
	});

	it('reports rising progress while processing', async () => {
		sim.setOptions({ jobMs: 600 });
		const id = await createJob(sim);
		await waitForStatus(sim, id, ['processing']);
		const seen: number[] = [];
		for (let i = 0; i < 12; i += 1) {
			const { json } = await call(sim, `/videos/${id}`);
			if (json.status !== 'processing') break;
			seen.push(json.progress);
			expect(json.progress_source).toBe('provider');
			await sleep(40);
		}
		expect(seen.length).toBeGreaterThan(2);
		expect(seen[seen.length - 1]).toBeGreaterThan(seen[0]);
		expect([...seen].sort((a, b) => a - b)).toEqual(seen);
	});

	it.each([
		['[sim:fail]', 'failed'],
		['[sim:expire]', 'expired'],
		['[sim:cancel]', 'cancelled'],
	])('directive %s ends %s', async (directive, status) => {
		const id = await createJob(sim, { prompt: `A fox ${directive}` });
		const job = await waitForStatus(sim, id, [status]);
		expect(job.billing).toMatchObject({ state: 'void', settled_user_cost: '0.00' });
		if (status === 'failed') {
			expect(job.error).toMatchObject({ code: expect.any(String), message: expect.any(String), provider: 'google-ai-studio' });
		} else {
			expect(job.error).toBeUndefined();
		}
	});

	it('supports [sim:upstream-error-string], [sim:stuck] and [sim:ms=N]', async () => {
		const stringError = await createJob(sim, { prompt: 'x [sim:upstream-error-string]' });
		const stuck = await createJob(sim, { prompt: 'x [sim:stuck]' });
		const slow = await createJob(sim, { prompt: 'x [sim:ms=900]' });
		const failed = await waitForStatus(sim, stringError, ['failed']);
		expect(typeof failed.error).toBe('string');
		await sleep(500);
		expect((await call(sim, `/videos/${stuck}`)).json.status).toBe('processing');
		expect((await call(sim, `/videos/${slow}`)).json.status).toBe('processing');
		await waitForStatus(sim, slow, ['completed'], 3000);
		const stillStuck = (await call(sim, `/videos/${stuck}`)).json;
		expect(stillStuck.status).toBe('processing');
		expect(stillStuck.progress).toBeLessThanOrEqual(50);
	});

	it('honours nextOutcomes in order', async () => {
		sim.setOptions({ nextOutcomes: ['fail', 'expire'] });
		const a = await createJob(sim);
		const b = await createJob(sim);
		const c = await createJob(sim);
		expect((await waitForStatus(sim, a, ['failed', 'completed', 'expired'])).status).toBe('failed');
		expect((await waitForStatus(sim, b, ['failed', 'completed', 'expired'])).status).toBe('expired');
		expect((await waitForStatus(sim, c, ['failed', 'completed', 'expired'])).status).toBe('completed');
	});

	it('accepts a parameter the model does not support, then fails with a provider error', async () => {
		const created = await call(sim, '/videos', { body: createBody({ model: 'minimax/hailuo-02', duration: 6, aspect_ratio: undefined, sample_count: 2 }) });
		expect(created.status).toBe(202);
		expect(created.json.billing.state).toBe('estimated');
		const job = await waitForStatus(sim, created.json.id, ['failed', 'completed']);
		expect(job.status).toBe('failed');
		expect(job.error).toMatchObject({ provider: 'minimax', param: 'sample_count' });
		expect(job.started_at).toBeNull();
	});

	it('forces transitions from the test API', async () => {
		sim.setOptions({ jobMs: 60_000 });
		const a = await createJob(sim);
		const b = await createJob(sim);
		const c = await createJob(sim);
		expect((await sim.completeJob(a)).status).toBe('completed');
		expect(sim.failJob(b, { code: 'content_policy', message: 'Blocked', provider: 'google-ai-studio' }).error).toMatchObject({ code: 'content_policy' });
		expect(sim.expireJob(c).status).toBe('expired');
		await expect(sim.completeJob(a)).rejects.toThrow(/already completed/);
		expect((await call(sim, `/videos/${a}`)).json.status).toBe('completed');
		expect(sim.getJob(a)?.asset?.sha256).toBe(sim.contentFor(a).sha256);
	});

	it('hides jobs from other workspaces', async () => {
		const id = await createJob(sim);
		const other = await call(sim, `/videos/${id}`, { key: sim.keys.otherInference });
		expect(other.status).toBe(404);
		expect(other.json).toMatchObject({ error: 'not_found', reason: 'video_not_found_or_not_owned' });
		expect((await call(sim, '/videos/vid_doesnotexist')).json.reason).toBe('video_not_found_or_not_owned');
		expect((await call(sim, '/videos', { key: sim.keys.otherInference })).json.data).toHaveLength(0);
	});

	it('always answers cancel with 501 video_cancellation_disabled (after auth)', async () => {
		const id = await createJob(sim);
		const result = await call(sim, `/videos/${id}/cancel`, { method: 'POST' });
		expect(result.status).toBe(501);
		expect(result.json).toMatchObject({ error: 'not_implemented_yet', reason: 'video_cancellation_disabled' });
		expect((await call(sim, `/videos/${id}/cancel`, { method: 'POST', key: null })).status).toBe(401);
	});
});

describe('content', () => {
	it('streams a real MP4 whose sha256 equals asset.sha256, without Content-Disposition', async () => {
		const id = await createJob(sim);
		const job = await waitForStatus(sim, id, ['completed']);
		const response = await fetch(job.content_url, { headers: { authorization: `Bearer ${sim.keys.inference}` } });
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('video/mp4');
		expect(response.headers.get('content-disposition')).toBeNull();
		const bytes = Buffer.from(await response.arrayBuffer());
		expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
		expect(bytes.length).toBe(job.asset.bytes);
		expect(sha256(bytes)).toBe(job.asset.sha256);
		expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
		expect(sim.contentFor(id)).toEqual({ bytes: bytes.length, sha256: job.asset.sha256, mimeType: 'video/mp4' });
	});

	it('ignores Range and serves the full body with 200', async () => {
		const id = await createJob(sim);
		await waitForStatus(sim, id, ['completed']);
		const response = await fetch(`${sim.baseUrl}/videos/${id}/content`, { headers: { authorization: `Bearer ${sim.keys.inference}`, range: 'bytes=0-9' } });
		expect(response.status).toBe(200);
		expect((await response.arrayBuffer()).byteLength).toBe(sim.contentFor(id).bytes);
	});

	it('serves every sample by index and rejects bad indexes', async () => {
		const id = await createJob(sim, { sample_count: 3 });
		const job = await waitForStatus(sim, id, ['completed']);
		expect(job.outputs.map((output: { index: number }) => output.index)).toEqual([0, 1, 2]);
		expect(job.outputs[2].content_url).toBe(`${sim.baseUrl}/videos/${id}/content?index=2`);
		const hashes = new Set<string>();
		for (const output of job.outputs) {
			const response = await fetch(output.content_url, { headers: { authorization: `Bearer ${sim.keys.inference}` } });
			const digest = sha256(Buffer.from(await response.arrayBuffer()));
			expect(digest).toBe(sim.contentFor(id, output.index).sha256);
			hashes.add(digest);
		}
		expect(hashes.size).toBe(3);
		expect((await call(sim, `/videos/${id}/content?index=3`)).json).toMatchObject({ error: 'not_found', reason: 'video_output_not_found' });
		expect((await call(sim, `/videos/${id}/content?index=abc`)).status).toBe(400);
	});

	it('answers 409 before completion, 502 for failed jobs and 404 after delete', async () => {
		sim.setOptions({ jobMs: 60_000 });
		const pending = await createJob(sim);
		const early = await call(sim, `/videos/${pending}/content`);
		expect(early.status).toBe(409);
		expect(early.json).toMatchObject({ error: 'not_ready', reason: 'video_not_ready' });
		sim.failJob(pending);
		const failed = await call(sim, `/videos/${pending}/content`);
		expect(failed.status).toBe(502);
		expect(failed.json.error).toBe('upstream_error');
		await call(sim, `/videos/${pending}`, { method: 'DELETE' });
		expect((await call(sim, `/videos/${pending}/content`)).json).toMatchObject({ error: 'not_found', reason: 'video_deleted' });
	});

	it('serves large synthetic content by streaming, with a matching sha256', async () => {
		sim.setOptions({ contentBytes: 8 * 1024 * 1024 + 123 });
		try {
			const id = await createJob(sim);
			const job = await waitForStatus(sim, id, ['completed']);
			expect(job.asset.bytes).toBe(8 * 1024 * 1024 + 123);
			const result = await rawGet(job.content_url, { authorization: `Bearer ${sim.keys.inference}` });
			expect(result.status).toBe(200);
			expect(result.body.length).toBe(job.asset.bytes);
			expect(sha256(result.body)).toBe(job.asset.sha256);
		} finally {
			sim.setOptions({ contentBytes: null });
		}
	});
});

describe('signed download URLs', () => {
	async function completedJob(overrides: Record<string, unknown> = {}) {
		const id = await createJob(sim, overrides);
		return waitForStatus(sim, id, ['completed']);
	}

	it('issues a URL that works without auth and sets Content-Disposition', async () => {
		const job = await completedJob();
		const issued = await call(sim, `/videos/${job.id}/download_url`, { method: 'POST' });
		expect(issued.status).toBe(200);
		const nowSeconds = Math.floor(Date.now() / 1000);
		expect(issued.json.expires_at).toBeGreaterThanOrEqual(nowSeconds + 899);
		expect(issued.json.expires_at).toBeLessThanOrEqual(nowSeconds + 901);
		const response = await fetch(issued.json.download_url);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${job.id}.mp4"`);
		expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(job.asset.sha256);
		const logged = sim.requests().filter((entry) => entry.path.endsWith('/content'));
		expect(logged.at(-1)?.headers.authorization).toBeUndefined();
	});

	it('clamps ttl to 60..3600, supports inline disposition and indexes', async () => {
		const job = await completedJob({ sample_count: 2 });
		const short = await call(sim, `/videos/${job.id}/download_url`, { body: { ttl_seconds: 5 } });
		expect(short.json.expires_at - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(60);
		expect(short.json.expires_at - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(59);
		const long = await call(sim, `/videos/${job.id}/download_url`, { body: { ttl_seconds: 99999 } });
		expect(long.json.expires_at - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(3599);
		const inline = await call(sim, `/videos/${job.id}/download_url`, { body: { index: 1, disposition: 'inline' } });
		const response = await fetch(inline.json.download_url);
		expect(response.headers.get('content-disposition')).toBe(`inline; filename="${job.id}.mp4"`);
		expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(sim.contentFor(job.id, 1).sha256);
		for (const body of [{ ttl_seconds: 0 }, { disposition: 'download' }, { index: -1 }]) {
			expect((await call(sim, `/videos/${job.id}/download_url`, { body })).json).toMatchObject({ error: 'validation_error', reason: 'invalid_video_download_request' });
		}
	});

	it('rejects tampered and expired links with 401', async () => {
		const job = await completedJob();
		const url = new URL(job.download_url);
		const sig = url.searchParams.get('download_sig') as string;
		url.searchParams.set('download_sig', `${sig[0] === 'a' ? 'b' : 'a'}${sig.slice(1)}`);
		const tampered = await call(sim, url.toString(), { key: null });
		expect(tampered.status).toBe(401);
		expect(tampered.json.error).toBe('unauthorised');

		const expired = new URL(job.download_url);
		expired.searchParams.set('expires_at', String(Math.floor(Date.now() / 1000) - 10));
		const expiredResult = await call(sim, expired.toString(), { key: null });
		expect(expiredResult.status).toBe(401);
		expect(expiredResult.json.message).toMatch(/expired/);
	});

	it('is refused for jobs that are not completed', async () => {
		sim.setOptions({ jobMs: 60_000 });
		const id = await createJob(sim);
		const result = await call(sim, `/videos/${id}/download_url`, { method: 'POST' });
		expect(result.status).toBe(400);
		expect(result.json).toMatchObject({ error: 'validation_error', reason: 'video_download_requires_completed_status', status: 'queued' });
	});

	it('omits signed URLs for output.access=bytes and content_url for signed_url', async () => {
		const bytesOnly = await completedJob({ output: { access: 'bytes' } });
		expect(bytesOnly.download_url).toBeUndefined();
		expect(bytesOnly.outputs[0].download_url).toBeUndefined();
		expect(bytesOnly.content_url).toBeDefined();
		const signedOnly = await completedJob({ output: { access: 'signed_url' } });
		expect(signedOnly.content_url).toBeUndefined();
		expect(signedOnly.outputs[0].content_url).toBeUndefined();
		expect(signedOnly.outputs[0].download_url).toEqual(expect.any(String));
		expect((await fetch(signedOnly.download_url)).status).toBe(200);
	});
});

describe('listing and delete', () => {
	it('pages newest first with a cursor and filters by status', async () => {
		sim.setOptions({ queuedMs: 60_000, jobMs: 60_000 });
		const ids: string[] = [];
		for (let i = 0; i < 5; i += 1) {
			ids.push(await createJob(sim, { prompt: `job ${i}` }));
			await sleep(2);
		}
		await sim.completeJob(ids[1]);
		sim.failJob(ids[3]);
		const first = await call(sim, '/videos?limit=2');
		expect(first.json).toMatchObject({ object: 'list', first_id: ids[4], last_id: ids[3], has_more: true });
		const second = await call(sim, `/videos?limit=2&after=${first.json.last_id}`);
		expect(second.json.data.map((job: { id: string }) => job.id)).toEqual([ids[2], ids[1]]);
		const third = await call(sim, `/videos?limit=2&after=${second.json.last_id}`);
		expect(third.json).toMatchObject({ has_more: false, first_id: ids[0], last_id: ids[0] });
		const asc = await call(sim, '/videos?order=asc&limit=3');
		expect(asc.json.data.map((job: { id: string }) => job.id)).toEqual(ids.slice(0, 3));
		const filtered = await call(sim, '/videos?status=completed,failed');
		expect(filtered.json.data.map((job: { id: string }) => job.id).sort()).toEqual([ids[1], ids[3]].sort());
		const repeated = await call(sim, '/videos?status=completed&status=failed');
		expect(repeated.json.data).toHaveLength(2);
		expect((await call(sim, '/videos?status=in_progress')).json.data).toHaveLength(0);
		expect((await call(sim, '/videos?status=queued')).json.data).toHaveLength(3);
	});

	it('defaults to 50, clamps limit like the gateway, and only considers the newest listWindow jobs', async () => {
		sim.setOptions({ jobMs: 60_000, listWindow: 4 });
		try {
			for (let i = 0; i < 6; i += 1) await createJob(sim);
			const all = await call(sim, '/videos');
			expect(all.json.data).toHaveLength(4);
			expect(all.json.has_more).toBe(false);
			expect((await call(sim, '/videos?limit=0')).json.data).toHaveLength(1);
			expect((await call(sim, '/videos?limit=999')).status).toBe(200);
		} finally {
			sim.setOptions({ listWindow: 101 });
		}
	});

	it('deletes completed jobs only and tombstones them', async () => {
		sim.setOptions({ jobMs: 60_000 });
		const running = await createJob(sim);
		const refused = await call(sim, `/videos/${running}`, { method: 'DELETE' });
		expect(refused.status).toBe(400);
		expect(refused.json).toMatchObject({ error: 'validation_error', reason: 'video_delete_requires_terminal_status' });
		await sim.completeJob(running);
		const deleted = await call(sim, `/videos/${running}`, { method: 'DELETE' });
		expect(deleted.status).toBe(200);
		expect(deleted.json).toEqual({ id: running, object: 'video.deleted', deleted: true });
		const after = await call(sim, `/videos/${running}`);
		expect(after.status).toBe(404);
		expect(after.json.reason).toBe('video_deleted');
		expect((await call(sim, '/videos')).json.data).toHaveLength(0);
		expect((await call(sim, `/videos/${running}`, { method: 'DELETE', key: sim.keys.otherInference })).json.reason).toBe('video_not_found_or_not_owned');
	});
});

describe('models', () => {
	it('lists the catalogue with capability details', async () => {
		const result = await call(sim, '/videos/models');
		expect(result.status).toBe(200);
		expect(result.json.object).toBe('list');
		const ids = result.json.data.map((model: { model: string }) => model.model);
		expect(ids).toEqual(expect.arrayContaining(['google/veo-3.1-lite', 'google/veo-3.1', 'openai/sora-2', 'minimax/hailuo-02']));
		const veo = result.json.data.find((model: { model: string }) => model.model === 'google/veo-3.1-lite');
		expect(veo).toMatchObject({
			status: 'active',
			input_types: ['text', 'image'],
			output_types: ['video'],
			supported_params_detail: { duration: { values: [4, 6, 8] }, sample_count: { min: 1, max: 4 } },
		});
		expect(veo.pricing).toMatchObject({ currency: 'usd' });
	});

	it('filters by ?params (all must be supported)', async () => {
		const withSamples = await call(sim, '/videos/models?params=sample_count,negative_prompt');
		expect(withSamples.json.data.map((model: { model: string }) => model.model).sort()).toEqual(['google/veo-3.1', 'google/veo-3.1-lite']);
		const size = await call(sim, '/videos/models?params=size');
		expect(size.json.data.map((model: { model: string }) => model.model)).toEqual(['openai/sora-2']);
		expect((await call(sim, '/videos/models?params=teleport')).json.data).toEqual([]);
	});
});
