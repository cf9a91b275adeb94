import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject } from 'n8n-workflow';

import { SEEN_EVENTS_MAX_AGE_SECONDS, SEEN_EVENTS_MAX_COUNT, claimEvent, persistClaims } from '../nodes/AiStatsTrigger/seenEvents';

import type { DeliveryAttempt, Simulator } from '../simulator';
import { disposeHarness } from './harness';
import { TRIGGER_NAME, TriggerBridge } from './support/triggerBridge';
import { WEBHOOK_SECRET, generateParameters, runAiStats, startSimulator } from './support/fixtures';

// Issues download links exactly as the simulator does, to make one that has already expired.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { issueDownloadUrl } = require('../simulator/lib/signing') as {
	issueDownloadUrl: (args: Record<string, unknown>) => { download_url: string; expires_at: number };
};

const SIGNED_URL_SECRET = 'test-signed-url-secret';
let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator({ signedUrlSecret: SIGNED_URL_SECRET });
});
afterAll(async () => {
	await sim.close();
	await disposeHarness();
});
beforeEach(() => sim.reset());

async function completedJob() {
	const run = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none' }) });
	const id = run.items[0].json.id as string;
	await sim.completeJob(id);
	return sim.getJob(id)!;
}

async function withTrigger(parameters: Record<string, unknown>, test: (bridge: TriggerBridge) => Promise<void>, credential = {}) {
	const bridge = new TriggerBridge(sim, { secretSource: 'sharedSecret', ...parameters }, credential);
	await bridge.start();
	try {
		await test(bridge);
	} finally {
		await bridge.stop();
	}
}

