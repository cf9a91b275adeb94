'use strict';
/**
 * Video model catalogue (GET /videos/models) and per-model capability checks.
 *
 * The gateway validates request *shape* strictly but leaves *capabilities* to the provider: a request
 * with a parameter the model does not support is accepted (202, funds held) and the job later fails
 * with a provider error. `checkSupport` decides that outcome.
 */

/**
 * @typedef {{values?: Array<string|number>, min?: number, max?: number, type?: string, default?: unknown,
 *   types?: string[], roles?: string[], max_items?: number}} ParamSpec
 * @typedef {{model: string, name: string, provider: string, input_types: string[], params: Record<string, ParamSpec>,
 *   usdPerSecond: Record<string, number>, audioSurchargePerSecond?: number, requiresSource?: boolean}} ModelSpec
 */

/** @type {ModelSpec[]} */
const MODELS = [
	{
		model: 'google/veo-3.1-lite',
		name: 'Veo 3.1 Lite',
		provider: 'google-ai-studio',
		input_types: ['text', 'image'],
		params: {
			duration: { values: [4, 6, 8], default: 8 },
			resolution: { values: ['720p', '1080p'], default: '720p' },
			aspect_ratio: { values: ['16:9', '9:16'], default: '16:9' },
			generate_audio: { type: 'boolean', default: true },
			sample_count: { min: 1, max: 4, default: 1 },
			negative_prompt: { type: 'string' },
			seed: { type: 'integer' },
			person_generation: { values: ['allow_all', 'allow_adult', 'dont_allow'] },
			enhance_prompt: { type: 'boolean' },
			input_references: { types: ['image_url'], roles: ['first_frame', 'last_frame', 'reference'], max_items: 3 },
		},
		usdPerSecond: { '720p': 0.05, '1080p': 0.08 },
		audioSurchargePerSecond: 0.03,
	},
	{
		model: 'google/veo-3.1',
		name: 'Veo 3.1',
		provider: 'google-ai-studio',
		input_types: ['text', 'image'],
		params: {
			duration: { values: [4, 6, 8], default: 8 },
			resolution: { values: ['720p', '1080p'], default: '720p' },
			aspect_ratio: { values: ['16:9', '9:16'], default: '16:9' },
			generate_audio: { type: 'boolean', default: true },
			sample_count: { min: 1, max: 4, default: 1 },
			negative_prompt: { type: 'string' },
			seed: { type: 'integer' },
			person_generation: { values: ['allow_all', 'allow_adult', 'dont_allow'] },
			enhance_prompt: { type: 'boolean' },
			compression_quality: { min: 0, max: 100 },
			resize_mode: { values: ['pad', 'crop'] },
			input_references: { types: ['image_url'], roles: ['first_frame', 'last_frame', 'reference'], max_items: 3 },
		},
		usdPerSecond: { '720p': 0.2, '1080p': 0.4 },
		audioSurchargePerSecond: 0.2,
	},
	{
		model: 'openai/sora-2',
		name: 'Sora 2',
		provider: 'openai',
		input_types: ['text', 'image'],
		params: {
			size: { values: ['1280x720', '720x1280'], default: '1280x720' },
			duration: { values: [4, 8, 12, 16, 20], default: 4 },
			input_references: { types: ['image_url'], roles: ['first_frame'], max_items: 1 },
		},
		usdPerSecond: { default: 0.1 },
	},
	{
		model: 'minimax/hailuo-02',
		name: 'Hailuo 02',
		provider: 'minimax',
		input_types: ['text'],
		params: {
			duration: { values: [6, 10], default: 6 },
			resolution: { values: ['720p', '1080p'], default: '720p' },
			enhance_prompt: { type: 'boolean' },
		},
		usdPerSecond: { '720p': 0.045, '1080p': 0.08 },
	},
	{
		model: 'runway/gen-4-aleph',
		name: 'Gen-4 Aleph',
		provider: 'runway',
		input_types: ['text', 'image', 'video'],
		params: {
			duration: { values: [5, 10], default: 5 },
			aspect_ratio: { values: ['16:9', '9:16', '1:1'], default: '16:9' },
			seed: { type: 'integer' },
			input_references: { types: ['video_url', 'image_url'], roles: ['source', 'reference'], max_items: 2 },
		},
		usdPerSecond: { default: 0.15 },
		requiresSource: true,
	},
	{
		model: 'bytedance/seedance-2.0',
		name: 'Seedance 2.0',
		provider: 'byteplus',
		input_types: ['text', 'image'],
		params: {
			duration: { values: [5, 10], default: 5 },
			resolution: { values: ['480p', '720p', '1080p'], default: '720p' },
			aspect_ratio: { values: ['16:9', '9:16', '1:1'], default: '16:9' },
			seed: { type: 'integer' },
			generate_audio: { type: 'boolean', default: false },
			input_references: { types: ['image_url'], roles: ['first_frame', 'last_frame', 'reference'], max_items: 2 },
		},
		usdPerSecond: { '480p': 0.03, '720p': 0.06, '1080p': 0.12 },
	},
];

