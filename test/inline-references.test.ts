import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { BinaryDataService } from 'n8n-core';
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import type { Simulator } from '../simulator';
import { disposeHarness, HARNESS_START_NODE_TYPE, runWorkflow } from './harness';
import { harnessLogText } from './harness/logs';
import { Container } from './harness/n8n-internals';
import {
	AI_STATS,
	NODE_NAME,
	aiStatsCredential,
	byId,
	credentialTypes,
	generateParameters,
	nodeTypes,
	runAiStats,
	startSimulator,
} from './support/fixtures';

/**
 * Binary references sent inline (`input_reference: {image_url: "data:…"}`, or as a multipart file
 * above the data URL limit) or as a signed link,
 * chosen per Reference Delivery (Auto / Inline / Link), checked before anything is sent.
 */

const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
/** An image as a Form upload gives it: the type's signature, then `bytes` in all. */
const image = (head: Buffer, bytes: number) => Buffer.concat([head, randomBytes(bytes - head.length)]);
const sha256 = (buffer: Buffer) => createHash('sha256').update(buffer).digest('hex');

const KB = 1024;
const MB = 1_000_000;

const uploadItem = (data: Buffer, mimeType: string, fileName = 'photo') => ({
	json: { name: 'Ada' },
	binary: { photo: { data, mimeType, fileName } },
});
const fromBinary = (extra: Record<string, unknown> = {}) => ({
	inputReferences: { reference: [{ source: 'binary', binaryPropertyName: 'photo', mediaType: 'image', role: 'first_frame', ...extra }] },
});
/** Anything that looks like the start of real base64 image data. */
const DATA_URL = /data:image\/[a-z]+;base64,[A-Za-z0-9+/]{40}/;

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
	sim.clearReceivedReferences();
});

const posts = () => sim.requests().filter((request) => request.method === 'POST' && request.path === '/v1/videos');
const received = () => sim.receivedReferences();

describe('Auto sends an upload inline when the model takes it, on an n8n nobody can reach', () => {
	const cases = [
		{ type: 'PNG', head: PNG_HEAD, mimeType: 'image/png' },
		{ type: 'JPEG', head: JPEG_HEAD, mimeType: 'image/jpeg' },
	];
	for (const binaryMode of ['default', 'filesystem'] as const) {
		for (const { type, head, mimeType } of cases) {
			it(`${type}, 1 KB, ${binaryMode} binary mode: the gateway decodes exactly the upload`, async () => {
				const upload = image(head, KB);
				const run = await runAiStats(sim, {
					items: [uploadItem(upload, mimeType)],
					binaryMode,
					parameters: generateParameters({ waitForCompletion: 'none', ...fromBinary() }),
				});
				expect(run.error?.message ?? 'no error').toBe('no error');
				expect(received()).toHaveLength(1);
				expect(received()[0]).toMatchObject({ source: 'data_url', mimeType, bytes: upload.length, sha256: sha256(upload) });
				const body = posts()[0].body as { input_reference?: unknown; input_references?: unknown };
				expect(body.input_references).toBeUndefined();
				expect(JSON.stringify(run.items)).not.toMatch(DATA_URL);
			});
		}
	}

	it('an image of 12 MB (the data URL limit) still goes as a data URL; Sora takes it too', async () => {
		const upload = image(JPEG_HEAD, 12 * MB);
		const run = await runAiStats(sim, {
			items: [uploadItem(upload, 'image/jpeg')],
			parameters: generateParameters({ model: byId('openai/sora-2'), waitForCompletion: 'none', ...fromBinary() }),
		});
		expect(run.error?.message ?? 'no error').toBe('no error');
		expect(received()[0]).toMatchObject({ source: 'data_url', model: 'openai/sora-2', bytes: upload.length, sha256: sha256(upload) });
	});

	it('an empty prompt is allowed with an image reference; the job is created', async () => {
		const upload = image(PNG_HEAD, KB);
		const run = await runAiStats(sim, {
			items: [uploadItem(upload, 'image/png')],
			parameters: generateParameters({ prompt: '', waitForCompletion: 'none', ...fromBinary() }),
		});
		expect(run.error?.message ?? 'no error').toBe('no error');
		expect((posts()[0].body as { prompt: string }).prompt).toBe('');
		expect(run.items[0].json.id).toEqual(expect.any(String));
	});
});