describe('AI Stats Trigger (shared secret)', () => {
	it('starts one execution per selected event with the event, the job and delivery info', async () => {
		const job = await completedJob();
		await withTrigger({ events: ['video.completed', 'video.failed'] }, async (bridge) => {
			const event = sim.buildEvent(job, 'video.completed', { attempt: 2, maxAttempts: 4 });
			const response = await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event, attempt: 2, maxAttempts: 4 });
			expect(response.status).toBe(200);
			expect(bridge.executions).toHaveLength(1);
			const [item] = bridge.executions[0].output(TRIGGER_NAME);
			expect(item.json).toMatchObject({
				event_id: event.id,
				type: 'video.completed',
				video_id: job.id,
				status: 'completed',
				request_id: job.request_id,
				delivery: { key: 'video.completed', attempt: 2, max_attempts: 4 },
				cost_currency: 'USD',
			});
			expect((item.json.data as { id: string }).id).toBe(job.id);
			expect(item.binary).toBeUndefined();
		});
	});

	it('acknowledges events that are not selected without running the workflow', async () => {
		const job = await completedJob();
		await withTrigger({ events: ['video.failed'] }, async (bridge) => {
			for (const type of ['video.completed', 'video.progress', 'video.status_changed'] as const) {
				const response = await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event: sim.buildEvent(job, type, { progress: 50 }) });
				expect(response.status).toBe(200);
			}
			expect(bridge.executions).toHaveLength(0);
		});
	});

	it.each(['bad-signature', 'stale-timestamp', 'missing-signature', 'missing-timestamp', 'tampered-body'] as const)(
		'rejects a delivery with %s: 401, no execution',
		async (tamper) => {
			const job = await completedJob();
			await withTrigger({ events: ['video.completed'] }, async (bridge) => {
				const response = await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event: sim.buildEvent(job, 'video.completed'), tamper });
				expect(response.status).toBe(401);
				expect(bridge.executions).toHaveLength(0);
			});
		},
	);

	it('accepts upper-case hex and a sha256= prefix', async () => {
		const job = await completedJob();
		await withTrigger({ events: ['video.completed'], options: { dropDuplicates: false } }, async (bridge) => {
			for (const tamper of ['uppercase-hex', 'sha256-prefix'] as const) {
				const response = await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event: sim.buildEvent(job, 'video.completed'), tamper });
				expect(response.status).toBe(200);
			}
			expect(bridge.executions).toHaveLength(2);
		});
	});

	it('honours the timestamp tolerance option', async () => {
		const job = await completedJob();
		await withTrigger({ events: ['video.completed'], options: { toleranceSeconds: 60 } }, async (bridge) => {
			const timestamp = Math.floor(Date.now() / 1000) - 120;
			const response = await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event: sim.buildEvent(job, 'video.completed'), timestamp });
			expect(response.status).toBe(401);
			expect(bridge.executions).toHaveLength(0);
		});
	});

	it('rejects non-JSON and oversized bodies even when signed', async () => {
		await withTrigger({ events: ['video.completed'] }, async (bridge) => {
			const post = async (body: string, contentType = 'application/json') => {
				const timestamp = String(Math.floor(Date.now() / 1000));
				return await fetch(bridge.url, {
					method: 'POST',
					headers: {
						'content-type': contentType,
						'x-phaseo-timestamp': timestamp,
						'x-phaseo-signature': sim.signPayload(WEBHOOK_SECRET, timestamp, body),
					},
					body,
				});
			};
			// n8n itself refuses a JSON content type that does not parse (422); other types reach the node.
			expect([400, 422]).toContain((await post('this is not json')).status);
			expect((await post('this is not json', 'text/plain')).status).toBe(400);
			expect((await post(JSON.stringify({ type: 'video.completed', padding: 'x'.repeat(1_100_000) }))).status).toBe(413);
			expect(bridge.executions).toHaveLength(0);
		});
	});

	it('drops a redelivered event id: one execution', async () => {
		const job = await completedJob();
		await withTrigger({ events: ['video.completed'] }, async (bridge) => {
			const event = sim.buildEvent(job, 'video.completed');
			expect((await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event, attempt: 1 })).status).toBe(200);
			expect((await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event, attempt: 2 })).status).toBe(200);
			expect(bridge.executions).toHaveLength(1);
			expect(JSON.parse((await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event })).body)).toMatchObject({ ignored: 'duplicate' });
		});
	});

	it('keeps the seen ids in static data, where a fresh process finds them (n8n restart)', async () => {
		const job = await completedJob();
		const event = sim.buildEvent(job, 'video.completed');
		let stored: IDataObject = {};
		await withTrigger({ events: ['video.completed'] }, async (bridge) => {
			expect((await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event })).status).toBe(200);
			stored = bridge.staticData;
		});
		const nodeData = Object.values(stored).find((value) => typeof value === 'object' && value && 'seenEvents' in value) as IDataObject;
		expect(nodeData.seenEvents).toMatch(/^([0-9a-f]{20})+$/);
		// The same stored data in another scope (another process's memory is empty).
		const scope = 'restarted-process';
		expect(claimEvent(scope, { ...nodeData }, event.id)).toBe(false);
		expect(claimEvent(scope, { ...nodeData }, `${event.id}-other`)).toBe(true);
	});

	it('remembers more than a day of events with Progress selected (15 events per job, 1,000 jobs a day)', () => {
		const staticData: IDataObject = {};
		const scope = `window-${Date.now()}`;
		const ids = Array.from({ length: 15_000 }, (_, index) => `evt_video_job${Math.floor(index / 15)}_video_progress_${index % 15}`);
		for (const id of ids) expect(claimEvent(scope, staticData, id)).toBe(true);
		persistClaims(scope, staticData);
		expect((staticData.seenEvents as string).length).toBe(15_000 * 20);
		for (const id of [ids[0], ids[7_500], ids[14_999]]) expect(claimEvent('another-process', staticData, id)).toBe(false);
		// Bounded by count: the oldest go first.
		const more = Array.from({ length: SEEN_EVENTS_MAX_COUNT }, (_, index) => `evt_more_${index}`);
		for (const id of more) claimEvent(scope, {}, id);
		persistClaims(scope, staticData);
		expect((staticData.seenEvents as string).length).toBe(SEEN_EVENTS_MAX_COUNT * 20);
		expect(claimEvent('a-third-process', staticData, more[more.length - 1])).toBe(false);
	});

	it('bounded by age: an id older than the window is forgotten, and the format of version 1 is still read', () => {
		const old = Math.floor(Date.now() / 1000) - SEEN_EVENTS_MAX_AGE_SECONDS - 10;
		const recent = Math.floor(Date.now() / 1000) - 60;
		const staticData: IDataObject = { seenEvents: [['evt_old', old], ['evt_recent', recent]] };
		expect(claimEvent('age-a', staticData, 'evt_recent')).toBe(false);
		expect(claimEvent('age-b', staticData, 'evt_old')).toBe(true);
		persistClaims('age-b', staticData);
		expect((staticData.seenEvents as string).length).toBe(2 * 20);
	});

	it('a write carries the ids other requests of the same process claimed (n8n\'s last-writer-wins static data)', () => {
		const scope = `race-${Date.now()}`;
		const first: IDataObject = {};
		const second: IDataObject = {};
		// Both requests read the same (empty) static data; the second writes last.
		expect(claimEvent(scope, first, 'evt_a')).toBe(true);
		expect(claimEvent(scope, second, 'evt_b')).toBe(true);
		persistClaims(scope, first);
		persistClaims(scope, second);
		expect(claimEvent('after-restart', { ...second }, 'evt_a')).toBe(false);
		expect(claimEvent('after-restart', { ...second }, 'evt_b')).toBe(false);
	});

	it('a signed link that stalls mid-body: the event is answered, and the execution starts within the time limit with download_error', async () => {
		const job = await completedJob();
		const server = createServer((request, response) => {
			response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(5 * 1024 * 1024) });
			response.write(Buffer.alloc(32 * 1024, 1));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const event = sim.buildEvent(job, 'video.completed');
			event.data.download_url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stall.mp4?download_sig=0123456789abcdef`;
			await withTrigger({ events: ['video.completed'], options: { downloadVideo: true, downloadTimeLimit: 5 } }, async (bridge) => {
				const started = Date.now();
				expect((await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event })).status).toBe(200);
				expect(bridge.executions).toHaveLength(1);
				const [item] = bridge.executions[0].output(TRIGGER_NAME);
				expect(item.json).toMatchObject({ video_id: job.id, download_error: expect.stringContaining('did not finish within 5 s') });
				expect(item.binary).toBeUndefined();
				expect(Date.now() - started).toBeLessThan(30_000);
			});
		} finally {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		}
	});

	it('a download that fails still starts the execution, with download_error', async () => {
		const job = await completedJob();
		const event = sim.buildEvent(job, 'video.completed');
		event.data.download_url = 'http://127.0.0.1:1/refused.mp4';
		sim.injectFault({ route: 'GET /videos/:id/content', kind: 'status', status: 404, count: 10 });
		await withTrigger({ events: ['video.completed'], options: { downloadVideo: true } }, async (bridge) => {
			expect((await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event })).status).toBe(200);
			const [item] = bridge.executions[0].output(TRIGGER_NAME);
			expect(item.json.download_error).toEqual(expect.any(String));
			expect(item.binary).toBeUndefined();
		});
	});

	// Docs profile: Generate's inline {url, secret} webhook is the documented form; production refuses it.
	it('receives the gateway\'s own deliveries for a job created by Generate, duplicates included', async () => {
		sim.setOptions({ profile: 'docs' });
		try {
			await receivesGeneratesDeliveries();
		} finally {
			sim.setOptions({ profile: 'production' });
		}
	});

	const receivesGeneratesDeliveries = async () => {
		await withTrigger({ events: ['video.completed'] }, async (bridge) => {
			sim.injectFault({ route: 'webhook', kind: 'duplicate', eventType: 'video.completed' });
			const run = await runAiStats(sim, {
				parameters: generateParameters({ waitForCompletion: 'none', notifyWebhook: { url: bridge.url } }),
			});
			const id = run.items[0].json.id as string;
			await sim.waitForDeliveries((deliveries: DeliveryAttempt[]) => deliveries.filter((delivery) => delivery.type === 'video.completed').length >= 2, 10_000);
			expect(bridge.executions).toHaveLength(1);
			expect(bridge.executions[0].output(TRIGGER_NAME)[0].json).toMatchObject({ video_id: id, type: 'video.completed' });
			// The default subscription also sends status changes: acknowledged, no run.
			expect(sim.deliveries().every((delivery) => delivery.status === 200)).toBe(true);
		});
	};

	it('downloads the video of a completed event from its signed link, without the bearer key', async () => {
		const job = await completedJob();
		await withTrigger({ events: ['video.completed'], options: { downloadVideo: true } }, async (bridge) => {
			sim.clearRequests();
			const response = await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event: sim.buildEvent(job, 'video.completed') });
			expect(response.status).toBe(200);
			const [item] = bridge.executions[0].output(TRIGGER_NAME);
			expect(item.json.download_source).toBe('signed_url');
			const bytes = await bridge.executions[0].binaryBuffer(item);
			expect(createHash('sha256').update(bytes).digest('hex')).toBe(sim.contentFor(job.id, 0).sha256);
			const fetches = sim.requests().filter((request) => request.path.endsWith('/content'));
			expect(fetches).toHaveLength(1);
			expect(fetches[0].headers.authorization).toBeUndefined();
		});
	});

	it('falls back to the authenticated content route when the signed link expired', async () => {
		const job = await completedJob();
		const event = sim.buildEvent(job, 'video.completed');
		const token = new URL(event.data.download_url as string).searchParams.get('download_token') as string;
		const { workspace_id: workspaceId } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { workspace_id: string };
		const expired = issueDownloadUrl({
			secret: SIGNED_URL_SECRET,
			origin: sim.origin,
			workspaceId,
			videoId: job.id,
			index: 0,
			ttlSeconds: 60,
			nowMs: Date.now() - 2 * 3600 * 1000,
		});
		event.data.download_url = expired.download_url;
		await withTrigger({ events: ['video.completed'], options: { downloadVideo: true } }, async (bridge) => {
			sim.clearRequests();
			await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event });
			const [item] = bridge.executions[0].output(TRIGGER_NAME);
			expect(item.json.download_source).toBe('content');
			expect((await bridge.executions[0].binaryBuffer(item)).length).toBe(sim.contentFor(job.id, 0).bytes);
			const fetches = sim.requests().filter((request) => request.path.endsWith('/content'));
			expect(fetches.map((request) => [request.status, Boolean(request.headers.authorization)])).toEqual([
				[expect.any(Number), false],
				[200, true],
			]);
			expect(fetches[0].status).not.toBe(200);
		});
	});

	it('refuses to activate, and refuses deliveries, without a signing secret', async () => {
		const job = await completedJob();
		await withTrigger(
			{ events: ['video.completed'] },
			async (bridge) => {
				await expect(bridge.lifecycle('create')).rejects.toThrow('no Webhook Signing Secret');
				const response = await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event: sim.buildEvent(job, 'video.completed') });
				expect(response.status).toBe(500);
				expect(bridge.executions).toHaveLength(0);
			},
			{ webhookSecret: '' },
		);
	});
});

describe('AI Stats Trigger in the editor\'s test mode', () => {
	it('verifies and outputs a delivery to the test URL', async () => {
		const job = await completedJob();
		const bridge = new TriggerBridge(sim, { secretSource: 'sharedSecret', events: ['video.completed'] }, {}, true);
		await bridge.start();
		try {
			const bad = await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event: sim.buildEvent(job, 'video.completed'), tamper: 'bad-signature' });
			expect(bad.status).toBe(401);
			const good = await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event: sim.buildEvent(job, 'video.completed') });
			expect(good.status).toBe(200);
			expect(bridge.executions).toHaveLength(1);
			expect(bridge.executions[0].output(TRIGGER_NAME)[0].json.video_id).toBe(job.id);
		} finally {
			await bridge.stop();
		}
	});
});

describe('AI Stats Trigger (registered endpoint)', () => {
	type EndpointNodeState = { endpointId: string; signingSecret: string };
	const nodeState = (bridge: TriggerBridge) =>
		Object.values(bridge.staticData).find((value) => typeof value === 'object' && value && 'endpointId' in value) as EndpointNodeState | undefined;
	const endpointCalls = () => sim.requests().filter((request) => request.path.startsWith('/v1/webhook-endpoints'));
	const listEndpoints = async () => {
		const list = await fetch(`${sim.baseUrl}/webhook-endpoints`, { headers: { authorization: `Bearer ${sim.keys.management}` } });
		return ((await list.json()) as { data: Array<{ id: string; url: string; events: string[]; status: string }> }).data;
	};
	/** n8n's activation: checkExists, then create when it answered false. */
	const activate = async (bridge: TriggerBridge) => {
		if (!(await bridge.lifecycle('checkExists'))) expect(await bridge.lifecycle('create')).toBe(true);
	};
	const bothKeys = () => ({ apiKey: sim.keys.inference, managementKey: sim.keys.management, webhookSecret: '' });

	it('registers with the Management Key, keeps the endpoint through deactivate/activate, and running jobs still get their events', async () => {
		await withTrigger(
			{ secretSource: 'registeredEndpoint', events: ['video.completed', 'video.failed'] },
			async (bridge) => {
				await activate(bridge);
				const { endpointId, signingSecret } = nodeState(bridge)!;
				expect(endpointId).toEqual(expect.any(String));
				expect(signingSecret).toMatch(/^whsec_/);
				const registered = endpointCalls().find((request) => request.method === 'POST');
				expect(registered?.body).toMatchObject({ url: bridge.url, events: ['video.completed', 'video.failed'] });
				expect(registered?.headers.authorization).toBe(`Bearer ${sim.keys.management}`);

				// A job is running with the endpoint id when the workflow is deactivated.
				const run = await runAiStats(sim, {
					parameters: generateParameters({ waitForCompletion: 'none', notifyWebhook: { endpointId } }),
				});
				const id = run.items[0].json.id as string;
				expect(await bridge.lifecycle('delete')).toBe(true);
				expect(await listEndpoints()).toEqual([expect.objectContaining({ id: endpointId, status: 'active' })]);

				sim.clearRequests();
				await activate(bridge);
				expect(nodeState(bridge)).toEqual(expect.objectContaining({ endpointId, signingSecret }));
				// Same URL and events: one GET, nothing created or changed.
				expect(endpointCalls().map((request) => request.method)).toEqual(['GET']);

				await sim.waitForDeliveries((deliveries: DeliveryAttempt[]) => deliveries.some((delivery) => delivery.type === 'video.completed' && delivery.ok), 10_000);
				expect(bridge.executions).toHaveLength(1);
				expect(bridge.executions[0].output(TRIGGER_NAME)[0].json).toMatchObject({ video_id: id, endpoint_id: endpointId });

				// The credential's shared secret is not what verifies here.
				const forged = await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event: sim.buildEvent(sim.getJob(id)!, 'video.completed') });
				expect(forged.status).toBe(401);
			},
			bothKeys(),
		);
	});

	it('updates a changed URL or event list in place (PATCH): same id and secret; an equal URL in another spelling is not a change', async () => {
		await withTrigger(
			{ secretSource: 'registeredEndpoint', events: ['video.completed'] },
			async (bridge) => {
				await activate(bridge);
				const { endpointId, signingSecret } = nodeState(bridge)!;
				const patch = async (body: object) =>
					await fetch(`${sim.baseUrl}/webhook-endpoints/${endpointId}`, {
						method: 'PATCH',
						headers: { authorization: `Bearer ${sim.keys.management}`, 'content-type': 'application/json' },
						body: JSON.stringify(body),
					});
				// The same URL with a fragment, the same events in upper case: the gateway's normal forms are equal.
				expect((await patch({ url: `${bridge.url}#frag`, events: ['VIDEO.COMPLETED'] })).status).toBe(200);
				sim.clearRequests();
				await activate(bridge);
				expect(endpointCalls().map((request) => request.method)).toEqual(['GET']);

				expect((await patch({ url: 'http://elsewhere.example/hook', status: 'disabled' })).status).toBe(200);
				(bridge.parameters as { events: string[] }).events = ['video.completed', 'video.failed'];
				sim.clearRequests();
				await activate(bridge);
				const patched = endpointCalls().find((request) => request.method === 'PATCH');
				expect(patched?.body).toEqual({ url: bridge.url, events: ['video.completed', 'video.failed'], status: 'active' });
				expect(patched?.headers.authorization).toBe(`Bearer ${sim.keys.management}`);
				expect(nodeState(bridge)).toEqual(expect.objectContaining({ endpointId, signingSecret }));
				expect(await listEndpoints()).toEqual([expect.objectContaining({ id: endpointId, url: bridge.url, status: 'active' })]);
			},
			bothKeys(),
		);
	});

	it('registers a new endpoint when the stored one was deleted at the gateway', async () => {
		await withTrigger(
			{ secretSource: 'registeredEndpoint', events: ['video.completed'] },
			async (bridge) => {
				await activate(bridge);
				const first = nodeState(bridge)!.endpointId;
				await fetch(`${sim.baseUrl}/webhook-endpoints/${first}`, { method: 'DELETE', headers: { authorization: `Bearer ${sim.keys.management}` } });
				await activate(bridge);
				expect(nodeState(bridge)!.endpointId).not.toBe(first);
				expect((await listEndpoints()).map((endpoint) => endpoint.id)).toEqual([nodeState(bridge)!.endpointId]);
			},
			bothKeys(),
		);
	});

	it('"Delete Endpoint on Deactivation" deletes it at the gateway and forgets it', async () => {
		await withTrigger(
			{ secretSource: 'registeredEndpoint', events: ['video.completed'], deleteEndpointOnDeactivation: true },
			async (bridge) => {
				await activate(bridge);
				expect(await bridge.lifecycle('delete')).toBe(true);
				expect(await listEndpoints()).toHaveLength(0);
				expect(nodeState(bridge)).toBeUndefined();
				expect(await bridge.lifecycle('checkExists')).toBe(false);
			},
			bothKeys(),
		);
	});

	it('still registers with a credential from before the Management Key field (management key in API Key)', async () => {
		await withTrigger(
			{ secretSource: 'registeredEndpoint', events: ['video.completed'] },
			async (bridge) => {
				await activate(bridge);
				expect(nodeState(bridge)!.endpointId).toEqual(expect.any(String));
			},
			{ apiKey: sim.keys.management, webhookSecret: '' },
		);
	});

	it('without a Management Key, says what to add before calling the gateway', async () => {
		await withTrigger({ secretSource: 'registeredEndpoint', events: ['video.completed'] }, async (bridge) => {
			sim.clearRequests();
			expect(await bridge.lifecycle('checkExists')).toBe(false);
			await expect(bridge.lifecycle('create')).rejects.toThrow('The AI Stats credential has no Management Key');
			expect(endpointCalls()).toHaveLength(0);
		});
	});

	it('names the Batch API feature when the workspace lacks it (403 batch_api_feature_flag_disabled)', async () => {
		sim.setOptions({ batchApi: false });
		try {
			await withTrigger(
				{ secretSource: 'registeredEndpoint', events: ['video.completed'] },
				async (bridge) => {
					await expect(bridge.lifecycle('create')).rejects.toThrow(/Batch API feature.*403 batch_api_feature_flag_disabled/);
				},
				bothKeys(),
			);
		} finally {
			sim.setOptions({ batchApi: true });
		}
	});

	it('downloads with the API Key (inference key) when the signed link expired, not with the Management Key', async () => {
		await withTrigger(
			{ secretSource: 'registeredEndpoint', events: ['video.completed'], options: { downloadVideo: true } },
			async (bridge) => {
				await activate(bridge);
				const job = await completedJob();
				const event = sim.buildEvent(job, 'video.completed');
				event.data.download_url = `${sim.origin}/v1/videos/${job.id}/content?download_token=expired&download_sig=0000000000000000`;
				sim.clearRequests();
				expect((await sim.deliverEvent({ url: bridge.url, secret: nodeState(bridge)!.signingSecret, event })).status).toBe(200);
				const [item] = bridge.executions[0].output(TRIGGER_NAME);
				expect(item.json).toMatchObject({ download_source: 'content' });
				expect(item.json.download_error).toBeUndefined();
				const authorised = sim.requests().filter((request) => request.path.endsWith('/content') && request.headers.authorization);
				expect(authorised.map((request) => [request.status, request.headers.authorization])).toEqual([[200, `Bearer ${sim.keys.inference}`]]);
			},
			bothKeys(),
		);
	});
});