/** Model ids the server resolves to a catalogue model (a create without `model` becomes `sora-2`). */
const ALIASES = Object.freeze({ 'sora-2': 'openai/sora-2' });

/**
 * Providers whose executors take an inline `input_reference` image (data: URL or upload). From the
 * gateway source: OpenAI (Sora) sends it on as a file; the Google/Vertex and MiniMax executors decode
 * data: URLs given as the first frame. Other providers: unconfirmed, so the simulated provider rejects it.
 */
const INLINE_REFERENCE_PROVIDERS = Object.freeze(['openai', 'google-ai-studio', 'google-vertex', 'minimax']);

/**
 * Production asset facts per provider, used when the `assetBytes` / `contentLength` mode is `model`:
 * whether GET shows `asset.bytes`, and whether /content sends a Content-Length (the gateway passes
 * the provider's header through only when there is one). `asset.sha256` is null in production always.
 */
const PRODUCTION_ASSET_FACTS = Object.freeze({
	'google-ai-studio': { assetBytes: true, contentLength: true },
	openai: { assetBytes: false, contentLength: true },
	minimax: { assetBytes: false, contentLength: false },
	runway: { assetBytes: true, contentLength: false },
	byteplus: { assetBytes: false, contentLength: false },
});

const BY_ID = new Map(MODELS.map((model) => [model.model, model]));

/** Body fields that are gateway controls rather than provider parameters. */
const NON_PROVIDER_FIELDS = new Set([
	'model',
	'prompt',
	'output',
	'webhook',
	'provider',
	'routing',
	'provider_params',
	'debug',
	'beta',
	'echo_upstream_request',
	'seconds',
	'input_reference',
]);

const findModel = (id) => BY_ID.get(ALIASES[id] ?? id);

function paramDetail(model, spec) {
	const detail = {};
	if (spec.values) detail.values = [...spec.values];
	if (spec.min !== undefined) detail.min = spec.min;
	if (spec.max !== undefined) detail.max = spec.max;
	if (spec.type) detail.type = spec.type;
	if (spec.default !== undefined) detail.default = spec.default;
	if (spec.types) detail.types = [...spec.types];
	if (spec.roles) detail.roles = [...spec.roles];
	if (spec.max_items !== undefined) detail.max_items = spec.max_items;
	detail.providers = [model.provider];
	return detail;
}

function pricingFor(model) {
	return {
		currency: 'usd',
		unit: 'second',
		per_second: { ...model.usdPerSecond },
		...(model.audioSurchargePerSecond ? { audio_surcharge_per_second: model.audioSurchargePerSecond } : {}),
	};
}

/** Public catalogue entry, shaped like the gateway's GET /videos/models items. */
function publicModel(model) {
	const supported = Object.keys(model.params);
	const detail = Object.fromEntries(Object.entries(model.params).map(([name, spec]) => [name, paramDetail(model, spec)]));
	return {
		model: model.model,
		name: model.name,
		status: 'active',
		input_types: [...model.input_types],
		output_types: ['video'],
		supported_params: supported,
		supported_parameters: supported,
		supported_params_detail: detail,
		supported_parameters_detail: detail,
		providers: [
			{
				id: model.provider,
				supported_params: supported,
				supported_parameters: supported,
				supported_params_detail: detail,
				supported_parameters_detail: detail,
			},
		],
		pricing: pricingFor(model),
	};
}

/** Catalogue filtered to models supporting every listed param (the `?params=` query). */
function listModels(requiredParams = []) {
	return MODELS.filter((model) => requiredParams.every((param) => Object.prototype.hasOwnProperty.call(model.params, param))).map(publicModel);
}

const REFERENCE_INPUT_TYPE = { image_url: 'image', video_url: 'video', audio_url: 'audio' };

/**
 * Provider-side capability check for a shape-valid request.
 * @returns {{param: string, message: string} | null} first unsupported parameter, if any
 */
function checkSupport(model, body) {
	for (const [name, value] of Object.entries(body)) {
		if (NON_PROVIDER_FIELDS.has(name) || value === undefined) continue;
		const spec = model.params[name];
		if (!spec) return { param: name, message: `${model.model} does not support the '${name}' parameter.` };
		if (name === 'input_references') {
			const problem = checkReferences(model, spec, value);
			if (problem) return problem;
			continue;
		}
		if (spec.values && !spec.values.includes(value)) {
			return { param: name, message: `${model.model} does not support ${name}=${JSON.stringify(value)}; supported values: ${spec.values.join(', ')}.` };
		}
		if (spec.min !== undefined && value < spec.min) return { param: name, message: `${name} must be at least ${spec.min} for ${model.model}.` };
		if (spec.max !== undefined && value > spec.max) return { param: name, message: `${name} must be at most ${spec.max} for ${model.model}.` };
	}
	if (body.input_reference !== undefined) {
		if (!INLINE_REFERENCE_PROVIDERS.includes(model.provider) || !model.input_types.includes('image')) {
			return { param: 'input_reference', message: `${model.model} does not accept an inline input_reference image.` };
		}
	}
	const seconds = effectiveDuration(body);
	if (body.duration === undefined && seconds !== undefined && model.params.duration?.values && !model.params.duration.values.includes(seconds)) {
		return { param: 'seconds', message: `${model.model} does not support seconds=${JSON.stringify(body.seconds)}; supported values: ${model.params.duration.values.join(', ')}.` };
	}
	if (model.requiresSource) {
		const refs = Array.isArray(body.input_references) ? body.input_references : [];
		if (!refs.some((ref) => ref.type === 'video_url')) {
			return { param: 'input_references', message: `${model.model} requires a source video (input_references[].type = video_url).` };
		}
	}
	return null;
}

