import type { IDataObject } from 'n8n-workflow';

import type { Simulator } from '../simulator';
import { disposeHarness, harnessLogText } from './harness';
import { byId, generateParameters, runAiStats, startSimulator, WEBHOOK_SECRET } from './support/fixtures';

let sim: Simulator;
const outputs: string[] = [];

beforeAll(async () => {
	sim = await startSimulator();
});
afterAll(async () => {
	await sim.close();
	await disposeHarness();
});
beforeEach(() => {
	sim.reset();
});

/** Runs the node and keeps everything it produced for the secrets scan at the end. */
async function run(parameters: IDataObject, extra: Parameters<typeof runAiStats>[1] extends infer T ? Partial<T> : never = {}) {
	const result = await runAiStats(sim, { parameters, ...extra });
	outputs.push(JSON.stringify(result.items), JSON.stringify(result.error ?? null), JSON.stringify(result.run.data.resultData));
	return result;
}

const calls = (method: string, pattern: RegExp) => sim.requests().filter((request) => request.method === method && pattern.test(request.path));
const getStatus = (id: string) => ({ resource: 'video', operation: 'get', videoId: byId(id) });

async function completedJob(): Promise<string> {
	const created = await run(generateParameters({ waitForCompletion: 'none' }));
	const id = created.items[0].json.id as string;
	await sim.completeJob(id);
	sim.clearRequests();
	return id;
}

