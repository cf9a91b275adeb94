/**
 * Gateway simulator: injected faults of every kind, the /__sim control API, reference fetching,
 * and the CLI entry point.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createSimulator, type Simulator } from '..';
import { call, createBody, createJob, rawGet, startReceiver, waitForStatus } from './helpers';

let sim: Simulator;

beforeAll(async () => {
	sim = await createSimulator({ profile: 'docs', queuedMs: 20, jobMs: 150 });
});
afterAll(async () => {
	await sim.close();
});
afterEach(() => {
	sim.reset();
	sim.setOptions({ queuedMs: 20, jobMs: 150, contentBytes: null, fetchReferences: false, allowHttpReferences: false });
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const auth = () => ({ authorization: `Bearer ${sim.keys.inference}` });

async function completedJobId(overrides: Record<string, unknown> = {}) {
	const id = await createJob(sim, overrides);
	await waitForStatus(sim, id, ['completed']);
	return id;
}

describe('API faults', () => {
	it('status: replaces the response once with a flat error, then recovers', async () => {
		sim.injectFault({ route: 'POST /videos', kind: 'status', status: 429 });
		const limited = await call(sim, '/videos', { body: createBody() });
		expect(limited.status).toBe(429);
		expect(limited.json).toMatchObject({ error: 'key_limit_exceeded', reason: 'simulated_fault', status_code: 429 });
		expect(limited.headers.get('retry-after')).toBeNull();
		expect(sim.jobs()).toHaveLength(0);
		expect((await call(sim, '/videos', { body: createBody() })).status).toBe(202);
		sim.injectFault({ route: 'GET /videos', kind: 'status', status: 500, error: 'gateway_error', reason: 'db_error', message: 'boom' });
		expect((await call(sim, '/videos')).json).toMatchObject({ error: 'gateway_error', reason: 'db_error', message: 'boom', status_code: 500 });
	});

	it('count and probability control how often a fault fires', async () => {
		sim.injectFault({ route: 'GET /videos/models', kind: 'status', status: 503, count: 2 });
		const statuses = [];
		for (let i = 0; i < 3; i += 1) statuses.push((await call(sim, '/videos/models')).status);
		expect(statuses).toEqual([503, 503, 200]);
		sim.injectFault({ route: 'GET /videos/models', kind: 'status', status: 502, probability: 1 });
		for (let i = 0; i < 3; i += 1) expect((await call(sim, '/videos/models')).status).toBe(502);
		expect(sim.faults()[0].remaining).toBeNull();
		sim.clearFaults();
		sim.injectFault({ route: 'GET /videos/models', kind: 'status', status: 502, probability: 0 });
		for (let i = 0; i < 3; i += 1) expect((await call(sim, '/videos/models')).status).toBe(200);
	});

	it('omitted route hits any API route; videoId narrows it', async () => {
		sim.setOptions({ jobMs: 60_000 });
		const a = await createJob(sim);
		const b = await createJob(sim);
		sim.injectFault({ route: 'GET /videos/:id', kind: 'status', status: 502, videoId: b });
		expect((await call(sim, `/videos/${a}`)).status).toBe(200);
		expect((await call(sim, `/videos/${b}`)).status).toBe(502);
		sim.injectFault({ kind: 'status', status: 500 });
		expect((await call(sim, '/videos/models')).status).toBe(500);
	});

	it('nonTerminalOnly: 502 upstream_error only while the job is running', async () => {
		sim.setOptions({ jobMs: 60_000 });
		const running = await createJob(sim);
		const done = await createJob(sim);
		await sim.completeJob(done);
		sim.injectFault({ route: 'GET /videos/:id', kind: 'status', status: 502, nonTerminalOnly: true, probability: 1 });
		expect((await call(sim, `/videos/${done}`)).status).toBe(200);
		const failing = await call(sim, `/videos/${running}`);
		expect(failing.status).toBe(502);
		expect(failing.json.error).toBe('upstream_error');
	});

	it('reset: connection reset before any response', async () => {
		sim.injectFault({ route: 'GET /videos', kind: 'reset' });
		const result = await rawGet(`${sim.baseUrl}/videos`, auth());
		expect(result.status).toBeUndefined();
		expect(result.error).toMatch(/ECONNRESET|socket hang up/);
		expect(sim.requests().at(-1)?.status).toBe(0);
	});

	it('commit: the create reaches the server (job + funds held) but the client sees a failure', async () => {
		sim.injectFault({ route: 'POST /videos', kind: 'reset', commit: true });
		await expect(fetch(`${sim.baseUrl}/videos`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(createBody()) })).rejects.toThrow();
		expect(sim.jobs()).toHaveLength(1);
		sim.injectFault({ route: 'POST /videos', kind: 'status', status: 502, commit: true });
		expect((await call(sim, '/videos', { body: createBody() })).status).toBe(502);
		expect(sim.jobs()).toHaveLength(2);
	});

	it('malformed, html, empty and huge bodies', async () => {
		const id = await completedJobId();
		sim.injectFault({ route: 'GET /videos/:id', kind: 'malformed' });
		const malformed = await call(sim, `/videos/${id}`);
		expect(malformed.status).toBe(200);
		expect(malformed.headers.get('content-type')).toBe('application/json');
		expect(() => JSON.parse(malformed.text)).toThrow();

		sim.injectFault({ route: 'GET /videos/:id', kind: 'html', status: 502 });
		const html = await call(sim, `/videos/${id}`);
		expect(html.status).toBe(502);
		expect(html.headers.get('content-type')).toMatch(/text\/html/);
		expect(html.text).toContain('502 Bad Gateway');

		sim.injectFault({ route: 'GET /videos/:id', kind: 'empty', status: 503 });
		const empty = await call(sim, `/videos/${id}`);
		expect(empty.status).toBe(503);
		expect(empty.text).toBe('');

		sim.injectFault({ route: 'GET /videos/:id', kind: 'huge', bytes: 3 * 1024 * 1024 });
		const huge = await rawGet(`${sim.baseUrl}/videos/${id}`, auth());
		expect(huge.status).toBe(502);
		expect(huge.body.length).toBe(3 * 1024 * 1024);
	});

	it('delay: slows the response down', async () => {
		sim.injectFault({ route: 'GET /videos/models', kind: 'delay', delayMs: 250 });
		const started = Date.now();
		expect((await call(sim, '/videos/models')).status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(240);
	});

	it('drop: headers and part of the body, then the connection dies', async () => {
		const id = await completedJobId();
		const total = sim.contentFor(id).bytes;
		sim.injectFault({ route: 'GET /videos/:id/content', kind: 'drop', bytes: 1000 });
		const result = await rawGet(`${sim.baseUrl}/videos/${id}/content`, auth());
		expect(result.status).toBe(200);
		expect(Number(result.headers?.['content-length'])).toBe(total);
		expect(result.complete).toBe(false);
		expect(result.body.length).toBe(1000);
	});

	it('truncate: full Content-Length declared, fewer bytes, clean close', async () => {
		const id = await completedJobId();
		const total = sim.contentFor(id).bytes;
		sim.injectFault({ route: 'GET /videos/:id/content', kind: 'truncate' });
		const result = await rawGet(`${sim.baseUrl}/videos/${id}/content`, auth());
		expect(result.status).toBe(200);
		expect(Number(result.headers?.['content-length'])).toBe(total);
		expect(result.complete).toBe(false);
		expect(result.body.length).toBe(Math.floor(total / 2));
	});

	it('stall: part of the body, then silence on an open connection', async () => {
		const id = await completedJobId();
		sim.injectFault({ route: 'GET /videos/:id/content', kind: 'stall', bytes: 1000, delayMs: 400 });
		const started = Date.now();
		const result = await rawGet(`${sim.baseUrl}/videos/${id}/content`, auth());
		expect(result.status).toBe(200);
		expect(result.complete).toBe(false);
		expect(result.body.length).toBe(1000);
		expect(Date.now() - started).toBeGreaterThanOrEqual(380);
	});

	it('no-length: the whole body, chunked, without Content-Length', async () => {
		const id = await completedJobId();
		const { bytes, sha256: expected } = sim.contentFor(id);
		sim.injectFault({ route: 'GET /videos/:id/content', kind: 'no-length' });
		const result = await rawGet(`${sim.baseUrl}/videos/${id}/content`, auth());
		expect(result.headers?.['content-length']).toBeUndefined();
		expect(result.headers?.['transfer-encoding']).toBe('chunked');
		expect(result.body.length).toBe(bytes);
		expect(sha256(result.body)).toBe(expected);
	});

	it('corrupt: same length, different sha256', async () => {
		const id = await completedJobId();
		const { bytes, sha256: expected } = sim.contentFor(id);
		sim.injectFault({ route: 'GET /videos/:id/content', kind: 'corrupt' });
		const result = await rawGet(`${sim.baseUrl}/videos/${id}/content`, auth());
		expect(result.body.length).toBe(bytes);
		expect(sha256(result.body)).not.toBe(expected);
		const clean = await rawGet(`${sim.baseUrl}/videos/${id}/content`, auth());
		expect(sha256(clean.body)).toBe(expected);
	});

	it('signed-content faults only hit signed download requests', async () => {
		const id = await completedJobId();
		const { download_url: url } = (await call(sim, `/videos/${id}/download_url`, { method: 'POST' })).json;
		sim.injectFault({ route: 'signed-content', kind: 'status', status: 403, error: 'forbidden' });
		expect((await rawGet(`${sim.baseUrl}/videos/${id}/content`, auth())).status).toBe(200);
		expect((await rawGet(url)).status).toBe(403);
		expect((await rawGet(url)).status).toBe(200);
	});

	it('rejects nonsense fault descriptions', () => {
		expect(() => sim.injectFault({ route: 'GET /nowhere' as never, kind: 'status' })).toThrow(/Unknown fault route/);
		expect(() => sim.injectFault({ kind: 'explode' as never })).toThrow(/Unknown fault kind/);
		expect(() => sim.injectFault({ route: 'webhook', kind: 'truncate' })).toThrow(/Unknown fault kind/);
		expect(() => sim.injectFault({ kind: 'status', probability: 2 })).toThrow(/probability/);
	});
});

describe('synthetic content', () => {
	it('streams 64 MiB with backpressure and a deterministic, offset-stamped pattern', async () => {
		const size = 64 * 1024 * 1024;
		sim.setOptions({ contentBytes: '64MiB' });
		const id = await createJob(sim, { sample_count: 2 });
		const job = await waitForStatus(sim, id, ['completed'], 20_000);
		expect(job.asset.bytes).toBe(size);
		const hash = createHash('sha256');
		let received = 0;
		let chunk0: Buffer | undefined;
		await new Promise<void>((resolve, reject) => {
			http.get(job.content_url, { headers: auth() }, (response) => {
				expect(response.headers['content-length']).toBe(String(size));
				response.on('data', (chunk: Buffer) => {
					if (!chunk0) chunk0 = chunk;
					received += chunk.length;
					hash.update(chunk);
				});
				response.on('end', resolve);
				response.on('error', reject);
			});
		});
		expect(received).toBe(size);
		expect(hash.digest('hex')).toBe(job.asset.sha256);
		expect(chunk0?.subarray(4, 8).toString('latin1')).toBe('ftyp');
		expect(sim.contentFor(id, 1).sha256).not.toBe(job.asset.sha256);
	});

	it('survives clients that abort mid-download', async () => {
		sim.setOptions({ contentBytes: '32MiB' });
		const id = await completedJobId();
		await new Promise<void>((resolve) => {
			const request = http.get(`${sim.baseUrl}/videos/${id}/content`, { headers: auth() }, (response) => {
				response.once('data', () => {
					request.destroy();
					resolve();
				});
			});
			request.on('error', () => undefined);
		});
		expect((await call(sim, `/videos/${id}`)).status).toBe(200);
	});
});

describe('reference fetching', () => {
	let server: http.Server;
	let base: string;
	beforeAll(async () => {
		server = http.createServer((req, res) => {
			if (req.url === '/frame.png') {
				res.writeHead(200, { 'content-type': 'image/png' });
				res.end(Buffer.alloc(2048, 7));
			} else if (req.url === '/moved.png') {
				res.writeHead(302, { location: '/frame.png' });
				res.end();
			} else {
				res.writeHead(404);
				res.end('missing');
			}
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});

	const refs = (...paths: string[]) => paths.map((p) => ({ type: 'image_url', role: 'reference', image_url: { url: `${base}${p}` } }));

	it('fetches every reference like a provider and records what it saw', async () => {
		sim.setOptions({ fetchReferences: true, allowHttpReferences: true });
		const id = await createJob(sim, { input_references: refs('/frame.png', '/moved.png') });
		await waitForStatus(sim, id, ['completed']);
		const fetched = sim.references();
		expect(fetched).toHaveLength(2);
		for (const entry of fetched) {
			expect(entry).toMatchObject({ status: 200, bytes: 2048, contentType: 'image/png', jobId: id, error: undefined });
			expect(entry.sha256).toBe(sha256(Buffer.alloc(2048, 7)));
		}
	});

	it('fails the job when a reference cannot be fetched', async () => {
		sim.setOptions({ fetchReferences: true, allowHttpReferences: true });
		const id = await createJob(sim, { input_references: refs('/gone.png') });
		const job = await waitForStatus(sim, id, ['failed', 'completed']);
		expect(job.status).toBe('failed');
		expect(job.error).toMatchObject({ code: 'invalid_input_reference' });
		expect(sim.references()[0]).toMatchObject({ status: 404, error: 'HTTP 404' });
	});

	it('requires https references unless allowHttpReferences is set', async () => {
		const result = await call(sim, '/videos', { body: createBody({ input_references: refs('/frame.png') }) });
		expect(result.status).toBe(400);
	});
});

describe('control API (/__sim)', () => {
	const control = async (method: string, route: string, body?: unknown) => {
		const response = await fetch(`${sim.origin}/__sim/${route}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return { status: response.status, json: (await response.json()) as any };
	};

	it('drives the simulator from outside without auth', async () => {
		expect((await control('GET', 'health')).json).toMatchObject({ ok: true, baseUrl: sim.baseUrl });
		expect((await control('GET', 'keys')).json).toEqual(sim.keys);
		expect((await control('POST', 'options', { jobMs: 60_000 })).json.jobMs).toBe(60_000);
		expect((await control('POST', 'options', { jobMs: 'slow' })).status).toBe(400);

		const receiver = await startReceiver();
		try {
			const id = await createJob(sim);
			expect((await control('GET', 'jobs')).json.map((job: { id: string }) => job.id)).toEqual([id]);
			expect((await control('GET', `jobs/${id}`)).json.status).toMatch(/queued|processing/);
			expect((await control('POST', `jobs/${id}/complete`)).json.status).toBe('completed');
			expect((await control('POST', `jobs/${id}/fail`)).status).toBe(409);
			expect((await control('GET', `content/${id}`)).json).toEqual(sim.contentFor(id));

			const delivered = await control('POST', 'deliver', { url: receiver.url, secret: 'whsec_x', jobId: id, type: 'video.completed', tamper: 'uppercase-hex' });
			expect(delivered.status).toBe(200);
			expect(delivered.json).toMatchObject({ status: 200, event: { type: 'video.completed' } });
			expect(receiver.received[0].headers['x-phaseo-signature']).toMatch(/^[0-9A-F]{64}$/);
			expect((await control('GET', 'deliveries')).json).toHaveLength(1);
			const signed = await control('POST', 'sign', { secret: 'whsec_x', timestamp: 1700000000, body: '{}' });
			expect(signed.json.signature).toBe(sim.signPayload('whsec_x', 1700000000, '{}'));

			expect((await control('POST', 'faults', { route: 'GET /videos', kind: 'status', status: 503 })).json.faults).toHaveLength(1);
			expect((await call(sim, '/videos')).status).toBe(503);
			await control('POST', 'faults', { route: 'GET /videos', kind: 'status', status: 503 });
			await control('DELETE', 'faults');
			expect((await call(sim, '/videos')).status).toBe(200);

			const requests = (await control('GET', 'requests')).json;
			expect(requests.every((entry: { path: string }) => entry.path.startsWith('/v1/'))).toBe(true);
			await control('DELETE', 'requests');
			expect(sim.requests()).toHaveLength(0);

			await control('POST', 'reset');
			expect(sim.jobs()).toHaveLength(0);
			expect(sim.deliveries()).toHaveLength(0);
			expect((await control('GET', 'nope')).status).toBe(404);
		} finally {
			await receiver.close();
		}
	});
});

describe('CLI', () => {
	it('starts on a random port, prints its URL and keys, and stops on SIGTERM', async () => {
		const child = spawn(process.execPath, [path.join(__dirname, '..', 'cli.js'), '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
		const line = await new Promise<string>((resolve, reject) => {
			let buffer = '';
			child.stdout.on('data', (chunk: Buffer) => {
				buffer += chunk.toString();
				if (buffer.includes('\n')) resolve(buffer.split('\n')[0]);
			});
			child.on('error', reject);
			child.on('exit', (code) => reject(new Error(`exited early with ${code}`)));
		});
		const info = JSON.parse(line);
		expect(info.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
		expect(info.keys.inference).toMatch(/^phaseo_v1_sk_/);
		const models = await fetch(`${info.baseUrl}/videos/models`, { headers: { authorization: `Bearer ${info.keys.inference}` } });
		expect(models.status).toBe(200);
		const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
		child.kill('SIGTERM');
		expect(await exit).toBe(0);
	});
});
