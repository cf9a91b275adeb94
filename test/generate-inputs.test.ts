import { createHash } from 'node:crypto';

import { forgetCachedCatalogues } from '../nodes/AiStats/actions/video/generate/catalogueCache';
import { checkAgainstModel } from '../nodes/AiStats/actions/video/generate/modelCheck';
import type { Simulator } from '../simulator';
import { disposeHarness } from './harness';
import { BinaryLinkServer } from './support/binaryLinkServer';
import { byId, generateParameters, runAiStats, startSimulator } from './support/fixtures';

// A 4x4 red PNG, as a Form Trigger upload would give it.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGP4z8AARwzEcQCukw/x0F8jngAAAABJRU5ErkJggg==', 'base64');
const photoItem = (mimeType = 'image/png') => ({ json: { name: 'Ada' }, binary: { photo: { data: PNG, mimeType, fileName: 'photo.png' } } });
const fromBinary = (extra = {}) => ({
	inputReferences: { reference: [{ source: 'binary', binaryPropertyName: 'photo', mediaType: 'image', role: 'first_frame', delivery: 'link', ...extra }] },
});

let sim: Simulator;
let links: BinaryLinkServer;

beforeAll(async () => {
	sim = await startSimulator({ fetchReferences: true, allowHttpReferences: true });
	links = new BinaryLinkServer();
	await links.start();
});
afterAll(async () => {
	await links.stop();
	await sim.close();
	await disposeHarness();
});
beforeEach(() => {
	sim.reset();
	forgetCachedCatalogues();
});

const posts = () => sim.requests().filter((request) => request.method === 'POST' && request.path === '/v1/videos');

