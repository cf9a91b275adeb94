/**
 * Downloads through n8n-core's engine against the simulator over HTTP, in both binary modes:
 * `default` (n8n 1.x's in-memory mode: the store reads the stream with on('data')) and
 * `filesystem` (the store iterates the stream into a file). The node counts and hashes the
 * body while the store consumes it, so every check here holds in both.
 *
 * The simulator plays the production gateway (asset.sha256 null, asset.bytes and Content-Length as
 * google/veo sends them); the checks against a gateway-given checksum use jobs created under the
 * documented profile.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject } from 'n8n-workflow';

import type { Simulator } from '../simulator';
import { disposeHarness } from './harness';
import { byId, generateParameters, NODE_NAME, runAiStats, startSimulator } from './support/fixtures';

let sim: Simulator;
const CONTENT_BYTES = 4 * 1024 * 1024;

beforeAll(async () => {
	sim = await startSimulator({ contentBytes: CONTENT_BYTES });
});
afterAll(async () => {
	await sim.close();
	await disposeHarness();
});
beforeEach(() => {
	sim.reset();
});

const contentCalls = () => sim.requests().filter((request) => request.method === 'GET' && /\/content$/.test(request.path));
const download = (id: string, options: IDataObject = {}) => ({ resource: 'video', operation: 'download', videoId: byId(id), options });
const sha256 = (buffer: Buffer) => createHash('sha256').update(buffer).digest('hex');

/** A finished job; `docs`: created under the documented profile (its asset has a sha256). */
async function completedJob(profile: 'production' | 'docs' = 'production', prompt?: string): Promise<string> {
	sim.setOptions({ profile });
	let id: string;
	try {
		const parameters = generateParameters({ waitForCompletion: 'none', ...(prompt ? { prompt } : {}) });
		const created = await runAiStats(sim, { parameters, binaryMode: 'filesystem' });
		id = created.items[0].json.id as string;
	} finally {
		sim.setOptions({ profile: 'production' });
	}
	await sim.completeJob(id);
	sim.clearRequests();
	return id;
}

function nodeTimeMs(result: Awaited<ReturnType<typeof runAiStats>>): number {
	return result.run.data.resultData.runData[NODE_NAME][0].executionTime;
}

