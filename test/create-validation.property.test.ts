import type { IDataObject } from 'n8n-workflow';

import { buildCreateBody, type GenerateInput, type ReferenceInput } from '../nodes/AiStats/actions/video/generate/body';
import { CreateRequestError } from '../nodes/AiStats/actions/video/generate/problems';
import { validateCreate } from '../simulator/lib/validate';

/**
 * Property: for random combinations of Generate's fields, whatever the simulator's strict
 * validator (modelled on the gateway's schema) rejects, the node rejects first with a message
 * naming a field; whatever it accepts, the node sends exactly as the gateway expects it.
 *
 * Deliberate, documented differences are left out of the generator: the node also refuses a
 * prompt of only spaces, trims model names and provider lists, and refuses webhook event names
 * it does not know even when mixed with known ones.
 */

function prng(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Each field: values the gateway accepts, and values it refuses (picked now and then). */
interface Pool<T> {
	ok: readonly T[];
	bad: readonly T[];
}

const POOLS = {
	model: { ok: ['google/veo-3.1-lite', 'openai/sora-2'], bad: [''] },
	prompt: { ok: ['a red fox in the snow', 'A cinematic sunrise over a mountain lake, slow dolly shot'], bad: [''] },
	duration: { ok: [undefined, 1, 8, 120], bad: [0, 121, 8.5, -3] },
	size: { ok: [undefined, undefined, undefined, '1280x720', '1x1'], bad: ['1280*720', '720p', 'x'] },
	resolution: { ok: [undefined, undefined, '720p', '1080p', '4K'], bad: ['720', '8K'] },
	aspectRatio: { ok: [undefined, undefined, '16:9', '9:16', '21:9'], bad: ['16/9', 'wide'] },
	seed: { ok: [undefined, 0, 42, -7], bad: [1.5] },
	sampleCount: { ok: [undefined, 1, 4], bad: [0, 5, 2.5] },
	compressionQuality: { ok: [undefined, 0, 100], bad: [-1, 101, 50.5] },
	negativePrompt: { ok: [undefined, 'blur, text'], bad: [] },
	flag: { ok: [undefined, true, false], bad: [] },
	policy: { ok: [undefined, 'allow_adult'], bad: [] },
	referenceUrl: {
		ok: ['https://example.com/a.jpg', 'https://cdn.example.com/v.mp4?sig=1'],
		bad: ['http://example.com/a.jpg', 'ftp://example.com/a.jpg', 'not a url'],
	},
	media: { ok: ['image', 'video', 'audio'] as const, bad: [] },
	role: { ok: [undefined, 'first_frame', 'last_frame', 'reference', 'source', 'mask'], bad: ['middle_frame'] },
	referenceType: { ok: [undefined, 'asset'], bad: [] },
	providerParams: {
		ok: [undefined, undefined, { motion_strength: 0.5 }, { camera: { path: ['pan', 'zoom'] } }, '{"style": "anime"}', {}],
		bad: [{ duration: 5 }, { nested: { aspectRatio: '1:1' } }, { seed: 3 }, [1, 2], '{"callback_url": "https://x"}'],
	},
	outputAccess: { ok: [undefined, 'both', 'bytes', 'signed_url'], bad: ['public'] },
	providers: { ok: [undefined, ['google-vertex'], ['fal', 'replicate']], bad: [] },
	webhook: {
		ok: [
			undefined,
			undefined,
			{ url: 'https://hooks.example.com/ai-stats', secret: 'whsec_abc', events: ['video.completed'] },
			{ url: 'http://127.0.0.1:5678/webhook/x', secret: 'whsec_abc' },
			{ endpointId: 'we_123', events: ['video.completed', 'video.failed'] },
		],
		bad: [
			{ url: 'ftp://hooks.example.com', secret: 'whsec_abc' },
			{ url: 'https://hooks.example.com/ai-stats', secret: '' },
			{ url: 'https://hooks.example.com/ai-stats', secret: 'whsec_abc', events: ['video.bogus'] },
		],
	},
} satisfies Record<string, Pool<unknown>>;

function pick<T>(random: () => number, values: readonly T[]): T {
	return values[Math.floor(random() * values.length)];
}

/** Mostly accepted values, so that whole requests are often valid; now and then a refused one. */
function field<T>(random: () => number, pool: Pool<T>): T {
	return pool.bad.length > 0 && random() < 0.06 ? pick(random, pool.bad) : pick(random, pool.ok);
}

function randomInput(random: () => number): GenerateInput {
	const references: ReferenceInput[] = Array.from({ length: Math.floor(random() * 3) }, () => ({
		url: field(random, POOLS.referenceUrl),
		media: field(random, POOLS.media),
		role: field(random, POOLS.role),
		referenceType: field(random, POOLS.referenceType),
	}));
	return {
		model: field(random, POOLS.model),
		prompt: field(random, POOLS.prompt),
		duration: field(random, POOLS.duration),
		size: field(random, POOLS.size),
		resolution: field(random, POOLS.resolution),
		aspectRatio: field(random, POOLS.aspectRatio),
		seed: field(random, POOLS.seed),
		sampleCount: field(random, POOLS.sampleCount),
		compressionQuality: field(random, POOLS.compressionQuality),
		negativePrompt: field(random, POOLS.negativePrompt),
		generateAudio: field(random, POOLS.flag),
		enhancePrompt: field(random, POOLS.flag),
		personGeneration: field(random, POOLS.policy),
		resizeMode: field(random, POOLS.policy),
		references,
		providerParams: field<unknown>(random, POOLS.providerParams),
		outputAccess: field(random, POOLS.outputAccess),
		providerOrder: field(random, POOLS.providers),
		providerOnly: field(random, POOLS.providers),
		providerIgnore: field(random, POOLS.providers),
		includeAlphaProviders: field(random, POOLS.flag),
		webhook: field(random, POOLS.webhook),
	};
}

/** The request the gateway documents for these fields, written independently of the node. */
function documentedBody(input: GenerateInput): IDataObject {
	const body: IDataObject = { model: input.model, prompt: input.prompt };
	const optional: Array<[string, unknown]> = [
		['duration', input.duration],
		['size', input.size],
		['resolution', input.resolution],
		['aspect_ratio', input.aspectRatio],
		['seed', input.seed],
		['sample_count', input.sampleCount],
		['negative_prompt', input.negativePrompt],
		['generate_audio', input.generateAudio],
		['enhance_prompt', input.enhancePrompt],
		['compression_quality', input.compressionQuality],
		['person_generation', input.personGeneration],
		['resize_mode', input.resizeMode],
	];
	for (const [key, value] of optional) if (value !== undefined) body[key] = value as IDataObject[string];
	if (input.references?.length) {
		body.input_references = input.references.map((reference) => ({
			type: `${reference.media}_url`,
			...(reference.media === 'image' ? { image_url: { url: reference.url } } : { media_url: { url: reference.url } }),
			...(reference.role ? { role: reference.role } : {}),
			...(reference.referenceType ? { reference_type: reference.referenceType } : {}),
		}));
	}
	if (input.providerParams !== undefined) {
		const params = typeof input.providerParams === 'string' ? JSON.parse(input.providerParams) : input.providerParams;
		if (Array.isArray(params) || Object.keys(params as object).length > 0) body.provider_params = params as IDataObject;
	}
	if (input.outputAccess !== undefined) body.output = { access: input.outputAccess };
	const routing: IDataObject = {};
	if (input.providerOrder) routing.order = input.providerOrder;
	if (input.providerOnly) routing.only = input.providerOnly;
	if (input.providerIgnore) routing.ignore = input.providerIgnore;
	if (input.includeAlphaProviders !== undefined) routing.include_alpha = input.includeAlphaProviders;
	if (Object.keys(routing).length > 0) body.provider = routing;
	if (input.webhook) {
		body.webhook =
			'endpointId' in input.webhook
				? { endpoint_id: input.webhook.endpointId, ...(input.webhook.events ? { events: input.webhook.events } : {}) }
				: { url: input.webhook.url, secret: input.webhook.secret, ...(input.webhook.events ? { events: input.webhook.events } : {}) };
	}
	return body;
}

describe('create validation agrees with the gateway\'s strict validator', () => {
	const CASES = 3000;
	const random = prng(20261121);
	const inputs = Array.from({ length: CASES }, () => randomInput(random));

	it(`${CASES} random field combinations: rejected exactly when the gateway would, sent unchanged otherwise`, () => {
		let accepted = 0;
		const disagreements: string[] = [];
		for (const input of inputs) {
			const body = documentedBody(input);
			const gatewayProblems = validateCreate(body);
			let nodeBody: IDataObject | undefined;
			let nodeError: CreateRequestError | undefined;
			try {
				nodeBody = buildCreateBody(input);
			} catch (error) {
				if (!(error instanceof CreateRequestError)) throw error;
				nodeError = error;
			}
			if (gatewayProblems.length > 0 && !nodeError) {
				disagreements.push(`node sent what the gateway refuses (${gatewayProblems.map((problem) => problem.path.join('.')).join(', ')}): ${JSON.stringify(body)}`);
			} else if (gatewayProblems.length === 0 && nodeError) {
				disagreements.push(`node refused what the gateway accepts (${nodeError.message}): ${JSON.stringify(body)}`);
			} else if (nodeBody) {
				accepted++;
				try {
					expect(nodeBody).toEqual(body);
				} catch {
					disagreements.push(`node changed the body: ${JSON.stringify(nodeBody)} vs ${JSON.stringify(body)}`);
				}
			} else if (nodeError) {
				expect(nodeError.problems.length).toBeGreaterThan(0);
				for (const problem of nodeError.problems) {
					expect(problem.field).toMatch(/^[A-Z]/);
					expect(problem.message.length).toBeGreaterThan(10);
				}
			}
		}
		expect(disagreements.slice(0, 5)).toEqual([]);
		// Both sides of the property must actually be exercised.
		expect(accepted).toBeGreaterThan(CASES * 0.1);
		expect(CASES - accepted).toBeGreaterThan(CASES * 0.1);
	});

	it('malformed provider params JSON is refused before anything else', () => {
		expect(() => buildCreateBody({ model: 'm', prompt: 'p', providerParams: '{bad json' })).toThrow(/Provider Params: is not valid JSON/);
	});

	it('expression values that arrive as numeric strings are converted, not refused', () => {
		expect(buildCreateBody({ model: 'm', prompt: 'p', duration: '8', sampleCount: ' 2 ' })).toEqual({
			model: 'm',
			prompt: 'p',
			duration: 8,
			sample_count: 2,
		});
	});
});
