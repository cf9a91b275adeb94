/**
 * Proves the in-process harness against n8n-core's real engine, with the fake nodes in
 * test/harness/fixtures and a local HTTP server standing in for the remote API.
 */
import { existsSync, readFileSync } from 'node:fs';

import {
	callListSearch,
	disposeHarness,
	harnessLogText,
	harnessLogs,
	resumeAfterWaitTimeout,
	resumeWaiting,
	runWebhookMethod,
	runWebhookTrigger,
	runWorkflow,
	testCredential,
} from '.';
import type { HarnessCredential, HarnessWorkflow, RunOptions } from '.';
import type { LocalHttpServer } from './fixtures/local-http-server';
import { sendJson, startLocalHttpServer } from './fixtures/local-http-server';
import {
	HarnessApiCallNode,
	HarnessDownloadNode,
	HarnessEchoNode,
	HarnessFunctionAuthApi,
	HarnessSlowNode,
	HarnessTestApi,
	HarnessTriggerNode,
	HarnessWaitForCallbackNode,
	signBody,
} from './fixtures/test-nodes';

const API_KEY = 'sk-harness-0123456789-secret';
const FUNCTION_KEY = 'fk-harness-9876543210-secret';
const CALLBACK_SECRET = 'whsec-callback-secret';
const VIDEO_BYTES = Buffer.alloc(256 * 1024, 7); // 256 KiB, streamed in several chunks

const nodeTypes = {
	'harnessTest.apiCall': new HarnessApiCallNode(),
	'harnessTest.download': new HarnessDownloadNode(),
	'harnessTest.slow': new HarnessSlowNode(),
	'harnessTest.waitForCallback': new HarnessWaitForCallbackNode(),
	'harnessTest.echo': new HarnessEchoNode(),
	'harnessTest.trigger': new HarnessTriggerNode(),
};
const credentialTypes = {
	harnessTestApi: new HarnessTestApi(),
	harnessFunctionAuthApi: new HarnessFunctionAuthApi(),
};

let api: LocalHttpServer;
let credentials: HarnessCredential[];
/** Webhook registrations the fake service holds: id → { url, secret }. */
const registrations = new Map<string, { url: string; secret: string }>();

beforeAll(async () => {
	api = await startLocalHttpServer((request, res) => {
		const path = request.url.split('?')[0];
		const authorised = request.headers.authorization === `Bearer ${API_KEY}`;
		if (path === '/v1/echo') {
			return sendJson(res, 200, {
				authorization: request.headers.authorization ?? null,
				apiKeyHeader: request.headers['x-api-key'] ?? null,
				received: JSON.parse(request.body.toString() || '{}'),
			});
		}
		if (path === '/v1/me') {
			return authorised
				? sendJson(res, 200, { id: 'user-1' })
				: sendJson(res, 200, { error: { type: 'invalid_key' } });
		}
		if (path === '/v1/video.mp4') {
			res.writeHead(200, { 'content-type': 'video/mp4' });
			for (let offset = 0; offset < VIDEO_BYTES.length; offset += 16 * 1024) {
				res.write(VIDEO_BYTES.subarray(offset, offset + 16 * 1024));
			}
			return res.end();
		}
		if (path === '/v1/hang') return; // never answers: only a cancel ends the request
		if (path === '/v1/models') {
			const query = new URL(request.url, api.url).searchParams;
			return sendJson(res, 200, {
				data: [{ id: `m-${query.get('filter')}`, name: `Model ${query.get('filter')}` }],
				next: query.get('cursor') ? undefined : 'page-2',
			});
		}
		if (path === '/v1/webhooks' && request.method === 'POST') {
			const { url } = JSON.parse(request.body.toString()) as { url: string };
			const id = `wh_${registrations.size + 1}`;
			registrations.set(id, { url, secret: `whsec_${id}` });
			return sendJson(res, 201, { id, secret: `whsec_${id}` });
		}
		const webhookMatch = /^\/v1\/webhooks\/(.+)$/.exec(path);
		if (webhookMatch) {
			const exists = registrations.has(webhookMatch[1]);
			if (request.method === 'DELETE') registrations.delete(webhookMatch[1]);
			return sendJson(res, exists ? 200 : 404, exists ? { id: webhookMatch[1] } : {});
		}
		return sendJson(res, 404, { error: 'not found' });
	});
	credentials = [
		{ id: 'cred-1', name: 'Test API', type: 'harnessTestApi', data: { apiKey: API_KEY, baseUrl: api.url } },
		{
			id: 'cred-2',
			name: 'Function Key API',
			type: 'harnessFunctionAuthApi',
			data: { apiKey: FUNCTION_KEY, baseUrl: api.url },
		},
	];
});

