/**
 * Gateway simulator, production profile (the default): what the gateway's newest server code does where
 * it differs from the docs (gateway-api.md, "The production gateway today"), plus the money routes and
 * provider failure texts. Real HTTP against a simulator on 127.0.0.1 with a fast clock.
 */
import { createHash } from 'node:crypto';
import { createSimulator, type Simulator } from '..';
import { call, rawGet, waitForStatus } from './helpers';

let sim: Simulator;

beforeAll(async () => {
	sim = await createSimulator({ queuedMs: 20, jobMs: 120 });
});
afterAll(async () => {
	await sim.close();
});
afterEach(() => {
	sim.reset();
	sim.setOptions({ queuedMs: 20, jobMs: 120, nextOutcomes: [], profile: 'production', batchApi: true, pricingApi: true, assetBytes: null, contentLength: null, walletBalanceUsd: 1_000_000, maxBodyBytes: 16 * 1024 * 1024 });
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const png = (size: number) => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(Math.max(0, size - 8), 0x5a)]);
const jpeg = (size: number) => Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), Buffer.alloc(Math.max(0, size - 4), 0x11)]);
const dataUrl = (mime: string, bytes: Buffer) => `data:${mime};base64,${bytes.toString('base64')}`;

async function create(body: Record<string, unknown>) {
	const result = await call(sim, '/videos', { body });
	if (result.status !== 202) throw new Error(`create failed: ${result.status} ${result.text}`);
	return result.json;
}

async function completed(body: Record<string, unknown>) {
	const job = await create(body);
	return await waitForStatus(sim, job.id, ['completed', 'failed']);
}

describe('profile', () => {
	it('is production by default and says so', () => {
		const options = sim.getOptions() as Record<string, any>;
		expect(options.profile).toBe('production');
		expect(options.effectiveProfile).toMatchObject({ name: 'production', acceptInlineWebhooks: false, assetSha256: false, createResponse: 'openai', openaiDialect: true });
	});

	it('refuses unknown profiles', () => {
		expect(() => sim.setOptions({ profile: 'staging' as never })).toThrow(/profile must be one of/);
	});
});

