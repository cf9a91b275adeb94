import { createHash } from 'node:crypto';

import type { Simulator } from '../simulator';
import { disposeHarness } from './harness';
import { NODE_NAME, byId, generateParameters, runAiStats, startSimulator } from './support/fixtures';

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
});

async function createCompletedJob(extra: Record<string, unknown> = {}): Promise<string> {
	const run = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none', ...extra }) });
	expect(run.status).toBe('success');
	const id = run.items[0].json.id as string;
	await sim.completeJob(id);
	return id;
}

describe('Video → Generate (Don\'t Wait)', () => {
	it('creates a job per item with the fields mapped to the gateway request', async () => {
		const run = await runAiStats(sim, {
			items: [{ json: { prompt: 'a red fox' } }, { json: { prompt: 'a blue whale' } }],
			parameters: generateParameters({
				waitForCompletion: 'none',
				prompt: '={{ $json.prompt }}',
				options: {
					duration: 8,
					resolution: '1080p',
					aspectRatio: '9:16',
					generateAudio: true,
					negativePrompt: 'blur',
					seed: 42,
					sampleCount: 2,
					providerParams: '{"motion": 0.5}',
					outputAccess: 'both',
				},
				providerRouting: { order: 'google-vertex, fal', includeAlpha: false },
				inputReferences: { reference: [{ url: 'https://example.com/a.jpg', mediaType: 'image', role: 'first_frame' }] },
			}),
		});
		expect(run.status).toBe('success');
		expect(run.items).toHaveLength(2);
		expect(run.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(run.items[0].json).toMatchObject({ object: 'video', status: 'queued', model: 'google/veo-3.1-lite', cost_currency: 'USD' });
		const creates = sim.requests().filter((request) => request.method === 'POST' && request.path === '/v1/videos');
		expect(creates.map((request) => (request.body as { prompt: string }).prompt)).toEqual(['a red fox', 'a blue whale']);
		expect(creates[0].body).toEqual({
			model: 'google/veo-3.1-lite',
			prompt: 'a red fox',
			duration: 8,
			resolution: '1080p',
			aspect_ratio: '9:16',
			generate_audio: true,
			negative_prompt: 'blur',
			seed: 42,
			sample_count: 2,
			provider_params: { motion: 0.5 },
			output: { access: 'both' },
			provider: { order: ['google-vertex', 'fal'], include_alpha: false },
			input_references: [{ type: 'image_url', role: 'first_frame', image_url: { url: 'https://example.com/a.jpg' } }],
		});
		expect(creates[0].headers.authorization).toBe(`Bearer ${sim.keys.inference}`);
	});

	it.each([
		[{ options: { size: '1280x720', resolution: '720p' } }, 'Size'],
		[{ options: { duration: 0 } }, 'Duration'],
		[{ options: { duration: 121 } }, 'Duration'],
		[{ options: { sampleCount: 5 } }, 'Sample Count'],
		[{ options: { compressionQuality: 101 } }, 'Compression Quality'],
		[{ options: { providerParams: '{"prompt": "override"}' } }, 'Provider Params'],
		[{ options: { providerParams: '{not json' } }, 'Provider Params'],
		[{ inputReferences: { reference: [{ url: 'http://example.com/a.jpg', mediaType: 'image', role: 'first_frame' }] } }, 'Input Reference 1 URL'],
		[{ prompt: '   ' }, 'Prompt'],
	])('refuses %j before sending anything, naming the field', async (extra, field) => {
		const run = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none', ...extra }) });
		expect(run.status).toBe('error');
		expect(run.error?.message).toContain(field);
		expect(sim.requests().filter((request) => request.method === 'POST')).toHaveLength(0);
	});

	it('turns gateway errors into readable node errors with reason and request id', async () => {
		const run = await runAiStats(sim, {
			parameters: generateParameters({ waitForCompletion: 'none' }),
			credential: { apiKey: sim.keys.noFunds },
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(/^Insufficient funds \(402\)/);
		const description = String((run.error as { description?: string }).description);
		expect(description).toContain('HTTP status: 402');
		expect(description).toMatch(/Request ID: \S+/);
		expect(JSON.stringify(run.error)).not.toContain(sim.keys.noFunds);
	});

	it('with Continue On Fail gives one error item per failing input, paired, and keeps the good ones', async () => {
		const run = await runAiStats(sim, {
			items: [{ json: { d: 8 } }, { json: { d: 500 } }, { json: { d: 4 } }],
			node: { onError: 'continueRegularOutput' },
			parameters: generateParameters({ waitForCompletion: 'none', options: { duration: '={{ $json.d }}' } }),
		});
		expect(run.status).toBe('success');
		expect(run.items).toHaveLength(3);
		expect(run.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(run.items[0].json.id).toBeDefined();
		expect(run.items[1].json.error).toContain('Duration');
		expect(run.items[2].json.id).toBeDefined();
	});

	it('sends the inline webhook with the credential secret, or a registered endpoint id', async () => {
		await runAiStats(sim, {
			parameters: generateParameters({
				waitForCompletion: 'none',
				notifyWebhook: { url: 'http://127.0.0.1:9/hook', events: ['video.completed'] },
			}),
		});
		const body = sim.requests().find((request) => request.method === 'POST')?.body as { webhook: unknown };
		expect(body.webhook).toEqual({ url: 'http://127.0.0.1:9/hook', secret: 'whsec_test_0123456789abcdef0123456789abcdef', events: ['video.completed'] });
	});
});

describe('Video → Get / Get Many / Delete', () => {
	it('gets a job by ID and by URL', async () => {
		const id = await createCompletedJob();
		const byIdRun = await runAiStats(sim, { parameters: { resource: 'video', operation: 'get', videoId: byId(id) } });
		expect(byIdRun.items[0].json).toMatchObject({ id, status: 'completed' });
		expect(byIdRun.items[0].json.cost).toEqual(expect.any(Number));
		const byUrl = await runAiStats(sim, {
			parameters: { resource: 'video', operation: 'get', videoId: { __rl: true, mode: 'url', value: `${sim.baseUrl}/videos/${id}` } },
		});
		expect(byUrl.items[0].json.id).toBe(id);
	});

	it('leaves the signed download links out unless asked for', async () => {
		const id = await createCompletedJob();
		const plain = await runAiStats(sim, { parameters: { resource: 'video', operation: 'get', videoId: byId(id) } });
		expect(plain.items[0].json.download_url).toBeUndefined();
		expect(JSON.stringify(plain.items)).not.toContain('download_sig');
		expect(plain.items[0].json.content_url).toEqual(expect.stringContaining(id));
		const withLinks = await runAiStats(sim, {
			parameters: { resource: 'video', operation: 'get', videoId: byId(id), options: { includeSignedLinks: true } },
		});
		expect(withLinks.items[0].json.download_url).toEqual(expect.stringContaining('download_sig='));
		expect((withLinks.items[0].json.outputs as Array<{ download_url?: string }>)[0].download_url).toBeDefined();
	});

	it('reports an unknown video as a 404 with the gateway reason', async () => {
		const run = await runAiStats(sim, { parameters: { resource: 'video', operation: 'get', videoId: byId('video_missing') } });
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(/^Video not found \(404\)/);
	});

	it('pages through all jobs with the after cursor, filtered by status', async () => {
		const run = await runAiStats(sim, {
			items: Array.from({ length: 5 }, (_, index) => ({ json: { index } })),
			parameters: generateParameters({ waitForCompletion: 'none' }),
		});
		const ids = run.items.map((item) => item.json.id as string);
		await Promise.all(ids.slice(0, 3).map(async (id) => await sim.completeJob(id)));
		const all = await runAiStats(sim, {
			parameters: { resource: 'video', operation: 'getMany', returnAll: true, filters: { order: 'asc' } },
		});
		expect(all.items.map((item) => item.json.id)).toEqual(ids);
		const completed = await runAiStats(sim, {
			parameters: { resource: 'video', operation: 'getMany', returnAll: false, limit: 2, filters: { status: ['completed'] } },
		});
		expect(completed.items).toHaveLength(2);
		expect(completed.items.every((item) => item.json.status === 'completed')).toBe(true);
	});

	it('pages with a small page size when Return All spans several pages', async () => {
		const run = await runAiStats(sim, {
			items: Array.from({ length: 7 }, (_, index) => ({ json: { index } })),
			parameters: generateParameters({ waitForCompletion: 'none' }),
		});
		expect(run.items).toHaveLength(7);
		const limited = await runAiStats(sim, { parameters: { resource: 'video', operation: 'getMany', returnAll: false, limit: 3 } });
		expect(limited.items).toHaveLength(3);
	});

	it('deletes a finished job, then it is gone', async () => {
		const id = await createCompletedJob();
		const run = await runAiStats(sim, { parameters: { resource: 'video', operation: 'delete', videoId: byId(id) } });
		expect(run.items[0].json).toMatchObject({ id, deleted: true });
		const after = await runAiStats(sim, { parameters: { resource: 'video', operation: 'get', videoId: byId(id) } });
		expect(after.error?.message).toMatch(/404/);
	});
});

describe('Video → Download', () => {
	it('streams the video into binary data with the right name, type and bytes', async () => {
		const id = await createCompletedJob();
		const run = await runAiStats(sim, { parameters: { resource: 'video', operation: 'download', videoId: byId(id) } });
		expect(run.status).toBe('success');
		const [item] = run.items;
		expect(item.binary?.data).toMatchObject({ fileName: `${id}.mp4`, mimeType: 'video/mp4' });
		const bytes = await run.binaryBuffer(item);
		const expected = sim.contentFor(id, 0);
		expect(bytes.length).toBe(expected.bytes);
		expect(createHash('sha256').update(bytes).digest('hex')).toBe(expected.sha256);
		expect(item.json).toMatchObject({ id, status: 'completed', bytes: expected.bytes });
		expect(run.binaryFilePath?.(item, 'data')).toBeTruthy();
	});

	it('downloads all outputs of a multi-sample job as separate items or as one item', async () => {
		const id = await createCompletedJob({ options: { sampleCount: 3 } });
		const separate = await runAiStats(sim, { parameters: { resource: 'video', operation: 'download', videoId: byId(id), outputs: 'all' } });
		expect(separate.items.map((item) => item.binary?.data.fileName)).toEqual([`${id}-0.mp4`, `${id}-1.mp4`, `${id}-2.mp4`]);
		for (const [index, item] of separate.items.entries()) {
			const bytes = await separate.binaryBuffer(item);
			expect(createHash('sha256').update(bytes).digest('hex')).toBe(sim.contentFor(id, index).sha256);
		}
		const oneItem = await runAiStats(sim, {
			parameters: { resource: 'video', operation: 'download', videoId: byId(id), outputs: 'all', options: { layout: 'oneItem' } },
		});
		expect(oneItem.items).toHaveLength(1);
		expect(Object.keys(oneItem.items[0].binary ?? {})).toEqual(['data', 'data_1', 'data_2']);
		const single = await runAiStats(sim, { parameters: { resource: 'video', operation: 'download', videoId: byId(id), outputs: 'single', index: 2 } });
		expect(await single.binaryBuffer(single.items[0])).toHaveLength(sim.contentFor(id, 2).bytes);
	});

	it('refuses to download a job that is not completed', async () => {
		const run = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none', prompt: 'slow [sim:stuck]' }) });
		const id = run.items[0].json.id as string;
		const download = await runAiStats(sim, { parameters: { resource: 'video', operation: 'download', videoId: byId(id) } });
		expect(download.status).toBe('error');
		expect(download.error?.message).toMatch(/not completed/);
	});
});

describe('Video → Get Download Link', () => {
	it('returns a signed link that works without the bearer key', async () => {
		const id = await createCompletedJob();
		const run = await runAiStats(sim, {
			parameters: { resource: 'video', operation: 'getDownloadLink', videoId: byId(id), ttlSeconds: 120, disposition: 'inline' },
		});
		const link = run.items[0].json;
		expect(link.download_url).toEqual(expect.stringContaining(id));
		expect(new Date(link.expires_at_iso as string).getTime()).toBe((link.expires_at as number) * 1000);
		const response = await fetch(link.download_url as string);
		expect(response.status).toBe(200);
		expect(Buffer.from(await response.arrayBuffer()).length).toBe(sim.contentFor(id, 0).bytes);
	});

	it('refuses an out-of-range lifetime before calling the gateway', async () => {
		const id = await createCompletedJob();
		sim.clearRequests();
		const run = await runAiStats(sim, { parameters: { resource: 'video', operation: 'getDownloadLink', videoId: byId(id), ttlSeconds: 30 } });
		expect(run.error?.message).toContain('Link Lifetime');
		expect(sim.requests()).toHaveLength(0);
	});
});

describe('Model → Get Many', () => {
	it('lists the catalogue, filtered by supported parameters', async () => {
		const all = await runAiStats(sim, { parameters: { resource: 'model', operation: 'getMany' } });
		expect(all.items.length).toBeGreaterThanOrEqual(4);
		const withAudio = await runAiStats(sim, { parameters: { resource: 'model', operation: 'getMany', filters: { params: 'generate_audio' } } });
		expect(withAudio.items.length).toBeGreaterThan(0);
		expect(withAudio.items.length).toBeLessThan(all.items.length);
		expect(withAudio.items.every((item) => (item.json.supported_params as string[]).includes('generate_audio'))).toBe(true);
		expect(all.items[0].pairedItem).toEqual({ item: 0 });
	});
});

it('node name constant matches the workflow', () => {
	expect(NODE_NAME).toBe('AI Stats');
});