describe('Auto for a model not known to take inline images', () => {
	it('uses the signed link when n8n is public https', async () => {
		const upload = image(PNG_HEAD, KB);
		const run = await runAiStats(sim, {
			items: [uploadItem(upload, 'image/png')],
			webhookBaseUrl: 'https://n8n.example.com/',
			parameters: generateParameters({ model: byId('bytedance/seedance-2.0'), waitForCompletion: 'none', ...fromBinary() }),
		});
		expect(run.error?.message ?? 'no error').toBe('no error');
		const body = posts()[0].body as { input_reference?: unknown; input_references: Array<{ image_url: { url: string } }> };
		expect(body.input_reference).toBeUndefined();
		expect(body.input_references[0].image_url.url).toMatch(/^https:\/\/n8n\.example\.com\/rest\/binary-data\/signed\?token=/);
		expect(received()).toHaveLength(0);
	});

	it('says why neither works when n8n is private, and sends nothing', async () => {
		const run = await runAiStats(sim, {
			items: [uploadItem(image(PNG_HEAD, KB), 'image/png')],
			parameters: generateParameters({ model: byId('bytedance/seedance-2.0'), waitForCompletion: 'none', ...fromBinary() }),
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toBe(
			'Input Reference 1: binary field "photo" can be sent neither inline (model bytedance/seedance-2.0 runs on byteplus, not known to accept inline images) nor as a link (the gateway cannot fetch binary field "photo" from http://localhost:5678/rest/binary-data/signed)',
		);
		expect(String((run.error as { description?: string }).description)).toContain('WEBHOOK_URL');
		expect(posts()).toHaveLength(0);
	});

	it('a text-only model: Auto falls back to the link, and the model check refuses the image', async () => {
		const run = await runAiStats(sim, {
			items: [uploadItem(image(PNG_HEAD, KB), 'image/png')],
			webhookBaseUrl: 'https://n8n.example.com/',
			parameters: generateParameters({ model: byId('minimax/hailuo-02'), prompt: '', waitForCompletion: 'none', ...fromBinary() }),
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toBe('Model minimax/hailuo-02 cannot take this request: Input Reference 1 is an image, but model minimax/hailuo-02 only takes text input');
		expect(posts()).toHaveLength(0);
	});
});

describe('Inline chosen by hand', () => {
	it('a model whose providers are not known to take it is refused by the model check, naming the field', async () => {
		const run = await runAiStats(sim, {
			items: [uploadItem(image(PNG_HEAD, KB), 'image/png')],
			parameters: generateParameters({ model: byId('bytedance/seedance-2.0'), waitForCompletion: 'none', ...fromBinary({ delivery: 'inline' }) }),
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(
			/^Model bytedance\/seedance-2\.0 cannot take this request: Input Reference 1 cannot be sent inline: model bytedance\/seedance-2\.0 runs on byteplus, not known to accept inline images\. Set Reference Delivery to "Signed Link"/,
		);
		expect(posts()).toHaveLength(0);
	});

	it('25 MB is refused before anything is sent, naming the size and the limit', async () => {
		const run = await runAiStats(sim, {
			items: [uploadItem(image(PNG_HEAD, 25 * MB), 'image/png')],
			parameters: generateParameters({ waitForCompletion: 'none', ...fromBinary({ delivery: 'inline' }) }),
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toBe(
			'Input Reference 1: binary field "photo" cannot be sent inline: the file is 25.0 MB, over the 20.0 MB inline limit (the gateway takes file uploads up to 32 MiB)',
		);
		expect(sim.requests().filter((request) => request.path === '/v1/videos')).toHaveLength(0);
	});

	it('a type providers do not take is refused, listing the types', async () => {
		const run = await runAiStats(sim, {
			items: [uploadItem(Buffer.from('GIF89a0123456789'), 'image/gif')],
			parameters: generateParameters({ waitForCompletion: 'none', ...fromBinary({ delivery: 'inline' }) }),
		});
		expect(run.error?.message).toBe(
			'Input Reference 1: binary field "photo" cannot be sent inline: the file is image/gif; inline images must be image/png, image/jpeg, image/webp',
		);
		expect(posts()).toHaveLength(0);
	});

	it('bytes that are not the declared type are refused before the create is sent', async () => {
		const run = await runAiStats(sim, {
			items: [uploadItem(image(JPEG_HEAD, KB), 'image/png')],
			parameters: generateParameters({ waitForCompletion: 'none', ...fromBinary({ delivery: 'inline' }) }),
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toContain('Input Reference 1: the file\'s bytes are not image/png');
		expect(posts()).toHaveLength(0);
	});

	it('with Continue On Fail, a failed item carries the placeholder, never the data', async () => {
		sim.injectFault({ route: 'POST /videos', kind: 'status', status: 500 });
		const run = await runAiStats(sim, {
			items: [uploadItem(image(PNG_HEAD, 100 * KB), 'image/png')],
			node: { onError: 'continueRegularOutput' },
			parameters: generateParameters({ waitForCompletion: 'none', ...fromBinary({ delivery: 'inline' }) }),
		});
		expect(run.items[0].json.error).toEqual(expect.any(String));
		expect(JSON.stringify(run.items)).not.toMatch(DATA_URL);
		expect(JSON.stringify(run.run.data.resultData)).not.toMatch(DATA_URL);
	});
});

describe('15 MB: over what a data URL can carry', () => {
	for (const binaryMode of ['default', 'filesystem'] as const) {
		for (const { type, head, mimeType } of [
			{ type: 'PNG', head: PNG_HEAD, mimeType: 'image/png' },
			{ type: 'JPEG', head: JPEG_HEAD, mimeType: 'image/jpeg' },
		]) {
			it(`${type}, ${binaryMode} binary mode, a model on OpenAI: goes inline as a file upload, one create, bytes intact`, async () => {
				const upload = image(head, 15 * MB);
				const run = await runAiStats(sim, {
					items: [uploadItem(upload, mimeType)],
					binaryMode,
					parameters: generateParameters({ model: byId('openai/sora-2'), waitForCompletion: 'none', ...fromBinary() }),
				});
				expect(run.error?.message ?? 'no error').toBe('no error');
				expect(posts()).toHaveLength(1);
				expect(posts()[0].headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
				expect(received()).toEqual([expect.objectContaining({ source: 'multipart', model: 'openai/sora-2', mimeType, bytes: upload.length, sha256: sha256(upload) })]);
				expect(JSON.stringify(run.items)).not.toMatch(DATA_URL);
			});
		}
	}

	it('the form carries the text fields, Provider routing as JSON, and Duration as Seconds', async () => {
		const upload = image(PNG_HEAD, 13 * MB);
		const run = await runAiStats(sim, {
			items: [uploadItem(upload, 'image/png')],
			parameters: generateParameters({
				model: byId('openai/sora-2'),
				prompt: 'the camera pushes in',
				waitForCompletion: 'none',
				...fromBinary(),
				options: { duration: 8, size: '1280x720' },
				providerRouting: { order: 'openai' },
			}),
		});
		expect(run.error?.message ?? 'no error').toBe('no error');
		expect(posts()[0].body).toEqual({
			model: 'openai/sora-2',
			prompt: 'the camera pushes in',
			seconds: '8',
			size: '1280x720',
			provider: { order: ['openai'] },
			input_reference: '[file reference.png, 13000000 bytes]',
		});
		expect(run.items[0].json.id).toEqual(expect.any(String));
	});

	it('a field a form cannot carry is refused before anything is sent, naming it and what to do', async () => {
		const run = await runAiStats(sim, {
			items: [uploadItem(image(PNG_HEAD, 13 * MB), 'image/png')],
			parameters: generateParameters({ model: byId('openai/sora-2'), waitForCompletion: 'none', ...fromBinary(), options: { duration: 5 } }),
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toContain(
			'Duration must be one of 4, 8, 12, 16, 20 (got 5): it is sent as Seconds. An inline image of 13.0 MB (over 12.0 MB) goes as a file upload, whose other fields can only be text',
		);
		expect(posts()).toHaveLength(0);
	});

	it('Webhook (Resume) with such an image is refused up front: the form cannot carry the job\'s webhook', async () => {
		const run = await runAiStats(sim, {
			items: [uploadItem(image(PNG_HEAD, 13 * MB), 'image/png')],
			parameters: generateParameters({ model: byId('openai/sora-2'), waitForCompletion: 'webhook', ...fromBinary() }),
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toContain('Webhook cannot be sent: wait with Poll or Don\'t Wait instead of Webhook (Resume)');
		expect(posts()).toHaveLength(0);
	});

	it('a model that takes data URLs only: Auto uses the signed link on a public n8n, and the gateway fetches the upload\'s bytes', async () => {
		const upload = image(PNG_HEAD, 15 * MB);
		const run = await runAiStats(sim, {
			items: [uploadItem(upload, 'image/png')],
			webhookBaseUrl: 'https://n8n.example.com/',
			parameters: generateParameters({ waitForCompletion: 'none', ...fromBinary() }),
		});
		expect(run.error?.message ?? 'no error').toBe('no error');
		const url = (posts()[0].body as { input_references: Array<{ image_url: { url: string } }> }).input_references[0].image_url.url;
		expect(sha256(await run.readSignedBinaryUrl(url))).toBe(sha256(upload));
		expect(received()).toHaveLength(0);
	});

	it('a model that takes data URLs only, on a private n8n: says why, naming both limits', async () => {
		const run = await runAiStats(sim, {
			items: [uploadItem(image(JPEG_HEAD, 15 * MB), 'image/jpeg')],
			parameters: generateParameters({ waitForCompletion: 'none', ...fromBinary() }),
		});
		expect(run.error?.message).toContain(
			'can be sent neither inline (the file is 15.0 MB, and model google/veo-3.1-lite takes inline images up to 12.0 MB (as a data URL); larger ones, up to 20.0 MB, go as a file upload, which only models on openai take)',
		);
		expect(posts()).toHaveLength(0);
	});

	it('Inline chosen by hand for such a model: the model check refuses it before anything is sent', async () => {
		const run = await runAiStats(sim, {
			items: [uploadItem(image(PNG_HEAD, 15 * MB), 'image/png')],
			parameters: generateParameters({ waitForCompletion: 'none', ...fromBinary({ delivery: 'inline' }) }),
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toContain('Input Reference 1 cannot be sent inline: the file is 15.0 MB, and model google/veo-3.1-lite takes inline images up to 12.0 MB');
		expect(posts()).toHaveLength(0);
	});
});

describe('Link chosen by hand', () => {
	it('never sends the image inline, even for a model that takes it', async () => {
		const run = await runAiStats(sim, {
			items: [uploadItem(image(PNG_HEAD, KB), 'image/png')],
			webhookBaseUrl: 'https://n8n.example.com/',
			parameters: generateParameters({ waitForCompletion: 'none', ...fromBinary({ delivery: 'link' }) }),
		});
		expect(run.error?.message ?? 'no error').toBe('no error');
		expect((posts()[0].body as { input_references: unknown[] }).input_references).toHaveLength(1);
		expect(received()).toHaveLength(0);
	});
});

describe('examples/form-photo-to-video.json', () => {
	it('works on an n8n nobody can reach, with binary data in memory: the photo goes inline, the video comes back', async () => {
		const example = JSON.parse(readFileSync(join(__dirname, '..', 'examples', 'form-photo-to-video.json'), 'utf8')) as {
			nodes: Array<{ name: string; parameters: Record<string, unknown> }>;
		};
		const animate = example.nodes.find((entry) => entry.name === 'Animate photo');
		const photo = image(JPEG_HEAD, 300 * KB);
		const run = await runAiStats(sim, {
			// What the Form Trigger gives: the fields by label, the file under the field's label.
			items: [{ json: { Motion: 'The camera slowly pushes in' }, binary: { Photo: { data: photo, mimeType: 'image/jpeg', fileName: 'me.jpg' } } }],
			binaryMode: 'default',
			parameters: { ...animate?.parameters, waitOptions: { pollIntervalSeconds: 1 } },
		});
		expect(run.error?.message ?? 'no error').toBe('no error');
		expect(run.items[0].json.status).toBe('completed');
		expect(received()).toEqual([expect.objectContaining({ source: 'data_url', bytes: photo.length, sha256: sha256(photo) })]);
		expect((await run.binaryBuffer(run.items[0])).length).toBeGreaterThan(0);
	});
});

afterAll(() => {
	expect(harnessLogText()).not.toMatch(DATA_URL);
});

/**
 * A Form or Webhook trigger's upload in a production run sits under `executions/temp/`, and n8n
 * renames it to the execution's folder when the execution ends or parks. This node stands in for
 * the trigger: it stores the upload there, as the webhook server does before the execution exists.
 */
class TempUploadNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Temp Upload',
		name: 'test.tempUpload',
		group: ['trigger'],
		version: 1,
		description: 'Outputs one item whose binary is stored as a production trigger stores it',
		defaults: { name: 'Temp Upload' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const binary = await Container.get(BinaryDataService).store(
			{ type: 'execution', workflowId: this.getWorkflow().id ?? 'wf', executionId: '' },
			TEMP_UPLOAD,
			{ data: '', mimeType: 'image/jpeg', fileName: 'upload.jpg' },
		);
		return [[{ json: { Motion: 'pushes in' }, binary: { Photo: binary } }]];
	}
}
const TEMP_UPLOAD = image(JPEG_HEAD, 50 * KB);

describe('signed links to a production trigger\'s upload', () => {
	it('point at a copy under this execution, which stays when n8n moves the temporary upload', async () => {
		const run = await runWorkflow({
			nodeTypes: { ...nodeTypes, 'test.tempUpload': new TempUploadNode() },
			credentialTypes,
			credentials: [aiStatsCredential(sim)],
			binaryMode: 'filesystem',
			webhookBaseUrl: 'https://n8n.example.com/',
			workflow: {
				nodes: [
					{ id: 'start', name: 'Start', type: HARNESS_START_NODE_TYPE, typeVersion: 1, position: [0, 0], parameters: { items: [{ json: {} }] } as unknown as INodeParameters },
					{ id: 'upload', name: 'Upload', type: 'test.tempUpload', typeVersion: 1, position: [200, 0], parameters: {} },
					{
						id: 'ai-stats',
						name: NODE_NAME,
						type: AI_STATS,
						typeVersion: 1,
						position: [400, 0],
						parameters: generateParameters({
							waitForCompletion: 'none',
							inputReferences: { reference: [{ source: 'binary', binaryPropertyName: 'Photo', mediaType: 'image', role: 'first_frame', delivery: 'link' }] },
						}) as INodeParameters,
						credentials: { aiStatsApi: { id: 'cred-ai-stats', name: 'AI Stats account' } },
					},
				],
				connections: {
					Start: { main: [[{ node: 'Upload', type: 'main', index: 0 }]] },
					Upload: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] },
				},
			},
		});
		expect(run.error?.message ?? 'no error').toBe('no error');
		const [upload] = run.output('Upload');
		const uploadId = String(upload.binary?.Photo.id);
		expect(uploadId).toContain('/executions/temp/binary_data/');
		const url = (posts()[0].body as { input_references: Array<{ image_url: { url: string } }> }).input_references[0].image_url.url;
		const token = new URL(url).searchParams.get('token') ?? '';
		const linkedId = (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { id: string }).id;
		expect(linkedId).toContain(`/executions/${run.executionId}/binary_data/`);
		// What n8n does when the execution ends or parks: the temporary upload moves away.
		const [, tempFileId] = uploadId.split(':');
		await Container.get(BinaryDataService).rename(tempFileId, tempFileId.replace('/temp/', `/${run.executionId}/`));
		expect(sha256(await run.readSignedBinaryUrl(url))).toBe(sha256(TEMP_UPLOAD));
	});
});