describe('gateway error classes become readable NodeApiErrors', () => {
	it.each([
		['unsupported model (400)', { model: byId('acme/no-such-model') }, {}, /^Unsupported model \(400\)/],
		['guardrail (403)', { prompt: 'something [sim:guardrail]' }, {}, /^Blocked by the gateway guardrails \(403\)/],
		['insufficient funds (402)', {}, { apiKey: 'noFunds' }, /^Insufficient funds \(402\)/],
		['video disabled (501)', {}, { apiKey: 'videoDisabled' }, /^Not available \(501\): The video API is not enabled for this workspace/],
		['expired key (401)', {}, { apiKey: 'expired' }, /^Authorization failed \(401\): The API key has expired/],
	])('%s', async (_name, parameters, credential, message) => {
		const key = (credential as { apiKey?: keyof Simulator['keys'] }).apiKey;
		const result = await run(generateParameters({ waitForCompletion: 'none', ...parameters }), {
			credential: key ? { apiKey: sim.keys[key] } : {},
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(message);
		expect(String((result.error as { description?: string }).description)).toMatch(/Request ID: \S+/);
	});

	it.each([
		[413, 'payload_too_large', /^Request too large \(413\)/],
		[500, 'gateway_error', /^Gateway error \(500\)/],
		[502, 'upstream_error', /^Provider error \(502\)/],
	])('status %d %s on create (not retried)', async (status, error, message) => {
		sim.injectFault({ route: 'POST /videos', kind: 'status', status, error });
		const result = await run(generateParameters({ waitForCompletion: 'none' }));
		expect(result.error?.message).toMatch(message);
		expect(calls('POST', /^\/v1\/videos$/)).toHaveLength(1);
	});

	it('a gateway that refuses inline webhook URLs gets a hint to use an endpoint ID', async () => {
		sim.setOptions({ acceptInlineWebhooks: false });
		try {
			const result = await run(generateParameters({ waitForCompletion: 'none', notifyWebhook: { url: 'https://hooks.example.com/x' } }));
			expect(result.error?.message).toMatch(/^The gateway rejected the request \(400\)/);
			expect(String((result.error as { description?: string }).description)).toContain('Notify Webhook → Endpoint ID');
		} finally {
			sim.setOptions({ acceptInlineWebhooks: null });
		}
	});

	it('a download link for an unfinished job names the reason', async () => {
		const created = await run(generateParameters({ waitForCompletion: 'none', prompt: 'x [sim:stuck]' }));
		const result = await run({ resource: 'video', operation: 'getDownloadLink', videoId: byId(created.items[0].json.id as string) });
		expect(result.error?.message).toContain('A download link can only be made for a completed video');
	});

	it('Continue On Fail puts the gateway fields on the error item', async () => {
		const result = await run(generateParameters({ waitForCompletion: 'none' }), {
			credential: { apiKey: sim.keys.noFunds },
			node: { onError: 'continueRegularOutput' },
		});
		expect(result.items[0].json).toMatchObject({
			http_status: 402,
			gateway_error: 'insufficient_funds',
			request_id: expect.any(String),
			error: expect.stringMatching(/^Insufficient funds \(402\)/),
		});
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
	});
});

describe('retry policy', () => {
	it('retries reads on 429/502/503/504 and succeeds', async () => {
		const id = await completedJob();
		for (const status of [429, 502, 503]) sim.injectFault({ route: 'GET /videos/:id', kind: 'status', status });
		const result = await run(getStatus(id));
		expect(result.status).toBe('success');
		expect(calls('GET', /^\/v1\/videos\/[^/]+$/).map((call) => call.status)).toEqual([429, 502, 503, 200]);
	});

	it('gives up on reads after four attempts with the last gateway error', async () => {
		const id = await completedJob();
		sim.injectFault({ route: 'GET /videos/:id', kind: 'status', status: 429, error: 'key_limit_exceeded', count: 10 });
		const result = await run(getStatus(id));
		expect(result.error?.message).toMatch(/^Rate limit exceeded \(429\)/);
		expect(calls('GET', /^\/v1\/videos\/[^/]+$/)).toHaveLength(4);
	});

	it('retries reads after a connection reset and a garbled body', async () => {
		const id = await completedJob();
		sim.injectFault({ route: 'GET /videos/:id', kind: 'reset' });
		sim.injectFault({ route: 'GET /videos/:id', kind: 'malformed' });
		const result = await run(getStatus(id));
		expect(result.status).toBe('success');
		expect(result.items[0].json.id).toBe(id);
	});

	it('retries a create that was rate limited (nothing was created)', async () => {
		sim.injectFault({ route: 'POST /videos', kind: 'status', status: 429, error: 'key_limit_exceeded' });
		const result = await run(generateParameters({ waitForCompletion: 'none' }));
		expect(result.status).toBe('success');
		expect(calls('POST', /^\/v1\/videos$/)).toHaveLength(2);
		expect(sim.jobs()).toHaveLength(1);
	});

	it.each([
		['a 502 after the job was created', { kind: 'status', status: 502, commit: true }],
		['a connection reset after the job was created', { kind: 'reset', commit: true }],
		['a garbled answer', { kind: 'malformed', status: 202, commit: true }],
		['a slow answer that times out? no: a dropped answer', { kind: 'drop', commit: true }],
	] as const)('never repeats a create after %s (no double billing)', async (_name, fault) => {
		sim.injectFault({ route: 'POST /videos', ...fault });
		const result = await run(generateParameters({ waitForCompletion: 'none' }));
		expect(result.status).toBe('error');
		expect(calls('POST', /^\/v1\/videos$/)).toHaveLength(1);
		expect(sim.jobs()).toHaveLength(1);
	});

	it('explains that a broken create may have created the job', async () => {
		sim.injectFault({ route: 'POST /videos', kind: 'reset', commit: true });
		const result = await run(generateParameters({ waitForCompletion: 'none' }));
		expect(String((result.error as { description?: string }).description)).toContain('may have created (and billed) the job');
	});

	it('reports an unreachable gateway clearly (connection refused is retried, then fails)', async () => {
		const result = await run(generateParameters({ waitForCompletion: 'none' }), { credential: { baseUrl: 'http://127.0.0.1:9/v1' } });
		expect(result.error?.message).toContain('connection refused');
		expect(String((result.error as { description?: string }).description)).toContain('could not be reached');
	});
});

describe('unexpected answers', () => {
	it.each([
		['an HTML error page', { kind: 'html', status: 502 }, /HTML page/],
		['an empty body', { kind: 'empty', status: 503 }, /empty body/],
		['a huge non-JSON body', { kind: 'huge', status: 502, bytes: 8 * 1024 * 1024 }, /oversized body|not JSON/],
	] as const)('%s becomes a clear error with the status', async (_name, fault, message) => {
		const id = await completedJob();
		sim.injectFault({ route: 'GET /videos/:id', ...fault, count: 10 });
		const result = await run(getStatus(id));
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(new RegExp(`\\(${fault.status}\\)`));
		expect(`${result.error?.message} ${(result.error as { description?: string }).description}`).toMatch(message);
	});
});

// Checksum verification needs asset.sha256, which only the documented form (docs profile) fills;
// production always sends null.
describe('download integrity', () => {
	beforeAll(() => sim.setOptions({ profile: 'docs' }));
	afterAll(() => sim.setOptions({ profile: 'production' }));
	const download = (id: string, options = {}) => ({ resource: 'video', operation: 'download', videoId: byId(id), options });
	const contentCalls = () => calls('GET', /\/content$/);

	it.each([
		['a dropped connection', 'drop'],
		['a truncated body', 'truncate'],
		['corrupted bytes', 'corrupt'],
	] as const)('repeats the transfer after %s and returns the intact file', async (_name, kind) => {
		const id = await completedJob();
		sim.injectFault({ route: 'GET /videos/:id/content', kind });
		const result = await run(download(id));
		expect(result.status).toBe('success');
		expect(contentCalls()).toHaveLength(2);
		const bytes = await result.binaryBuffer(result.items[0]);
		expect(bytes.length).toBe(sim.contentFor(id, 0).bytes);
	});

	it.each([
		['truncated', 'truncate', /received \d+ of \d+ bytes|transfer broke off/],
		['corrupt', 'corrupt', /SHA-256/],
	] as const)('fails the item when every attempt is %s: never a broken file', async (_name, kind, message) => {
		const id = await completedJob();
		sim.injectFault({ route: 'GET /videos/:id/content', kind, count: 10 });
		const result = await run(download(id), { node: { onError: 'continueRegularOutput' } });
		expect(result.items).toHaveLength(1);
		expect(result.items[0].binary).toBeUndefined();
		expect(result.items[0].json.error).toMatch(message);
		expect(result.items[0].json.error).toMatch(/^Incomplete video download/);
		expect(contentCalls()).toHaveLength(4);
	});

	it('skips the checksum only when asked', async () => {
		const id = await completedJob();
		sim.injectFault({ route: 'GET /videos/:id/content', kind: 'corrupt' });
		const result = await run(download(id, { verifyChecksum: false }));
		expect(result.status).toBe('success');
		expect(contentCalls()).toHaveLength(1);
	});
});

describe('secrets', () => {
	it('no key, signing secret or signed-link token appears in any output, error or log', () => {
		const everything = [...outputs, harnessLogText()].join('\n');
		expect(everything.length).toBeGreaterThan(1000);
		for (const secret of [sim.keys.inference, sim.keys.noFunds, sim.keys.videoDisabled, sim.keys.expired, WEBHOOK_SECRET]) {
			expect(everything).not.toContain(secret);
		}
		expect(everything).not.toMatch(/download_sig=/);
	});
});