describe('input references from binary data', () => {
	it('hands a binary of the input item to the gateway as n8n\'s signed link, and the gateway receives exactly those bytes', async () => {
		const run = await runAiStats(sim, {
			items: [photoItem()],
			webhookBaseUrl: links.baseUrl,
			parameters: generateParameters({
				waitForCompletion: 'poll',
				downloadVideo: false,
				options: { allowPrivateReferenceUrls: true },
				...fromBinary(),
			}),
		});
		expect(run.error?.message ?? 'no error').toBe('no error');
		expect(run.items[0].json.status).toBe('completed');
		const sent = (posts()[0].body as { input_references: Array<{ type: string; role: string; image_url: { url: string } }> }).input_references;
		expect(sent).toHaveLength(1);
		expect(sent[0]).toMatchObject({ type: 'image_url', role: 'first_frame' });
		expect(sent[0].image_url.url.startsWith(`${links.baseUrl}rest/binary-data/signed?token=`)).toBe(true);
		const [fetched] = sim.references();
		expect(fetched).toMatchObject({ status: 200, bytes: PNG.length });
		expect(fetched.sha256).toBe(createHash('sha256').update(PNG).digest('hex'));
	});

	it('refuses a link the public gateway could not fetch (http or a private host), without sending anything', async () => {
		const run = await runAiStats(sim, {
			items: [photoItem()],
			webhookBaseUrl: links.baseUrl,
			parameters: generateParameters({ waitForCompletion: 'none', ...fromBinary() }),
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toBe(`Input Reference 1: the gateway cannot fetch binary field "photo" from ${links.baseUrl}rest/binary-data/signed`);
		expect(String((run.error as { description?: string }).description)).toContain('WEBHOOK_URL');
		expect(posts()).toHaveLength(0);
	});

	it('accepts a public https n8n address', async () => {
		const run = await runAiStats(sim, {
			items: [photoItem()],
			webhookBaseUrl: 'https://n8n.example.com/',
			parameters: generateParameters({ waitForCompletion: 'none', ...fromBinary() }),
		});
		expect(run.status).toBe('success');
		const sent = posts()[0].body as { input_references: Array<{ image_url: { url: string } }> };
		expect(sent.input_references[0].image_url.url).toMatch(/^https:\/\/n8n\.example\.com\/rest\/binary-data\/signed\?token=/);
	});

	it('checks the MIME type against the reference\'s media type', async () => {
		const run = await runAiStats(sim, {
			items: [photoItem('text/plain')],
			webhookBaseUrl: 'https://n8n.example.com/',
			parameters: generateParameters({ waitForCompletion: 'none', ...fromBinary() }),
		});
		expect(run.error?.message).toBe('Input Reference 1: binary field "photo" is text/plain, but the reference is set to image');
		expect(posts()).toHaveLength(0);
	});

	it('explains that binary data kept in memory cannot be linked', async () => {
		const run = await runAiStats(sim, {
			items: [photoItem()],
			binaryMode: 'default',
			webhookBaseUrl: 'https://n8n.example.com/',
			parameters: generateParameters({ waitForCompletion: 'none', ...fromBinary() }),
		});
		expect(run.error?.message).toContain('n8n cannot make a signed link for binary field "photo"');
		expect(String((run.error as { description?: string }).description)).toContain('N8N_DEFAULT_BINARY_DATA_MODE=filesystem');
	});

	it('names a missing binary field', async () => {
		const run = await runAiStats(sim, {
			items: [{ json: {} }],
			webhookBaseUrl: 'https://n8n.example.com/',
			parameters: generateParameters({ waitForCompletion: 'none', ...fromBinary() }),
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(/photo/);
	});
});

describe('model-aware checks before a job is created', () => {
	it.each([
		['a parameter the model does not support', 'minimax/hailuo-02', { options: { seed: 7 } }, /^Model minimax\/hailuo-02 cannot take this request: Seed is not supported by model minimax\/hailuo-02 \(it supports: Duration, Resolution, Enhance Prompt\)/],
		['an image reference on a text-only model', 'minimax/hailuo-02', { inputReferences: { reference: [{ source: 'url', url: 'https://example.com/a.png', mediaType: 'image', role: 'first_frame' }] } }, /Input Reference 1 is an image, but model minimax\/hailuo-02 only takes text input/],
		['a duration the model does not offer', 'google/veo-3.1-lite', { options: { duration: 5 } }, /Duration 5 is not offered by model google\/veo-3.1-lite \(it supports 4, 6, 8\)/],
		['a resolution the model does not offer', 'google/veo-3.1-lite', { options: { resolution: '4K' } }, /Resolution "4K" is not offered/],
		['a sample count on a single-sample model', 'openai/sora-2', { options: { sampleCount: 2 } }, /Sample Count is not supported by model openai\/sora-2/],
		['a reference role the model does not take', 'openai/sora-2', { inputReferences: { reference: [{ source: 'url', url: 'https://example.com/a.png', mediaType: 'image', role: 'last_frame' }] } }, /Input Reference 1 Role "last_frame" is not supported by model openai\/sora-2 \(it supports first_frame\)/],
		['a video reference where only images are taken', 'google/veo-3.1-lite', { inputReferences: { reference: [{ source: 'url', url: 'https://example.com/a.mp4', mediaType: 'video', role: 'reference' }] } }, /Input Reference 1 is a video, but model google\/veo-3.1-lite only takes text, image input/],
	])('refuses %s, naming model, field and what it supports', async (_name, model, extra, message) => {
		const run = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none', model: byId(model), ...extra }) });
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(message);
		expect(posts()).toHaveLength(0);
	});

	it('reads the catalogue once per execution', async () => {
		await runAiStats(sim, {
			items: [{ json: {} }, { json: {} }, { json: {} }],
			parameters: generateParameters({ waitForCompletion: 'none' }),
		});
		expect(sim.requests().filter((request) => request.path === '/v1/videos/models')).toHaveLength(1);
		expect(posts()).toHaveLength(3);
	});

	it('keeps the catalogue for a minute across executions, per Base URL and key', async () => {
		const catalogueReads = () => sim.requests().filter((request) => request.path === '/v1/videos/models');
		for (let run = 0; run < 3; run++) {
			await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none' }) });
		}
		expect(catalogueReads()).toHaveLength(1);
		await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none' }), credential: { apiKey: sim.keys.noFunds } });
		expect(catalogueReads()).toHaveLength(2);
		expect(catalogueReads()[1].headers.authorization).toBe(`Bearer ${sim.keys.noFunds}`);
	});

	it('can be turned off: the request goes out (and the provider fails it later)', async () => {
		const run = await runAiStats(sim, {
			parameters: generateParameters({ waitForCompletion: 'poll', onJobFailure: 'output', model: byId('minimax/hailuo-02'), options: { seed: 7, checkModel: false } }),
		});
		expect(posts()).toHaveLength(1);
		expect(run.items[0].json.status).toBe('failed');
	});

	it('never blocks when the catalogue is unavailable or the model unknown to it', async () => {
		sim.injectFault({ route: 'GET /videos/models', kind: 'status', status: 503, count: 10 });
		const run = await runAiStats(sim, { parameters: generateParameters({ waitForCompletion: 'none', options: { duration: 5 } }) });
		expect(run.status).toBe('success');
		expect(posts()).toHaveLength(1);
	});

	it('never blocks on catalogue detail it does not understand', () => {
		const entry = {
			model: 'acme/mystery',
			supported_params_detail: {
				duration: { allowed: 'anything between 3 and 9' },
				resolution: ['720p'],
				input_references: { kinds: 'image' },
			},
		};
		expect(
			checkAgainstModel(
				{
					model: 'acme/mystery',
					prompt: 'p',
					duration: 20,
					resolution: '4K',
					input_references: [{ type: 'video_url', role: 'mask', media_url: { url: 'https://x' } }],
				},
				entry,
			),
		).toEqual([]);
	});
});
