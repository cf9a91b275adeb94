/**
 * Gateway simulator: webhook deliveries (signatures, retries, subscriptions), the /webhook-endpoints
 * management API, manual deliveries with tampering, and webhook faults.
 */
import { createSimulator, type DeliveryAttempt, type Simulator } from '..';
import { call, createBody, createJob, sleep, startReceiver, verifySignature, waitForStatus, type Receiver } from './helpers';

let sim: Simulator;
let receiver: Receiver;
const SECRET = 'whsec_test_receiver_secret';

beforeAll(async () => {
	sim = await createSimulator({ profile: 'docs', queuedMs: 30, jobMs: 200, webhookRetryDelaysMs: [0, 80, 80, 80], webhookTimeoutMs: 2000 });
	receiver = await startReceiver();
});
afterAll(async () => {
	await sim.close();
	await receiver.close();
});
beforeEach(() => {
	sim.reset();
	sim.setOptions({ queuedMs: 30, jobMs: 200, webhookRetryDelaysMs: [0, 80, 80, 80], webhookTimeoutMs: 2000, requireHttpsWebhooks: false });
	receiver.received.length = 0;
	receiver.respond = () => 200;
});

const inlineWebhook = (events?: string[]) => ({ url: receiver.url, secret: SECRET, ...(events ? { events } : {}) });
const byType = (type: string) => receiver.received.filter((request) => request.headers['x-phaseo-event-type'] === type);

