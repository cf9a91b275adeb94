import { createHash } from 'node:crypto';

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
	it('registers on activation, verifies with the issued secret, receives Generate\'s endpoint deliveries, and deletes on deactivation', async () => {
		await withTrigger(
			{ secretSource: 'registeredEndpoint', events: ['video.completed', 'video.failed'] },
			async (bridge) => {
				expect(await bridge.lifecycle('checkExists')).toBe(false);
				expect(await bridge.lifecycle('create')).toBe(true);
				const nodeState = Object.values(bridge.staticData).find((value) => typeof value === 'object' && value && 'endpointId' in value) as {
					endpointId: string;
					signingSecret: string;
				};
				expect(nodeState.endpointId).toEqual(expect.any(String));
				expect(nodeState.signingSecret).toMatch(/^whsec_/);
				expect(await bridge.lifecycle('checkExists')).toBe(true);

				const registered = sim.requests().find((request) => request.method === 'POST' && request.path === '/v1/webhook-endpoints');
				expect(registered?.body).toMatchObject({ url: bridge.url, events: ['video.completed', 'video.failed'] });
				expect(registered?.headers.authorization).toBe(`Bearer ${sim.keys.management}`);

				// A job created with the endpoint id is delivered, signed with the endpoint's secret.
				const run = await runAiStats(sim, {
					parameters: generateParameters({ waitForCompletion: 'none', notifyWebhook: { endpointId: nodeState.endpointId } }),
				});
				const id = run.items[0].json.id as string;
				await sim.waitForDeliveries((deliveries: DeliveryAttempt[]) => deliveries.some((delivery) => delivery.type === 'video.completed' && delivery.ok), 10_000);
				expect(bridge.executions).toHaveLength(1);
				expect(bridge.executions[0].output(TRIGGER_NAME)[0].json).toMatchObject({
					video_id: id,
					endpoint_id: nodeState.endpointId,
				});

				// The credential's shared secret is not what verifies here.
				const job = sim.getJob(id)!;
				const forged = await sim.deliverEvent({ url: bridge.url, secret: WEBHOOK_SECRET, event: sim.buildEvent(job, 'video.completed') });
				expect(forged.status).toBe(401);

				expect(await bridge.lifecycle('delete')).toBe(true);
				const list = await fetch(`${sim.baseUrl}/webhook-endpoints`, { headers: { authorization: `Bearer ${sim.keys.management}` } });
				expect(((await list.json()) as { data: unknown[] }).data).toHaveLength(0);
				expect(await bridge.lifecycle('checkExists')).toBe(false);
			},
			{ apiKey: sim.keys.management, webhookSecret: '' },
		);
	});

	it('explains a refused registration (inference key instead of a management key)', async () => {
		await withTrigger({ secretSource: 'registeredEndpoint', events: ['video.completed'] }, async (bridge) => {
			await expect(bridge.lifecycle('create')).rejects.toThrow(/Authorization failed \(401\)/);
		});
	});
});