function checkReferences(model, spec, refs) {
	if (spec.max_items !== undefined && refs.length > spec.max_items) {
		return { param: 'input_references', message: `${model.model} accepts at most ${spec.max_items} input reference(s).` };
	}
	for (const [index, ref] of refs.entries()) {
		const inputType = REFERENCE_INPUT_TYPE[ref.type];
		if (!spec.types.includes(ref.type) || !model.input_types.includes(inputType)) {
			return { param: `input_references[${index}].type`, message: `${model.model} does not accept ${ref.type} input references.` };
		}
		if (ref.role !== undefined && !spec.roles.includes(ref.role)) {
			return { param: `input_references[${index}].role`, message: `${model.model} does not support the '${ref.role}' reference role.` };
		}
	}
	return null;
}

const RESOLUTION_SHORT_SIDE = { '480p': 480, '720p': 720, '768p': 768, '1080p': 1080, '1K': 1080, '2K': 1440, '4K': 2160 };

/**
 * Effective output geometry and duration for a job (what the provider would render).
 * @returns {{seconds: number, width: number, height: number, size: string, resolution: string|null, aspectRatio: string|null}}
 */
function resolveGeometry(model, body) {
	const seconds = effectiveDuration(body) ?? model.params.duration?.default ?? 8;
	if (typeof body.size === 'string' && /^\d+x\d+$/.test(body.size)) {
		const [width, height] = body.size.split('x').map(Number);
		return { seconds, width, height, size: body.size, resolution: null, aspectRatio: null };
	}
	if (!body.resolution && !body.aspect_ratio && model.params.size?.default) {
		const [width, height] = String(model.params.size.default).split('x').map(Number);
		return { seconds, width, height, size: model.params.size.default, resolution: null, aspectRatio: null };
	}
	const resolution = body.resolution ?? model.params.resolution?.default ?? '720p';
	const aspectRatio = body.aspect_ratio ?? model.params.aspect_ratio?.default ?? '16:9';
	const shortSide = RESOLUTION_SHORT_SIDE[resolution] ?? 720;
	const [a, b] = String(aspectRatio).split(':').map(Number);
	const even = (n) => Math.max(2, Math.round(n / 2) * 2);
	let width;
	let height;
	if (!(a > 0 && b > 0) || a === b) {
		width = shortSide;
		height = shortSide;
	} else if (a > b) {
		height = shortSide;
		width = even((shortSide * a) / b);
	} else {
		width = shortSide;
		height = even((shortSide * b) / a);
	}
	return { seconds, width, height, size: `${width}x${height}`, resolution, aspectRatio };
}

/** `duration`, else the OpenAI-native `seconds` string as a number. */
function effectiveDuration(body) {
	if (typeof body.duration === 'number') return body.duration;
	if (typeof body.seconds === 'string' && /^\d+$/.test(body.seconds)) return Number(body.seconds);
	return undefined;
}

/** Estimated provider cost in USD for the request (held as funds at create). */
function estimateCostUsd(model, body, geometry) {
	const rate = model.usdPerSecond[geometry.resolution ?? ''] ?? model.usdPerSecond.default ?? Object.values(model.usdPerSecond)[0];
	const audio = body.generate_audio ?? model.params.generate_audio?.default ?? false;
	const perSecond = rate + (audio && model.audioSurchargePerSecond ? model.audioSurchargePerSecond : 0);
	const samples = body.sample_count ?? 1;
	return Math.round(perSecond * geometry.seconds * samples * 100) / 100;
}

/** Whether the rendered video carries an audio track. */
function hasAudio(model, body) {
	if (typeof body.generate_audio === 'boolean') return body.generate_audio;
	if (model.params.generate_audio) return Boolean(model.params.generate_audio.default);
	return model.provider === 'openai';
}

module.exports = { MODELS, ALIASES, INLINE_REFERENCE_PROVIDERS, PRODUCTION_ASSET_FACTS, effectiveDuration, findModel, listModels, publicModel, checkSupport, resolveGeometry, estimateCostUsd, hasAudio };