describe('automatic deliveries', () => {
	it('delivers status_changed and completed by default, signed and shaped like the gateway', async () => {
		const id = await createJob(sim, { webhook: inlineWebhook() });
		await sim.waitForDeliveries((all: DeliveryAttempt[]) => all.some((attempt) => attempt.type === 'video.completed'), 5000);
		const types = receiver.received.map((request) => request.headers['x-phaseo-event-type']);
		expect(types).toEqual(['video.status_changed', 'video.status_changed', 'video.completed']);

		for (const request of receiver.received) {
			const headers = request.headers;
			expect(headers['content-type']).toBe('application/json');
			expect(headers['user-agent']).toBe('Phaseo-Async-Webhook/1.0');
			expect(headers['x-phaseo-attempt']).toBe('1');
			expect(headers['x-phaseo-max-attempts']).toBe('4');
			expect(Math.abs(Number(headers['x-phaseo-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
			expect(headers['x-phaseo-signature']).toMatch(/^[0-9a-f]{64}$/);
			expect(verifySignature(SECRET, String(headers['x-phaseo-timestamp']), request.rawBody, String(headers['x-phaseo-signature']))).toBe(true);
			const event = JSON.parse(request.rawBody);
			expect(event.id).toBe(headers['x-phaseo-event-id']);
			expect(event.type).toBe(headers['x-phaseo-event-type']);
			expect(event.delivery).toEqual({ key: headers['x-phaseo-delivery-key'], attempt: 1, max_attempts: 4 });
			expect(event.data.id).toBe(id);
			for (const hidden of ['outputs', 'asset', 'error', 'poll_after_seconds', 'seconds']) expect(event.data).not.toHaveProperty(hidden);
			expect(event.data.duration_seconds).toBe(8);
			expect(event.data.content_url).toBe(`${sim.baseUrl}/videos/${id}/content`);
		}

		const [started, finished] = byType('video.status_changed').map((request) => JSON.parse(request.rawBody));
		expect(started.status_change).toEqual({ previous_status: 'queued', status: 'in_progress' });
		expect(started.delivery.key).toBe('video.status_changed:queued:in_progress');
		expect(started.data.status).toBe('processing');
		expect(finished.status_change).toEqual({ previous_status: 'in_progress', status: 'completed' });

		const completed = JSON.parse(byType('video.completed')[0].rawBody);
		expect(completed.delivery.key).toBe('video.completed');
		expect(completed.data.status).toBe('completed');
		expect(completed.data.expires_at - Math.floor(Date.now() / 1000)).toBeGreaterThan(890);
		const download = await fetch(completed.data.download_url);
		expect(download.status).toBe(200);
		expect((await download.arrayBuffer()).byteLength).toBe(sim.contentFor(id).bytes);
		expect(sim.deliveries().every((attempt) => attempt.ok && attempt.jobId === id && !attempt.manual)).toBe(true);
	});

	it('delivers progress buckets once each, plus created, for explicit subscriptions (bare, job.* and video.* names)', async () => {
		sim.setOptions({ jobMs: 400, progressStepMs: 10 });
		try {
			await createJob(sim, { webhook: inlineWebhook(['created', 'job.progress', 'video.completed']) });
			await sim.waitForDeliveries((attempt: DeliveryAttempt) => attempt.type === 'video.completed', 5000);
		} finally {
			sim.setOptions({ progressStepMs: null });
		}
		expect(byType('video.created')).toHaveLength(1);
		expect(byType('video.status_changed')).toHaveLength(0);
		const keys = byType('video.progress').map((request) => String(request.headers['x-phaseo-delivery-key']));
		expect(keys.length).toBeGreaterThanOrEqual(5);
		expect(new Set(keys).size).toBe(keys.length);
		for (const key of keys) {
			const bucket = Number(key.split(':')[1]);
			expect(key).toMatch(/^video\.progress:\d+$/);
			expect(bucket === 5 || bucket === 95 || (bucket % 10 === 0 && bucket >= 10 && bucket <= 90)).toBe(true);
		}
		const progress = JSON.parse(byType('video.progress')[0].rawBody);
		expect(progress.data.progress).toBe(Number(String(progress.delivery.key).split(':')[1]));
	});

	it('sends video.failed with upstream_error', async () => {
		const id = await createJob(sim, { prompt: 'boom [sim:fail]', webhook: inlineWebhook(['failed']) });
		const [attempt] = await sim.waitForDeliveries((entry: DeliveryAttempt) => entry.type === 'video.failed', 5000);
		const event = JSON.parse(attempt.body);
		expect(event.data).toMatchObject({ id, status: 'failed', download_url: null });
		expect(event.data.upstream_error).toMatchObject({ code: 'generation_failed', type: 'provider_error', message: expect.any(String) });
		expect(event.data.billing.state).toBe('void');
	});

	it('sends video.expired and video.cancelled', async () => {
		await createJob(sim, { prompt: 'a [sim:expire]', webhook: inlineWebhook(['expired', 'cancelled']) });
		await createJob(sim, { prompt: 'b [sim:cancel]', webhook: inlineWebhook(['expired', 'cancelled']) });
		await sim.waitForDeliveries((all: DeliveryAttempt[]) => all.length >= 2, 5000);
		expect(sim.deliveries().map((attempt) => attempt.type).sort()).toEqual(['video.cancelled', 'video.expired']);
	});

	it('retries a non-2xx with the same event id and delivery key, fresh timestamp and signature', async () => {
		receiver.respond = (_request, index) => (index === 0 ? 500 : 200);
		await createJob(sim, { webhook: inlineWebhook(['completed']) });
		const attempts = await sim.waitForDeliveries((all: DeliveryAttempt[]) => all.some((attempt) => attempt.ok), 5000);
		expect(attempts.map((attempt) => [attempt.attempt, attempt.status])).toEqual([
			[1, 500],
			[2, 200],
		]);
		expect(attempts[0].error).toBe('Webhook returned HTTP 500');
		const [first, second] = receiver.received;
		expect(second.headers['x-phaseo-event-id']).toBe(first.headers['x-phaseo-event-id']);
		expect(second.headers['x-phaseo-delivery-key']).toBe(first.headers['x-phaseo-delivery-key']);
		expect(second.headers['x-phaseo-attempt']).toBe('2');
		expect(JSON.parse(second.rawBody).delivery.attempt).toBe(2);
		expect(second.headers['x-phaseo-signature']).not.toBe(first.headers['x-phaseo-signature']);
		for (const request of [first, second]) {
			expect(verifySignature(SECRET, String(request.headers['x-phaseo-timestamp']), request.rawBody, String(request.headers['x-phaseo-signature']))).toBe(true);
		}
		expect(second.time - first.time).toBeGreaterThanOrEqual(70);
	});

	it('treats redirects as failures (never followed) and gives up after max attempts', async () => {
		receiver.respond = () => ({ status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' } });
		await createJob(sim, { webhook: inlineWebhook(['completed']) });
		await sim.waitForDeliveries((all: DeliveryAttempt[]) => all.length >= 4, 5000);
		await sleep(300);
		const attempts = sim.deliveries();
		expect(attempts.map((attempt) => attempt.attempt)).toEqual([1, 2, 3, 4]);
		expect(attempts.every((attempt) => attempt.status === 302 && attempt.error === 'Webhook redirects are not allowed')).toBe(true);
		expect(receiver.received.every((request) => request.url === '/hooks/video')).toBe(true);
	});

	it('times out slow receivers after webhookTimeoutMs', async () => {
		sim.setOptions({ webhookTimeoutMs: 100, webhookRetryDelaysMs: [0] });
		receiver.respond = () => ({ status: 200, delayMs: 400 });
		await createJob(sim, { webhook: inlineWebhook(['completed']) });
		const [attempt] = await sim.waitForDeliveries((entry: DeliveryAttempt) => entry.type === 'video.completed', 5000);
		expect(attempt.ok).toBe(false);
		expect(attempt.status).toBeUndefined();
		expect(attempt.error).toMatch(/timed out after 100ms/);
	});

	it('rejects plain-http webhooks when requireHttpsWebhooks is on', async () => {
		sim.setOptions({ requireHttpsWebhooks: true });
		const result = await call(sim, '/videos', { body: createBody({ webhook: inlineWebhook() }) });
		expect(result.status).toBe(400);
		expect(result.json.details[0].path).toEqual(['webhook', 'url']);
	});
});

describe('webhook endpoints API', () => {
	const mgmt = () => sim.keys.management;

	it('requires a management key (flat 401) and uses the nested error shape otherwise', async () => {
		const inference = await call(sim, '/webhook-endpoints', { key: sim.keys.inference });
		expect(inference.status).toBe(401);
		expect(inference.json).toMatchObject({ error: 'unauthorised', reason: 'management_key_required' });
		const invalid = await call(sim, '/webhook-endpoints', { key: mgmt(), body: { url: 'not a url' } });
		expect(invalid.status).toBe(400);
		expect(invalid.json.error).toMatchObject({ type: 'validation_error', message: expect.any(String) });
		expect(Array.isArray(invalid.json.error.details)).toBe(true);
		const missing = await call(sim, '/webhook-endpoints/whep_missing', { key: mgmt() });
		expect(missing.status).toBe(404);
		expect(missing.json).toEqual({ error: { type: 'not_found', message: 'Webhook endpoint not found.' } });
	});

	it('creates, lists, reads, patches, rotates and deletes endpoints', async () => {
		const created = await call(sim, '/webhook-endpoints', { key: mgmt(), body: { name: 'n8n', url: receiver.url, events: ['video.completed'] } });
		expect(created.status).toBe(201);
		expect(created.json).toMatchObject({ name: 'n8n', url: receiver.url, events: ['video.completed'], status: 'active', hasSecret: true });
		expect(created.json.signing_secret).toMatch(/^whsec_/);
		const id = created.json.id;

		const list = await call(sim, '/webhook-endpoints', { key: mgmt() });
		expect(list.json.object).toBe('list');
		expect(list.json.data).toHaveLength(1);
		expect(list.json.data[0]).not.toHaveProperty('signing_secret');
		expect((await call(sim, '/webhook-endpoints', { key: sim.keys.otherManagement })).json.data).toHaveLength(0);

		const got = await call(sim, `/webhook-endpoints/${id}`, { key: mgmt() });
		expect(got.json).not.toHaveProperty('signing_secret');
		const patched = await call(sim, `/webhook-endpoints/${id}`, { key: mgmt(), method: 'PATCH', body: { status: 'disabled', events: ['completed', 'FAILED'] } });
		expect(patched.json).toMatchObject({ status: 'disabled', events: ['completed', 'failed'] });
		const badPatch = await call(sim, `/webhook-endpoints/${id}`, { key: mgmt(), method: 'PATCH', body: { status: 'enabled' } });
		expect(badPatch.json.error.type).toBe('validation_error');

		const rotated = await call(sim, `/webhook-endpoints/${id}/rotate-secret`, { key: mgmt(), method: 'POST' });
		expect(rotated.json.signing_secret).toMatch(/^whsec_/);
		expect(rotated.json.signing_secret).not.toBe(created.json.signing_secret);

		const deleted = await call(sim, `/webhook-endpoints/${id}`, { key: mgmt(), method: 'DELETE' });
		expect(deleted.json).toEqual({ id, object: 'webhook_endpoint', deleted: true });
		expect((await call(sim, `/webhook-endpoints/${id}`, { key: mgmt() })).status).toBe(404);
	});

	it('applies the default endpoint name and events', async () => {
		const created = await call(sim, '/webhook-endpoints', { key: mgmt(), body: { url: receiver.url } });
		expect(created.json.name).toBe('Async webhooks');
		expect(created.json.events).toEqual(expect.arrayContaining(['video.completed', 'video.failed', 'video.cancelled']));
	});

	it('delivers through an endpoint with its signing secret, its events, and the rotated secret afterwards', async () => {
		const endpoint = (await call(sim, '/webhook-endpoints', { key: mgmt(), body: { url: receiver.url, events: ['video.completed'] } })).json;
		const first = await createJob(sim, { webhook: { endpoint_id: endpoint.id } });
		await sim.waitForDeliveries((entry: DeliveryAttempt) => entry.jobId === first && entry.type === 'video.completed', 5000);
		expect(receiver.received.map((request) => request.headers['x-phaseo-event-type'])).toEqual(['video.completed']);
		const request = receiver.received[0];
		expect(verifySignature(endpoint.signing_secret, String(request.headers['x-phaseo-timestamp']), request.rawBody, String(request.headers['x-phaseo-signature']))).toBe(true);
		expect(JSON.parse(request.rawBody).data.webhook).toMatchObject({ endpoint_id: endpoint.id, url: null });

		const rotated = (await call(sim, `/webhook-endpoints/${endpoint.id}/rotate-secret`, { key: mgmt(), method: 'POST' })).json;
		const second = await createJob(sim, { webhook: { endpoint_id: endpoint.id, events: ['status_changed'] } });
		await sim.waitForDeliveries((all: DeliveryAttempt[]) => all.filter((entry) => entry.jobId === second).length >= 2, 5000);
		const later = receiver.received.slice(1);
		expect(later.map((entry) => entry.headers['x-phaseo-event-type'])).toEqual(['video.status_changed', 'video.status_changed']);
		for (const entry of later) {
			expect(verifySignature(rotated.signing_secret, String(entry.headers['x-phaseo-timestamp']), entry.rawBody, String(entry.headers['x-phaseo-signature']))).toBe(true);
			expect(verifySignature(endpoint.signing_secret, String(entry.headers['x-phaseo-timestamp']), entry.rawBody, String(entry.headers['x-phaseo-signature']))).toBe(false);
		}
	});

	it('skips deliveries for disabled endpoints and rejects endpoints of other workspaces', async () => {
		const endpoint = (await call(sim, '/webhook-endpoints', { key: mgmt(), body: { url: receiver.url } })).json;
		await call(sim, `/webhook-endpoints/${endpoint.id}`, { key: mgmt(), method: 'PATCH', body: { status: 'disabled' } });
		const id = await createJob(sim, { webhook: { endpoint_id: endpoint.id } });
		await waitForStatus(sim, id, ['completed']);
		await sleep(100);
		expect(sim.deliveries()).toHaveLength(0);

		const foreign = await call(sim, '/videos', { key: sim.keys.otherInference, body: createBody({ webhook: { endpoint_id: endpoint.id } }) });
		expect(foreign.status).toBe(400);
		expect(foreign.json).toMatchObject({ error: 'validation_error', reason: 'webhook_endpoint_not_found' });
	});
});

describe('manual deliveries and event building', () => {
	async function completedJob() {
		const id = await createJob(sim);
		await waitForStatus(sim, id, ['completed']);
		return id;
	}

	it('buildEvent returns the gateway event for any type name form', async () => {
		const id = await completedJob();
		const event = sim.buildEvent(id, 'completed');
		expect(event).toMatchObject({ type: 'video.completed', delivery: { key: 'video.completed', attempt: 1, max_attempts: 4 }, data: { id, status: 'completed' } });
		expect(event.id).toBe(`evt_video_${id}_video_completed`);
		expect(sim.buildEvent({ id }, 'job.completed').id).toBe(event.id);
		const progress = sim.buildEvent(id, 'video.progress', { progress: 47 });
		expect(progress.delivery.key).toBe('video.progress:50');
		expect(progress.data.progress).toBe(50);
		expect(sim.buildEvent(id, 'status_changed').status_change).toEqual({ previous_status: 'in_progress', status: 'completed' });
		expect(() => sim.buildEvent(id, 'video.exploded')).toThrow(/Unknown event type/);
	});

	it('deliverEvent signs exactly like automatic deliveries and supports tampering', async () => {
		const id = await completedJob();
		const event = sim.buildEvent(id, 'video.completed');
		const ok = await sim.deliverEvent({ url: receiver.url, secret: SECRET, event });
		expect(ok.status).toBe(200);
		const request = receiver.received[0];
		expect(request.rawBody).toBe(JSON.stringify(event));
		expect(ok.rawBody).toBe(request.rawBody);
		expect(verifySignature(SECRET, String(request.headers['x-phaseo-timestamp']), request.rawBody, String(request.headers['x-phaseo-signature']))).toBe(true);
		expect(sim.signPayload(SECRET, String(request.headers['x-phaseo-timestamp']), request.rawBody)).toBe(request.headers['x-phaseo-signature']);

		const check = async (tamper: Parameters<Simulator['deliverEvent']>[0]['tamper']) => {
			receiver.received.length = 0;
			await sim.deliverEvent({ url: receiver.url, secret: SECRET, event, tamper, attempt: 3 });
			const sent = receiver.received[0];
			expect(sent.headers['x-phaseo-attempt']).toBe('3');
			return sent;
		};
		const bad = await check('bad-signature');
		expect(verifySignature(SECRET, String(bad.headers['x-phaseo-timestamp']), bad.rawBody, String(bad.headers['x-phaseo-signature']))).toBe(false);
		const stale = await check('stale-timestamp');
		expect(Date.now() / 1000 - Number(stale.headers['x-phaseo-timestamp'])).toBeGreaterThan(300);
		expect(verifySignature(SECRET, String(stale.headers['x-phaseo-timestamp']), stale.rawBody, String(stale.headers['x-phaseo-signature']))).toBe(true);
		expect((await check('missing-signature')).headers['x-phaseo-signature']).toBeUndefined();
		expect((await check('missing-timestamp')).headers['x-phaseo-timestamp']).toBeUndefined();
		const upper = await check('uppercase-hex');
		expect(upper.headers['x-phaseo-signature']).toMatch(/^[0-9A-F]{64}$/);
		expect(verifySignature(SECRET, String(upper.headers['x-phaseo-timestamp']), upper.rawBody, String(upper.headers['x-phaseo-signature']))).toBe(true);
		const prefixed = await check('sha256-prefix');
		expect(prefixed.headers['x-phaseo-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
		const body = await check('tampered-body');
		expect(verifySignature(SECRET, String(body.headers['x-phaseo-timestamp']), body.rawBody, String(body.headers['x-phaseo-signature']))).toBe(false);
		expect(sim.deliveries().filter((attempt) => attempt.manual)).toHaveLength(8);
	});

	it('deliverEvent rejects when the receiver is unreachable', async () => {
		const id = await completedJob();
		await expect(sim.deliverEvent({ url: 'http://127.0.0.1:9/nothing', secret: SECRET, event: sim.buildEvent(id, 'completed') })).rejects.toThrow();
	});
});

describe('webhook faults', () => {
	it('duplicate delivers the same attempt twice', async () => {
		sim.injectFault({ route: 'webhook', kind: 'duplicate', eventType: 'video.completed' });
		await createJob(sim, { webhook: inlineWebhook(['completed']) });
		await sim.waitForDeliveries((all: DeliveryAttempt[]) => all.length >= 2, 5000);
		const [a, b] = receiver.received;
		expect(b.rawBody).toBe(a.rawBody);
		expect(b.headers['x-phaseo-event-id']).toBe(a.headers['x-phaseo-event-id']);
		expect(b.headers['x-phaseo-attempt']).toBe(a.headers['x-phaseo-attempt']);
	});

	it('bad-signature and stale-timestamp corrupt one automatic delivery', async () => {
		sim.injectFault({ route: 'webhook', kind: 'bad-signature' });
		sim.injectFault({ route: 'webhook', kind: 'stale-timestamp' });
		await createJob(sim, { webhook: inlineWebhook(['status_changed']) });
		await sim.waitForDeliveries((all: DeliveryAttempt[]) => all.length >= 2, 5000);
		const [first, second] = receiver.received;
		expect(verifySignature(SECRET, String(first.headers['x-phaseo-timestamp']), first.rawBody, String(first.headers['x-phaseo-signature']))).toBe(false);
		expect(Date.now() / 1000 - Number(second.headers['x-phaseo-timestamp'])).toBeGreaterThan(300);
	});
});

describe('delivery controls: hold and release together, copies', () => {
	it('holds first attempts until released, then sends each one webhookCopies times at once', async () => {
		const { createSimulator } = await import('../index');
		const received: string[] = [];
		const server = (await import('node:http')).createServer((request, response) => {
			received.push(String(request.headers['x-phaseo-event-id']));
			response.writeHead(200).end('{}');
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const port = (server.address() as { port: number }).port;
		const sim = await createSimulator({ profile: 'docs', jobMs: 50, queuedMs: 10, holdWebhooks: true, webhookCopies: 2 });
		try {
			const create = async () =>
				await fetch(`${sim.baseUrl}/videos`, {
					method: 'POST',
					headers: { authorization: `Bearer ${sim.keys.inference}`, 'content-type': 'application/json' },
					body: JSON.stringify({ model: 'google/veo-3.1-lite', prompt: 'x', webhook: { url: `http://127.0.0.1:${port}/hook`, secret: 's', events: ['video.completed'] } }),
				});
			await create();
			await create();
			for (let tries = 0; sim.heldWebhooks() < 2 && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
			expect(sim.heldWebhooks()).toBe(2);
			expect(received).toHaveLength(0);
			expect(sim.releaseWebhooks()).toBe(2);
			await sim.waitForDeliveries((all: unknown[]) => all.length >= 4, 5000);
			expect(received).toHaveLength(4);
			expect(new Set(received).size).toBe(2);
		} finally {
			await sim.close();
			server.close();
		}
	});
});