describe('webhooks', () => {
	it('refuses an inline {url, secret} webhook with the server\'s zod issues', async () => {
		const result = await call(sim, '/videos', { body: { model: 'google/veo-3.1-lite', prompt: 'x', webhook: { url: 'https://hooks.example.com/x', secret: 's' } } });
		expect(result.status).toBe(400);
		expect(result.json.error).toBe('validation_error');
		expect(result.json.details).toEqual([
			{ path: ['webhook', 'endpoint_id'], message: 'Required', code: 'invalid_type', keyword: 'invalid_type', params: {} },
			{ path: ['webhook'], message: "Unrecognized key(s) in object: 'url', 'secret'", code: 'unrecognized_keys', keyword: 'unrecognized_keys', params: {} },
		]);
		expect(sim.jobs()).toHaveLength(0);
	});

	it('delivers to a registered endpoint whose URL keeps its query and loses its fragment', async () => {
		const received: string[] = [];
		const http = await import('node:http');
		const server = http.createServer((req, res) => {
			received.push(req.url ?? '');
			req.resume();
			req.on('end', () => res.end('ok'));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
		try {
			const port = (server.address() as { port: number }).port;
			const endpoint = await call(sim, '/webhook-endpoints', { key: sim.keys.management, body: { url: `http://127.0.0.1:${port}/webhook-waiting/123/x?signature=abc#frag`, events: ['video.completed'] } });
			expect(endpoint.status).toBe(201);
			expect(endpoint.json.url).toBe(`http://127.0.0.1:${port}/webhook-waiting/123/x?signature=abc`);
			await create({ model: 'google/veo-3.1-lite', prompt: 'x', webhook: { endpoint_id: endpoint.json.id } });
			await sim.waitForDeliveries((list: Array<{ type: string }>) => list.some((entry) => entry.type === 'video.completed'), 5000);
			expect(received).toContain('/webhook-waiting/123/x?signature=abc');
		} finally {
			server.close();
		}
	});

	it('gates /webhook-endpoints behind the Batch API feature with the server\'s flat 403', async () => {
		sim.setOptions({ batchApi: false });
		for (const [method, path] of [['GET', '/webhook-endpoints'], ['POST', '/webhook-endpoints'], ['DELETE', '/webhook-endpoints/whep_x']]) {
			const result = await call(sim, path, { method, key: sim.keys.management, body: method === 'POST' ? { url: 'https://hooks.example.com/x' } : undefined });
			expect(result.status).toBe(403);
			expect(result.json).toEqual({
				error: 'forbidden',
				reason: 'batch_api_feature_flag_disabled',
				message: 'Webhook endpoint settings are currently limited to the enabled Batch API segment.',
				feature_gate: 'gateway_batch_api',
				workspace_id: 'ws_sim_primary',
				status_code: 403,
				error_type: 'user',
				error_origin: 'gateway',
			});
		}
		// The key check comes first.
		expect((await call(sim, '/webhook-endpoints', { key: sim.keys.inference })).json.reason).toBe('management_key_required');
	});
});

describe('job shape', () => {
	it('answers create with the OpenAI-style object, and GET with the full job', async () => {
		const created = await create({ model: 'google/veo-3.1-lite', prompt: 'a fox', duration: 4 });
		expect(Object.keys(created).sort()).toEqual(
			['completed_at', 'created_at', 'error', 'expires_at', 'id', 'meta', 'model', 'object', 'progress', 'prompt', 'quality', 'remixed_from_video_id', 'seconds', 'size', 'status', 'usage'].sort(),
		);
		expect(created).toMatchObject({ object: 'video', status: 'queued', seconds: '4', completed_at: null, error: null, prompt: 'a fox' });
		expect(created.billing).toBeUndefined();
		expect(created.outputs).toBeUndefined();
		const job = await waitForStatus(sim, created.id, ['completed']);
		expect(job.billing).toMatchObject({ state: 'settled', charged: true });
		expect(job.outputs).toHaveLength(1);
	});

	it('never gives a sha256; bytes and Content-Length follow the provider', async () => {
		const veo = await completed({ model: 'google/veo-3.1-lite', prompt: 'x' });
		const minimax = await completed({ model: 'minimax/hailuo-02', prompt: 'x' });
		expect(veo.asset).toMatchObject({ sha256: null, bytes: expect.any(Number) });
		expect(minimax.asset).toMatchObject({ sha256: null, bytes: null });
		const veoContent = await rawGet(`${sim.baseUrl}/videos/${veo.id}/content`, { authorization: `Bearer ${sim.keys.inference}` });
		const minimaxContent = await rawGet(`${sim.baseUrl}/videos/${minimax.id}/content`, { authorization: `Bearer ${sim.keys.inference}` });
		expect(veoContent.headers?.['content-length']).toBe(String(veoContent.body.length));
		expect(minimaxContent.headers?.['content-length']).toBeUndefined();
		expect(sha256(minimaxContent.body)).toBe(sim.contentFor(minimax.id).sha256);
	});

	it('lets a job or the whole simulator choose bytes and Content-Length', async () => {
		const known = await completed({ model: 'minimax/hailuo-02', prompt: 'x [sim:asset-bytes=known] [sim:content-length=sent]' });
		expect(known.asset.bytes).toBe(sim.contentFor(known.id).bytes);
		expect((await rawGet(`${sim.baseUrl}/videos/${known.id}/content`, { authorization: `Bearer ${sim.keys.inference}` })).headers?.['content-length']).toBeDefined();
		sim.setOptions({ assetBytes: 'never', contentLength: 'never' });
		const none = await completed({ model: 'google/veo-3.1-lite', prompt: 'x' });
		expect(none.asset.bytes).toBeNull();
		expect((await rawGet(`${sim.baseUrl}/videos/${none.id}/content`, { authorization: `Bearer ${sim.keys.inference}` })).headers?.['content-length']).toBeUndefined();
	});

	it('speaks the OpenAI dialect for openai/* jobs', async () => {
		sim.setOptions({ jobMs: 5000 });
		const created = await create({ model: 'openai/sora-2', prompt: 'x [sim:fail=content_filter]', seconds: '8' });
		const running = await waitForStatus(sim, created.id, ['in_progress' as never]);
		expect(running).toMatchObject({ status: 'in_progress', seconds: '8', prompt: 'x [sim:fail=content_filter]', quality: 'standard', remixed_from_video_id: null });
		expect(typeof running.started_at).toBe('number');
		sim.failJob(created.id, 'content_filter');
		const failed = (await call(sim, `/videos/${created.id}`)).json;
		expect(failed.status).toBe('failed');
		expect(failed.error).toEqual({ code: 'moderation_blocked', message: 'Your request was blocked by our moderation system.' });
		expect(typeof failed.completed_at).toBe('number');
		expect(failed.billing).toMatchObject({ state: 'void', charged: false });
	});
});

describe('create fields', () => {
	it('uses sora-2 when model is missing and takes a blank prompt with an inline image, bytes intact', async () => {
		const image = png(50_000);
		const created = await create({ prompt: '', input_reference: { image_url: dataUrl('image/png', image) } });
		expect(created.model).toBe('openai/sora-2');
		const [received] = sim.receivedReferences();
		expect(received).toMatchObject({ jobId: created.id, source: 'data_url', mimeType: 'image/png', bytes: image.length, sha256: sha256(image) });
		expect(JSON.stringify(sim.getJob(created.id))).not.toContain('base64,');
		expect((await waitForStatus(sim, created.id, ['completed', 'failed'])).status).toBe('completed');
	});

	it('takes a multipart upload', async () => {
		const image = jpeg(3000);
		const form = new FormData();
		form.append('model', 'openai/sora-2');
		form.append('prompt', 'x');
		form.append('seconds', '4');
		form.append('input_reference', new Blob([image], { type: 'image/jpeg' }), 'photo.jpg');
		const response = await fetch(`${sim.baseUrl}/videos`, { method: 'POST', headers: { authorization: `Bearer ${sim.keys.inference}` }, body: form });
		expect(response.status).toBe(202);
		expect(sim.receivedReferences()[0]).toMatchObject({ source: 'multipart', filename: 'photo.jpg', mimeType: 'image/jpeg', bytes: 3000, sha256: sha256(image) });
	});

	it('reads a form like the server: provider parsed from JSON text, a number as text fails the strict schema', async () => {
		const image = png(13_000_000);
		const send = async (extra: Record<string, string>) => {
			const form = new FormData();
			form.append('model', 'openai/sora-2');
			form.append('prompt', 'x');
			for (const [name, value] of Object.entries(extra)) form.append(name, value);
			form.append('input_reference', new Blob([image], { type: 'image/png' }), 'photo.png');
			const response = await fetch(`${sim.baseUrl}/videos`, { method: 'POST', headers: { authorization: `Bearer ${sim.keys.inference}` }, body: form });
			return { status: response.status, json: (await response.json()) as { id: string; details: Array<Record<string, unknown>> } };
		};
		const ok = await send({ provider: JSON.stringify({ order: ['openai'] }), seconds: '8' });
		expect(ok.status).toBe(202);
		const received = sim.requests().filter((request) => request.method === 'POST' && request.path === '/v1/videos');
		expect(received[0].body).toMatchObject({ provider: { order: ['openai'] }, seconds: '8', input_reference: '[file photo.png, 13000000 bytes]' });
		expect(sim.receivedReferences()[0]).toMatchObject({ source: 'multipart', mimeType: 'image/png', bytes: image.length, sha256: sha256(image) });
		const bad = await send({ duration: '8' });
		expect(bad.status).toBe(400);
		expect(bad.json.details[0]).toMatchObject({ path: ['duration'], code: 'invalid_type' });
		expect(sim.jobs()).toHaveLength(1);
	});

	it.each([
		['a MIME type providers refuse', () => dataUrl('image/gif', Buffer.from('GIF89a')), /Unsupported image type 'image\/gif'/],
		['bytes that are not the declared type', () => dataUrl('image/png', jpeg(100)), /not a image\/png image/],
		['broken base64', () => 'data:image/png;base64,@@@@', /not valid base64/],
		['an http URL', () => 'http://example.com/a.png', /must use https/],
	])('refuses %s with 400 invalid_input_reference', async (_name, url, message) => {
		const result = await call(sim, '/videos', { body: { model: 'openai/sora-2', prompt: 'x', input_reference: { image_url: url() } } });
		expect(result.status).toBe(400);
		expect(result.json).toMatchObject({ error: 'validation_error', reason: 'invalid_input_reference' });
		expect(result.json.message).toMatch(message);
		expect(sim.jobs()).toHaveLength(0);
	});

	it('refuses decoded images over 20 MiB (JSON bodies over maxBodyBytes, 16 MiB, get 413 first)', async () => {
		// 20,990,000 bytes (just over 20 MiB) is ~27.99 M characters of base64: under the 28,000,000-character cap.
		const big = dataUrl('image/png', png(20_990_000));
		sim.setOptions({ maxBodyBytes: 40 * 1024 * 1024 });
		const result = await call(sim, '/videos', { body: { model: 'openai/sora-2', input_reference: { image_url: big } } });
		expect(result.status).toBe(400);
		expect(result.json.message).toMatch(/the limit is 20971520 bytes/);
	});

	it('validates seconds and requires a prompt without an image', async () => {
		const bad = await call(sim, '/videos', { body: { model: 'openai/sora-2', prompt: 'x', seconds: '5' } });
		expect(bad.json.details[0]).toMatchObject({ path: ['seconds'], code: 'invalid_enum_value' });
		const blank = await call(sim, '/videos', { body: { model: 'openai/sora-2', prompt: '  ' } });
		expect(blank.json.details[0]).toMatchObject({ path: ['prompt'], message: 'prompt is required unless an image input reference is provided' });
	});

	it('fails the job of a model that takes no inline image', async () => {
		const job = await completed({ model: 'runway/gen-4-aleph', prompt: 'x', input_reference: { image_url: dataUrl('image/png', png(100)) } });
		expect(job.status).toBe('failed');
		expect(job.error).toMatchObject({ param: 'input_reference' });
	});
});

describe('production faults', () => {
	it('answers /content with 502 minimax_api_error when asked', async () => {
		const job = await completed({ model: 'minimax/hailuo-02', prompt: 'x [sim:minimax-api-error]' });
		const result = await call(sim, `/videos/${job.id}/content`);
		expect(result.status).toBe(502);
		expect(result.json).toMatchObject({ error: 'upstream_error', reason: 'minimax_api_error', upstream_error: { code: 1000 } });
	});

	it('passes a provider error through on DELETE of an openai job', async () => {
		const job = await completed({ model: 'openai/sora-2', prompt: 'x [sim:delete-error=404]' });
		const result = await call(sim, `/videos/${job.id}`, { method: 'DELETE' });
		expect(result.status).toBe(404);
		expect(result.json).toEqual({ error: { message: expect.stringContaining('not found'), type: 'invalid_request_error', param: null, code: 'video_not_found' } });
		expect((await call(sim, `/videos/${job.id}`)).status).toBe(200);
	});
});

describe('money', () => {
	const veoUsage = { output_video_seconds: 8, video_params: { resolution: '1080p', generate_audio: true } };

	it('prices a video like the job bills it', async () => {
		const priced = await call(sim, '/pricing/calculate', { body: { provider: 'google-ai-studio', model: 'google/veo-3.1', endpoint: 'video.generate', usage: veoUsage } });
		expect(priced.status).toBe(200);
		expect(priced.json).toMatchObject({ ok: true, pricing: { cost_usd: 4.8, cost_usd_str: '4.8', cost_cents: 480, currency: 'USD' } });
		expect(priced.json.pricing.lines[0]).toMatchObject({ dimension: 'output_video_seconds', quantity: 8, unit_price_usd: '0.6', line_nanos: 4_800_000_000 });
		const job = await completed({ model: 'google/veo-3.1', prompt: 'x', resolution: '1080p', duration: 8, generate_audio: true });
		expect(job.billing.settled_user_cost).toBe('4.80');
		const sora = await call(sim, '/pricing/calculate', { body: { provider: 'openai', model: 'openai/sora-2', endpoint: 'video.generate', usage: { output_video_seconds: 8, video_params: { resolution: '1280x720' } } } });
		expect(sora.json.pricing.cost_usd).toBe(0.8);
	});

	it('answers pricing errors in the control routes\' shape, and can be switched off', async () => {
		const body = { provider: 'google-ai-studio', model: 'google/veo-3.1', endpoint: 'video.generate', usage: veoUsage };
		expect((await call(sim, '/pricing/calculate', { body: { model: 'x' } })).json).toEqual({ ok: false, error: 'missing_required_fields', message: 'provider, model, endpoint, and usage are required' });
		expect((await call(sim, '/pricing/calculate', { body: { ...body, provider: 'openai' } })).status).toBe(404);
		sim.setOptions({ pricingApi: false });
		const off = await call(sim, '/pricing/calculate', { body });
		expect(off.status).toBe(404);
		expect(off.json).toEqual({ ok: false, error: 'pricing_not_found', message: 'No pricing data found for this model' });
	});

	it('reports credits to a management key and refuses a create over the balance', async () => {
		sim.setOptions({ walletBalanceUsd: 5 });
		await completed({ model: 'google/veo-3.1', prompt: 'x', resolution: '1080p', duration: 8, generate_audio: true });
		const credits = await call(sim, '/credits', { key: sim.keys.management });
		expect(credits.json).toEqual({
			ok: true,
			credits: { remaining: 200_000_000, balance_nanos: 200_000_000, reserved_nanos: 0, available_nanos: 200_000_000, thirty_day_usage: -4_800_000_000, thirty_day_requests: 1 },
		});
		expect((await call(sim, '/credits')).json.reason).toBe('management_key_required');
		const refused = await call(sim, '/videos', { body: { model: 'google/veo-3.1', prompt: 'x' } });
		expect(refused.status).toBe(402);
		expect(refused.json.error).toBe('insufficient_funds');
		expect((await call(sim, '/videos', { body: { model: 'minimax/hailuo-02', prompt: 'x [sim:insufficient-funds]' } })).status).toBe(402);
	});

	it('looks a request up by id: cost once settled, 0 when voided', async () => {
		const done = await completed({ model: 'minimax/hailuo-02', prompt: 'x' });
		const failed = await completed({ model: 'minimax/hailuo-02', prompt: 'x [sim:fail=provider_error]' });
		const a = await call(sim, `/generations?id=${done.request_id}`);
		expect(a.json).toMatchObject({ request_id: done.request_id, model_id: 'minimax/hailuo-02', success: true, cost_nanos: 270_000_000 });
		const b = await call(sim, `/generations?id=${failed.request_id}`, { key: sim.keys.management });
		expect(b.json).toMatchObject({ success: false, cost_nanos: 0 });
		expect(failed.billing).toMatchObject({ state: 'void', charged: false, settled_user_cost: '0.00' });
		expect((await call(sim, '/generations')).json).toEqual({ ok: false, error: 'missing_id' });
		expect((await call(sim, `/generations?id=${done.request_id}`, { key: sim.keys.otherInference })).status).toBe(404);
	});
});

describe('failure categories', () => {
	const cases: Array<[string, string, string, string | number, RegExp]> = [
		['content_filter', 'google/veo-3.1-lite', 'google-ai-studio', 'RAI_MEDIA_FILTERED', /Responsible AI/],
		['content_filter', 'minimax/hailuo-02', 'minimax', 1026, /sensitive prompt/],
		['content_filter', 'runway/gen-4-aleph', 'runway', 'SAFETY.INPUT.TEXT', /moderation/],
		['content_filter', 'bytedance/seedance-2.0', 'byteplus', 'OutputVideoSensitiveContentDetected', /sensitive information/],
		['insufficient_funds', 'minimax/hailuo-02', 'minimax', 1008, /insufficient balance/],
		['provider_unavailable', 'google/veo-3.1-lite', 'google-ai-studio', 'UNAVAILABLE', /overloaded/],
		['invalid_input', 'bytedance/seedance-2.0', 'byteplus', 'InvalidParameter', /not valid/],
		['provider_error', 'google/veo-3.1-lite', 'google-ai-studio', 'INTERNAL', /Internal error/],
	];
	it.each(cases)('%s on %s fails with the provider\'s own text', async (category, model, provider, code, message) => {
		sim.setOptions({ nextOutcomes: [`fail:${category}` as never] });
		const body: Record<string, unknown> = { model, prompt: 'x' };
		if (model.startsWith('runway/')) body.input_references = [{ type: 'video_url', role: 'source', media_url: { url: 'https://media.example.com/a.mp4' } }];
		const job = await completed(body);
		expect(job.status).toBe('failed');
		expect(job.error).toMatchObject({ code, provider });
		expect(job.error.message).toMatch(message);
		expect(job.error.category).toBeUndefined();
		if (category !== 'provider_error') expect(JSON.stringify(job)).not.toContain(category);
	});
});