describe.each(['default', 'filesystem'] as const)('downloads in binary mode %s', (binaryMode) => {
	const run = async (parameters: IDataObject, extra: { continueOnFail?: boolean; abortAfterMs?: number; baseUrl?: string } = {}) =>
		await runAiStats(sim, {
			parameters,
			binaryMode,
			abortAfterMs: extra.abortAfterMs,
			credential: extra.baseUrl ? { baseUrl: extra.baseUrl } : {},
			node: extra.continueOnFail ? { onError: 'continueRegularOutput' } : {},
		});

	it('stores the file in one pass and reports its size, SHA-256 and what they were checked against', async () => {
		const id = await completedJob();
		const expected = sim.contentFor(id, 0);
		const result = await run(download(id));
		expect(result.status).toBe('success');
		const item = result.items[0];
		expect(item.json).toMatchObject({ bytes: expected.bytes, sha256: expected.sha256, verified_against: ['content-length', 'asset.bytes'] });
		expect((item.json.asset as IDataObject).sha256).toBeNull();
		const stored = await result.binaryBuffer(item);
		expect(stored.length).toBe(CONTENT_BYTES);
		expect(sha256(stored)).toBe(expected.sha256);
		expect(item.binary?.data.id === undefined).toBe(binaryMode === 'default');
		// Two requests, made together: the job read and the file.
		expect(sim.requests().map((request) => `${request.method} ${request.path.replace(id, '{id}')}`).sort()).toEqual([
			'GET /v1/videos/{id}',
			'GET /v1/videos/{id}/content',
		]);
	});

	it('a gateway-given checksum (documented asset.sha256) is compared too', async () => {
		const id = await completedJob('docs');
		const expected = sim.contentFor(id, 0);
		const result = await run(download(id));
		expect(result.status).toBe('success');
		expect(result.items[0].json).toMatchObject({ bytes: expected.bytes, sha256: expected.sha256, verified_against: ['content-length', 'asset.bytes', 'asset.sha256'] });
	});

	it('without Content-Length the size is checked against the job only, and the item says so', async () => {
		const id = await completedJob();
		sim.injectFault({ route: 'GET /videos/:id/content', kind: 'no-length' });
		const result = await run(download(id));
		expect(result.status).toBe('success');
		expect(result.items[0].json).toMatchObject({ bytes: CONTENT_BYTES, sha256: sim.contentFor(id, 0).sha256, verified_against: ['asset.bytes'] });
	});

	it('with nothing to compare (no asset size or checksum, no Content-Length) it claims no check, but still reports size and SHA-256', async () => {
		const id = await completedJob('production', 'a video [sim:asset-bytes=none] [sim:content-length=none]');
		const result = await run(download(id));
		expect(result.status).toBe('success');
		expect(result.items[0].json).toMatchObject({ bytes: CONTENT_BYTES, sha256: sim.contentFor(id, 0).sha256, verified_against: [] });
		expect(result.items[0].json.asset).toMatchObject({ sha256: null, bytes: null });
	});

	// A flipped byte keeps the length: only the gateway's checksum (documented profile) reveals it.
	it.each([
		['corrupt', 'corrupt', 'docs'],
		['short', 'truncate', 'production'],
		['broken off', 'drop', 'production'],
	] as const)('a %s transfer is repeated and the intact file returned', async (_name, kind, profile) => {
		const id = await completedJob(profile);
		sim.injectFault({ route: 'GET /videos/:id/content', kind });
		const result = await run(download(id));
		expect(result.status).toBe('success');
		expect(contentCalls()).toHaveLength(2);
		expect(sha256(await result.binaryBuffer(result.items[0]))).toBe(sim.contentFor(id, 0).sha256);
	});

	it('a short transfer without Content-Length is caught by the job\'s size', async () => {
		const id = await completedJob();
		const proxy = await productionProxy(sim, { keepBytes: true, chunkedContent: true });
		try {
			// Chunked and ended cleanly half way: only the asset size can tell.
			sim.injectFault({ route: 'GET /videos/:id/content', kind: 'truncate', count: 10 });
			const result = await run(download(id), { baseUrl: proxy.baseUrl, continueOnFail: true });
			expect(result.items[0].binary).toBeUndefined();
			expect(result.items[0].json.error).toMatch(/^Incomplete video download/);
			expect(contentCalls()).toHaveLength(4);
		} finally {
			await proxy.close();
		}
	});

	it('a stalled body fails within twice the idle timeout, once, with an error that says it stalled', async () => {
		const id = await completedJob();
		sim.injectFault({ route: 'GET /videos/:id/content', kind: 'stall', bytes: 1024 * 1024 });
		const result = await run(download(id, { downloadIdleTimeout: 2 }), { continueOnFail: true });
		expect(result.items[0].binary).toBeUndefined();
		expect(result.items[0].json.error).toMatch(/^Video download stalled for \S+: no data for 2 s after 1048576 bytes/);
		expect(contentCalls()).toHaveLength(1);
		expect(nodeTimeMs(result)).toBeLessThan(4000);
	});

	it('a job that is not finished gets no file and a clear error; the early file request is dropped', async () => {
		const created = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none', prompt: 'x [sim:stuck]' }) });
		const id = created.items[0].json.id as string;
		sim.clearRequests();
		const result = await run(download(id), { continueOnFail: true });
		expect(result.items[0].binary).toBeUndefined();
		expect(result.items[0].json.error).toMatch(/is (queued|processing), not completed: nothing to download yet/);
		expect(contentCalls().length).toBeLessThanOrEqual(1);
	});

	it('a cancelled execution abandons the body at once', async () => {
		const id = await completedJob();
		const closed: string[] = [];
		sim.setOptions({ logger: (line: string) => closed.push(line) });
		sim.injectFault({ route: 'GET /videos/:id/content', kind: 'stall', bytes: 512 * 1024 });
		const result = await run(download(id, { downloadIdleTimeout: 60 }), { abortAfterMs: 1500 });
		expect(result.status).toBe('canceled');
		// The simulator logs a request when its connection closes: well before the 60 s idle timeout.
		const deadline = Date.now() + 3000;
		while (!closed.some((line) => /\/content → 200 \d+ms/.test(line)) && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		const line = closed.find((entry) => /\/content → 200 \d+ms/.test(entry));
		expect(line).toBeDefined();
		expect(Number(/(\d+)ms/.exec(line as string)?.[1])).toBeLessThan(5000);
		sim.setOptions({ logger: null });
	});
});

describe('time bounds', () => {
	it('a JSON answer that stalls half way is given up after the idle timeout (30 s) and the read repeated', async () => {
		const id = await completedJob();
		sim.injectFault({ route: 'GET /videos/:id', kind: 'stall', bytes: 10 });
		const result = await runAiStats(sim, { parameters: { resource: 'video', operation: 'get', videoId: byId(id) } });
		expect(result.status).toBe('success');
		expect(result.items[0].json.id).toBe(id);
		expect(sim.requests().filter((request) => request.path === `/v1/videos/${id}`)).toHaveLength(2);
		expect(nodeTimeMs(result)).toBeLessThan(60_000);
	}, 90_000);

	it('Generate bounds each download by Max Wait', async () => {
		sim.injectFault({ route: 'GET /videos/:id/content', kind: 'stall', bytes: 64 * 1024 });
		const result = await runAiStats(sim, {
			parameters: generateParameters({ waitForCompletion: 'poll', waitOptions: { maxWaitMinutes: 0.05, downloadIdleTimeout: 60 } }),
			node: { onError: 'continueRegularOutput' },
		});
		expect(result.items[0].binary).toBeUndefined();
		expect(result.items[0].json.error).toMatch(/took longer than 3 s and was stopped/);
		expect(nodeTimeMs(result)).toBeLessThan(15_000);
	});
});

/**
 * A gateway in front of the simulator whose job reads have no checksum and (unless `keepBytes`)
 * no size in `asset`. With `chunkedContent`, content is passed on without Content-Length and
 * ends cleanly even when the upstream body breaks off (the simulator's cut-off chunked body is an
 * error, not a clean end). Everything else passes through unchanged.
 */
async function productionProxy(target: Simulator, options: { keepBytes?: boolean; chunkedContent?: boolean } = {}) {
	const upstream = new URL(target.baseUrl);
	const server = http.createServer((req, res) => {
		const forward = http.request(
			{ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
			(answer) => {
				const isJobRead = req.method === 'GET' && /^\/v1\/videos\/[^/]+$/.test(new URL(req.url ?? '/', 'http://x').pathname);
				if (!isJobRead || answer.statusCode !== 200) {
					const headers = { ...answer.headers };
					if (options.chunkedContent && /\/content$/.test(req.url?.split('?')[0] ?? '')) {
						// Sent on chunked, and ended cleanly even when the upstream body breaks off.
						delete headers['content-length'];
						delete headers.connection;
						answer.on('aborted', () => res.end());
						answer.on('error', () => res.end());
					}
					res.writeHead(answer.statusCode ?? 502, headers);
					answer.pipe(res);
					return;
				}
				const chunks: Buffer[] = [];
				answer.on('data', (chunk: Buffer) => chunks.push(chunk));
				answer.on('end', () => {
					const job = JSON.parse(Buffer.concat(chunks).toString('utf8')) as IDataObject;
					if (job.asset) job.asset = { ...(job.asset as IDataObject), sha256: null, ...(options.keepBytes ? {} : { bytes: null }) };
					const body = Buffer.from(JSON.stringify(job));
					res.writeHead(200, { ...answer.headers, 'content-length': body.length });
					res.end(body);
				});
			},
		);
		req.pipe(forward);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}${upstream.pathname}`,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