afterAll(async () => {
	await api.close();
	disposeHarness();
});

function options(workflow: HarnessWorkflow, extra: Partial<RunOptions> = {}): RunOptions {
	return { nodeTypes, credentialTypes, credentials, workflow, ...extra };
}

function chain(...names: string[]) {
	const connections: HarnessWorkflow['connections'] = {};
	for (let i = 0; i < names.length - 1; i++) {
		connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
	}
	return connections;
}

const start = (items: unknown[]) => ({
	id: 'start',
	name: 'Start',
	type: 'harness.start',
	typeVersion: 1,
	position: [0, 0] as [number, number],
	parameters: { items: items as never },
});

describe('runWorkflow', () => {
	it('authenticates real HTTP calls with a declarative Bearer block and evaluates expressions', async () => {
		const result = await runWorkflow(
			options({
				nodes: [
					start([{ json: { prompt: 'a red fox' } }]),
					{
						id: 'call',
						name: 'Call',
						type: 'harnessTest.apiCall',
						typeVersion: 1,
						position: [200, 0],
						parameters: { prompt: '={{ $json.prompt }} at dawn' },
						credentials: { harnessTestApi: { id: 'cred-1', name: 'Test API' } },
					},
				],
				connections: chain('Start', 'Call'),
			}),
		);

		expect(result.status).toBe('success');
		const [item] = result.output('Call');
		expect(item.json.authorization).toBe(`Bearer ${API_KEY}`);
		expect(item.json.received).toEqual({ prompt: 'a red fox at dawn' });
		expect(harnessLogs().some((entry) => entry.message === 'Calling the test API')).toBe(true);
		expect(harnessLogText()).not.toContain(API_KEY);
	});

	it('applies a function authenticate', async () => {
		const result = await runWorkflow(
			options({
				nodes: [
					start([{ json: {} }]),
					{
						id: 'call',
						name: 'Call',
						type: 'harnessTest.apiCall',
						typeVersion: 1,
						position: [200, 0],
						parameters: { authentication: 'functionKey', prompt: 'x' },
						credentials: { harnessFunctionAuthApi: { id: 'cred-2', name: 'Function Key API' } },
					},
				],
				connections: chain('Start', 'Call'),
			}),
		);
		expect(result.status).toBe('success');
		expect(result.output('Call')[0].json).toMatchObject({ apiKeyHeader: FUNCTION_KEY, authorization: null });
	});

	it('reports a node error with status error', async () => {
		const result = await runWorkflow(
			options({
				nodes: [
					start([{ json: {} }]),
					{
						id: 'call',
						name: 'Call',
						type: 'harnessTest.apiCall',
						typeVersion: 1,
						position: [200, 0],
						parameters: { prompt: 'x' },
						credentials: { harnessTestApi: { id: 'missing', name: 'Nope' } },
					},
				],
				connections: chain('Start', 'Call'),
			}),
		);
		expect(result.status).toBe('error');
		expect(result.nodeError('Call')?.message).toMatch(/does not exist/);
	});

	it('streams a download into the filesystem binary store and signs a URL for it', async () => {
		const result = await runWorkflow(
			options(
				{
					nodes: [
						start([{ json: {} }]),
						{
							id: 'download',
							name: 'Download',
							type: 'harnessTest.download',
							typeVersion: 1,
							position: [200, 0],
							parameters: { url: `${api.url}/v1/video.mp4` },
						},
					],
					connections: chain('Start', 'Download'),
				},
				{ binaryMode: 'filesystem', webhookBaseUrl: 'https://n8n.example.test/' },
			),
		);

		expect(result.status).toBe('success');
		const [item] = result.output('Download');
		expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4', data: 'filesystem-v2' });
		expect(item.binary?.data.id).toMatch(/^filesystem-v2:workflows\//);
		const filePath = result.binaryFilePath(item)!;
		expect(filePath.startsWith(result.binaryStoragePath!)).toBe(true);
		expect(existsSync(filePath)).toBe(true);
		expect(readFileSync(filePath).equals(VIDEO_BYTES)).toBe(true);
		expect((await result.binaryBuffer(item)).equals(VIDEO_BYTES)).toBe(true);

		const signedUrl = item.json.signedUrl as string;
		expect(signedUrl).toMatch(/^https:\/\/n8n\.example\.test\/rest\/binary-data\/signed\?token=/);
		expect((await result.readSignedBinaryUrl(signedUrl)).equals(VIDEO_BYTES)).toBe(true);
	});

	it('keeps binaries inline in default mode, and the start node emits binaries', async () => {
		const result = await runWorkflow(
			options({
				nodes: [start([{ json: { n: 1 }, binary: { data: { data: Buffer.from('hello'), mimeType: 'text/plain', fileName: 'a.txt' } } }])],
				connections: {},
			}),
		);
		const [item] = result.output('Start');
		expect(item.binary?.data.id).toBeUndefined();
		expect(item.binary?.data.data).toBe(Buffer.from('hello').toString('base64'));
		expect((await result.binaryBuffer(item)).toString()).toBe('hello');
		expect(result.binaryFilePath(item)).toBeUndefined();
	});

	it('cancels a sleeping node through getExecutionCancelSignal', async () => {
		const result = await runWorkflow(
			options(
				{
					nodes: [
						start([{ json: {} }]),
						{
							id: 'slow',
							name: 'Slow',
							type: 'harnessTest.slow',
							typeVersion: 1,
							position: [200, 0],
							parameters: { waitOn: 'sleep', durationMs: 30000 },
						},
					],
					connections: chain('Start', 'Slow'),
				},
				{ abortAfterMs: 150 },
			),
		);

		expect(result.status).toBe('canceled');
		expect(result.cancellation?.settledAfterMs).toBeLessThan(3000); // not the 30 s sleep
		expect(result.nodeError('Slow')?.message).toBe('The execution was canceled while waiting');
	});

	it('aborts an in-flight authenticated HTTP request on cancel', async () => {
		const result = await runWorkflow(
			options(
				{
					nodes: [
						start([{ json: {} }]),
						{
							id: 'slow',
							name: 'Slow',
							type: 'harnessTest.slow',
							typeVersion: 1,
							position: [200, 0],
							parameters: { waitOn: 'http' },
							credentials: { harnessTestApi: { id: 'cred-1', name: 'Test API' } },
						},
					],
					connections: chain('Start', 'Slow'),
				},
				{ abortAfterMs: 150 },
			),
		);
		expect(result.status).toBe('canceled');
		expect(result.cancellation?.settledAfterMs).toBeLessThan(3000); // not the 30 s sleep
	});
});

describe('waiting and resuming', () => {
	const waitingWorkflow: HarnessWorkflow = {
		nodes: [
			start([{ json: { prompt: 'a blue whale' } }]),
			{
				id: 'wait',
				name: 'Wait',
				type: 'harnessTest.waitForCallback',
				typeVersion: 1,
				position: [200, 0],
				parameters: { secret: CALLBACK_SECRET },
				webhookId: 'f3b2a0c6-0000-4000-8000-000000000001',
			},
			{
				id: 'after',
				name: 'After',
				type: 'harnessTest.echo',
				typeVersion: 1,
				position: [400, 0],
				parameters: { text: '={{ $json.prompt }} is {{ $json.status }}' },
			},
		],
		connections: chain('Start', 'Wait', 'After'),
	};
	const signed = (body: object) => {
		const raw = JSON.stringify(body);
		return {
			pathSuffix: 'callback',
			headers: { 'content-type': 'application/json', 'x-signature': signBody(CALLBACK_SECRET, raw) },
			body: raw,
		};
	};

	it('waits, rejects a bad signature, keeps waiting on progress, and continues on completion', async () => {
		const waiting = await runWorkflow(
			options(waitingWorkflow, { webhookBaseUrl: 'https://n8n.example.test', executionId: '4711' }),
		);
		expect(waiting.status).toBe('waiting');
		expect(waiting.waitTill).toBeInstanceOf(Date);
		expect(waiting.statusHistory).toContain('waiting');
		const [waitItem] = waiting.output('Wait');
		expect(waitItem.json.resumeUrl).toMatch(
			/^https:\/\/n8n\.example\.test\/webhook-waiting\/4711\?signature=[0-9a-f]{64}$/,
		);
		expect(waitItem.json.callbackUrl).toMatch(
			/^https:\/\/n8n\.example\.test\/webhook-waiting\/4711\/callback\?signature=/,
		);
		expect(waiting.output('After')).toEqual([]);

		const forged = await resumeWaiting(waiting, {
			...signed({ id: 'v1', status: 'completed' }),
			headers: { 'content-type': 'application/json', 'x-signature': 'forged' },
		});
		expect(forged.response).toMatchObject({ status: 401, body: 'Unauthorized', ended: true });
		expect(forged.result.status).toBe('waiting');

		const progress = await resumeWaiting(waiting, signed({ id: 'v1', status: 'processing' }));
		expect(progress.response).toMatchObject({ status: 200, body: { received: 'processing' } });
		expect(progress.result.status).toBe('waiting');

		const wrongPath = await resumeWaiting(waiting, { ...signed({}), pathSuffix: 'other' });
		expect(wrongPath.response.status).toBe(404);

		const throwing = await resumeWaiting(waiting, signed({ id: 'v1' }));
		expect(throwing.response).toMatchObject({
			status: 500,
			body: { code: 0, message: 'Workflow Webhook Error: Workflow could not be started!' },
		});
		expect(throwing.result.status).toBe('waiting');
		expect(harnessLogText()).toContain('Callback without a status');

		const done = await resumeWaiting(progress.result, signed({ id: 'v1', status: 'completed' }));
		expect(done.response).toMatchObject({ status: 200, body: { message: 'Workflow was started' } });
		expect(done.result.status).toBe('success');
		expect(done.result.executionId).toBe('4711');
		expect(done.result.output('Wait')).toEqual([
			expect.objectContaining({ json: { id: 'v1', status: 'completed', prompt: 'a blue whale' } }),
		]);
		expect(done.result.output('After')[0].json.text).toBe('a blue whale is completed');
		expect(done.result.runExecutionData.resultData.runData.Wait).toHaveLength(1);

		const late = await resumeWaiting(done.result, signed({ id: 'v1', status: 'completed' }));
		expect(late.response.status).toBe(409);
	});

	it('answers 422 to an unparsable callback body and keeps waiting', async () => {
		const waiting = await runWorkflow(options(waitingWorkflow));
		const broken = await resumeWaiting(waiting, {
			pathSuffix: 'callback',
			headers: { 'content-type': 'application/json' },
			body: '{"status":',
		});
		expect(broken.response).toMatchObject({ status: 422, body: { message: 'Failed to parse request body' } });
		expect(broken.result.status).toBe('waiting');
	});

	it('passes the waiting node\'s input through when the wait times out', async () => {
		const waiting = await runWorkflow(options(waitingWorkflow));
		const timedOut = await resumeAfterWaitTimeout(waiting);
		expect(timedOut.status).toBe('success');
		expect(timedOut.output('Wait')[0].json).toEqual({ prompt: 'a blue whale' });
		expect(timedOut.output('After')[0].json.text).toBe('a blue whale is ');
	});
});

describe('webhook triggers', () => {
	const triggerWorkflow: HarnessWorkflow = {
		nodes: [
			{
				id: 'trigger',
				name: 'Trigger',
				type: 'harnessTest.trigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: { event: 'video.completed' },
				webhookId: '5d1c6a43-0000-4000-8000-000000000002',
				credentials: { harnessTestApi: { id: 'cred-1', name: 'Test API' } },
			},
			{
				id: 'echo',
				name: 'Echo',
				type: 'harnessTest.echo',
				typeVersion: 1,
				position: [200, 0],
				parameters: { text: '={{ $json.id }}' },
			},
		],
		connections: chain('Trigger', 'Echo'),
	};

	it('registers, receives signed events, filters, and deregisters', async () => {
		const base = options(triggerWorkflow, { webhookBaseUrl: 'https://n8n.example.test/' });
		const exists = await runWebhookMethod({ ...base, triggerNode: 'Trigger', method: 'checkExists' });
		expect(exists.returned).toBe(false);

		const created = await runWebhookMethod({
			...base,
			triggerNode: 'Trigger',
			method: 'create',
			staticData: exists.staticData,
		});
		expect(created.returned).toBe(true);
		const nodeData = created.staticData['node:Trigger'] as { webhookId: string; secret: string };
		expect(registrations.get(nodeData.webhookId)?.url).toBe(
			'https://n8n.example.test/webhook/5d1c6a43-0000-4000-8000-000000000002/events',
		);
		expect(
			(await runWebhookMethod({ ...base, triggerNode: 'Trigger', method: 'checkExists', staticData: created.staticData }))
				.returned,
		).toBe(true);

		const event = JSON.stringify({ type: 'video.completed', id: 'vid_42' });
		const call = (body: string, signature: string) =>
			runWebhookTrigger({
				...base,
				triggerNode: 'Trigger',
				staticData: created.staticData,
				request: { headers: { 'content-type': 'application/json', 'x-signature': signature }, body },
			});

		const accepted = await call(event, signBody(nodeData.secret, event));
		expect(accepted.response).toMatchObject({ status: 200, body: { message: 'Workflow was started' } });
		expect(accepted.result?.status).toBe('success');
		expect(accepted.result?.output('Echo')[0].json).toMatchObject({ id: 'vid_42', text: 'vid_42' });

		const rejected = await call(event, 'bad');
		expect(rejected.response.status).toBe(401);
		expect(rejected.result).toBeUndefined();

		const other = JSON.stringify({ type: 'video.failed', id: 'vid_43' });
		const filtered = await call(other, signBody(nodeData.secret, other));
		expect(filtered.response).toMatchObject({ status: 200, body: { message: 'Webhook call received' } });
		expect(filtered.result).toBeUndefined();

		const deleted = await runWebhookMethod({
			...base,
			triggerNode: 'Trigger',
			method: 'delete',
			staticData: created.staticData,
		});
		expect(deleted.returned).toBe(true);
		expect(deleted.staticData['node:Trigger']).toEqual({});
		expect(registrations.has(nodeData.webhookId)).toBe(false);
	});
});

describe('credential test and list search', () => {
	it('runs the declarative test request and its rules', async () => {
		const type = new HarnessTestApi();
		await expect(testCredential(type, { apiKey: API_KEY, baseUrl: api.url })).resolves.toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		await expect(testCredential(type, { apiKey: 'wrong', baseUrl: api.url })).resolves.toEqual({
			status: 'Error',
			message: 'The API key was rejected',
		});
		const lastTest = api.requests.filter((request) => request.url === '/v1/me').at(-1);
		expect(lastTest?.headers.authorization).toBe('Bearer wrong');
	});

	it('calls listSearch and loadOptions with credentials', async () => {
		const node = new HarnessApiCallNode();
		const search = await callListSearch(node, 'searchModels', {
			credentialTypes,
			credentials,
			filter: 'fast',
		});
		expect(search).toEqual({ results: [{ name: 'Model fast', value: 'm-fast' }], paginationToken: 'page-2' });
	});
});

describe('logs', () => {
	it('captured n8n and node log lines, and no secret reached any of them', () => {
		const text = harnessLogText();
		expect(text).toContain('Workflow execution started');
		for (const secret of [API_KEY, FUNCTION_KEY, CALLBACK_SECRET, 'whsec_wh_1']) {
			expect(text).not.toContain(secret);
		}
	});
});
