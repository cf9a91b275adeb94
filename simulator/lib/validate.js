'use strict';
/**
 * Strict shape validation of `POST /videos` bodies, modelled on the gateway's VideoGenerationSchema
 * (zod `.strict()`): unknown keys are errors, types are exact (no string→number coercion).
 *
 * `validateCreate(body, options?)` returns a list of problems `{path, message, code}`; an empty list
 * means the body is shape-valid. Capability checks (is this parameter supported by this model?) are
 * NOT done here: the gateway accepts such jobs and the provider fails them later (see models.js).
 *
 * Rules beyond the raw server schema (taken from the published contract): `size` must look like
 * `1280x720`, `resolution` is one of 480p|720p|1080p|1K|2K|4K, `aspect_ratio` looks like `16:9`, and
 * `provider_params` may not carry any top-level request field at its top level.
 */

const { isPlainObject, normalizeText } = require('./util');

const TOP_LEVEL_KEYS = new Set([
	'model',
	'prompt',
	'duration',
	'input_video_duration',
	'input_audio_duration',
	'size',
	'resolution',
	'aspect_ratio',
	'seed',
	'sample_count',
	'negative_prompt',
	'generate_audio',
	'enhance_prompt',
	'compression_quality',
	'person_generation',
	'resize_mode',
	'input_references',
	'provider_params',
	'output',
	'webhook',
	'echo_upstream_request',
	'debug',
	'beta',
	'provider',
	'routing',
]);

/** Fields only the production schema knows (OpenAI-native create fields). */
const OPENAI_CREATE_KEYS = new Set(['seconds', 'input_reference']);
const OPENAI_SECONDS = ['4', '8', '12', '16', '20'];
const MAX_PROMPT_CHARS = 32_000;
/** The server's cap on input_reference.image_url ("a 20 MB image expands to roughly 26.7 MB as base64"). */
const MAX_IMAGE_URL_CHARS = 28_000_000;

const RESOLUTIONS = ['480p', '720p', '1080p', '1K', '2K', '4K'];
const ROLES = ['first_frame', 'last_frame', 'reference', 'source', 'mask'];
const OUTPUT_ACCESS = ['bytes', 'signed_url', 'both'];

/** Keys the server rejects anywhere inside provider_params (compared case/underscore-insensitively). */
const PROVIDER_CONTROLLED_KEYS = new Set([
	'request',
	'model',
	'prompt',
	'input',
	'content',
	'duration',
	'duration_seconds',
	'durationseconds',
	'input_video_duration',
	'inputvideoduration',
	'input_video_duration_seconds',
	'inputvideodurationseconds',
	'input_audio_duration',
	'inputaudioduration',
	'seconds',
	'size',
	'resolution',
	'aspect_ratio',
	'aspectratio',
	'ratio',
	'sample_count',
	'samplecount',
	'number_of_videos',
	'numberofvideos',
	'callback_url',
	'callbackurl',
]);

/** Top-level request fields that provider_params may not override at its own top level. */
const TOP_LEVEL_OVERRIDE_KEYS = new Set([
	'model',
	'prompt',
	'duration',
	'size',
	'resolution',
	'aspect_ratio',
	'seed',
	'sample_count',
	'negative_prompt',
	'generate_audio',
	'enhance_prompt',
	'compression_quality',
	'person_generation',
	'resize_mode',
	'input_references',
	'output',
	'provider',
	'webhook',
]);

const WEBHOOK_PHASES = ['created', 'status_changed', 'progress', 'completed', 'failed', 'cancelled', 'expired'];

/**
 * Normalises one subscription name the way the gateway does: bare phase → `job.<phase>`,
 * `canceled` → `cancelled`, `video.x` / `job.x` kept; anything else (e.g. `batch.completed`) → null.
 * @returns {string|null}
 */
function normalizeWebhookEvent(value) {
	const text = normalizeText(value)?.toLowerCase();
	if (!text) return null;
	const normalized = text === 'canceled' ? 'cancelled' : text.replace(/\.canceled$/, '.cancelled');
	if (WEBHOOK_PHASES.includes(normalized)) return `job.${normalized}`;
	if (normalized.startsWith('job.') || normalized.startsWith('video.')) {
		const phase = normalized.split('.', 2)[1];
		if (WEBHOOK_PHASES.includes(phase)) return normalized;
	}
	return null;
}

/** Unique normalised video events from a list; invalid entries are dropped. */
function normalizeWebhookEvents(list) {
	return [...new Set((Array.isArray(list) ? list : []).map(normalizeWebhookEvent).filter(Boolean))];
}

function isPrivateOrLocalHost(hostname) {
	const host = hostname.toLowerCase().replace(/^\[/, '').replace(/\]$/, '');
	if (!host || host === 'localhost' || host.endsWith('.localhost')) return true;
	const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
	if (v4) {
		const [a, b] = [Number(v4[1]), Number(v4[2])];
		return (
			a === 0 ||
			a === 10 ||
			(a === 100 && b >= 64 && b <= 127) ||
			a === 127 ||
			(a === 169 && b === 254) ||
			(a === 172 && b >= 16 && b <= 31) ||
			(a === 192 && b === 168) ||
			a >= 224
		);
	}
	if (host.includes(':')) {
		return host === '::' || host === '::1' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host) || host.startsWith('::ffff:');
	}
	return false;
}

function parseUrl(value) {
	if (typeof value !== 'string') return null;
	try {
		return new URL(value);
	} catch {
		return null;
	}
}

/**
 * Validates a webhook receiver URL.
 * @param {unknown} value
 * @param {{requireHttps: boolean}} options
 * @returns {string|null} problem message, or null when acceptable
 */
function webhookUrlProblem(value, options) {
	const url = parseUrl(typeof value === 'string' ? value.trim() : value);
	if (!url) return 'must be a valid URL (webhook_url_invalid)';
	if (options.requireHttps) {
		if (url.protocol !== 'https:') return 'must use https (webhook_url_must_use_https)';
		if (isPrivateOrLocalHost(url.hostname)) return 'must be a public host (webhook_url_private_network_not_allowed)';
		return null;
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use http or https (webhook_url_must_use_https)';
	return null;
}

/**
 * @typedef {{path: Array<string|number>, message: string, code: string}} Problem
 * @typedef {{requireHttpsWebhooks?: boolean, acceptInlineWebhooks?: boolean, allowHttpReferences?: boolean,
 *   openaiCreateFields?: boolean}} ValidateOptions
 */

/**
 * Validates a create-video request body.
 * @param {unknown} body parsed JSON
 * @param {ValidateOptions} [options] defaults match the simulator defaults (http webhooks allowed,
 *   inline `{url, secret}` webhooks allowed, references must be https)
 * @returns {Problem[]}
 */
function validateCreate(body, options = {}) {
	const opts = {
		requireHttpsWebhooks: options.requireHttpsWebhooks ?? false,
		acceptInlineWebhooks: options.acceptInlineWebhooks ?? true,
		allowHttpReferences: options.allowHttpReferences ?? false,
		openaiCreateFields: options.openaiCreateFields ?? false,
	};
	/** @type {Problem[]} */
	const problems = [];
	const add = (path, message, code) => problems.push({ path, message, code });

	if (!isPlainObject(body)) {
		add([], 'Expected a JSON object', 'invalid_type');
		return problems;
	}

	for (const key of Object.keys(body)) {
		if (!TOP_LEVEL_KEYS.has(key) && !(opts.openaiCreateFields && OPENAI_CREATE_KEYS.has(key))) add([key], `Unrecognized key: '${key}'`, 'unrecognized_key');
	}

	// model / prompt
	if (opts.openaiCreateFields) {
		// Production schema: model defaults to "sora-2"; prompt defaults to "" and may be blank when an
		// image reference is given; OpenAI-native `seconds` and `input_reference` are accepted.
		if (body.model !== undefined && (typeof body.model !== 'string' || body.model.length === 0)) add(['model'], 'Expected a non-empty string', 'invalid_type');
		if (body.prompt !== undefined && typeof body.prompt !== 'string') add(['prompt'], 'Expected string', 'invalid_type');
		else if (typeof body.prompt === 'string' && body.prompt.length > MAX_PROMPT_CHARS) {
			add(['prompt'], `String must contain at most ${MAX_PROMPT_CHARS} character(s)`, 'too_big');
		} else {
			const hasImage = body.input_reference != null || (Array.isArray(body.input_references) && body.input_references.some((ref) => ref?.type === 'image_url'));
			if (!String(body.prompt ?? '').trim() && !hasImage) add(['prompt'], 'prompt is required unless an image input reference is provided', 'custom');
		}
		if (body.seconds !== undefined && !OPENAI_SECONDS.includes(body.seconds)) {
			add(['seconds'], `Invalid enum value. Expected ${OPENAI_SECONDS.map((value) => `'${value}'`).join(' | ')}, received '${body.seconds}'`, 'invalid_enum_value');
		}
		if (body.input_reference !== undefined) validateInputReference(body.input_reference, add);
	} else {
		if (body.model === undefined || body.model === null || body.model === '') add(['model'], 'model is required', 'model_required');
		else if (typeof body.model !== 'string') add(['model'], 'Expected string', 'invalid_type');
		if (body.prompt === undefined) add(['prompt'], 'prompt is required', 'required');
		else if (typeof body.prompt !== 'string') add(['prompt'], 'Expected string', 'invalid_type');
		else if (body.prompt.length === 0) add(['prompt'], 'prompt must not be empty', 'too_small');
	}

	// numbers
	integer(body, 'duration', { min: 1, max: 120 }, add);
	number(body, 'input_video_duration', { minExclusive: 0, max: 3600 }, add);
	number(body, 'input_audio_duration', { min: 2, max: 20 }, add);
	integer(body, 'seed', {}, add);
	integer(body, 'sample_count', { min: 1, max: 4 }, add);
	integer(body, 'compression_quality', { min: 0, max: 100 }, add);

	// geometry
	if (body.size !== undefined) {
		if (typeof body.size !== 'string') add(['size'], 'Expected string', 'invalid_type');
		else if (!/^\d+x\d+$/.test(body.size)) add(['size'], 'size must look like 1280x720', 'invalid_string');
	}
	if (body.resolution !== undefined) {
		if (typeof body.resolution !== 'string') add(['resolution'], 'Expected string', 'invalid_type');
		else if (!RESOLUTIONS.includes(body.resolution)) add(['resolution'], `resolution must be one of ${RESOLUTIONS.join(', ')}`, 'invalid_enum_value');
	}
	if (body.aspect_ratio !== undefined) {
		if (typeof body.aspect_ratio !== 'string') add(['aspect_ratio'], 'Expected string', 'invalid_type');
		else if (!/^\d+:\d+$/.test(body.aspect_ratio)) add(['aspect_ratio'], 'aspect_ratio must look like 16:9', 'invalid_string');
	}
	if (body.size !== undefined && (body.resolution !== undefined || body.aspect_ratio !== undefined)) {
		add(['size'], 'size cannot be combined with resolution or aspect_ratio', 'custom');
	}

	// plain strings / booleans
	for (const key of ['negative_prompt', 'person_generation', 'resize_mode']) {
		if (body[key] !== undefined && typeof body[key] !== 'string') add([key], 'Expected string', 'invalid_type');
	}
	for (const key of ['generate_audio', 'enhance_prompt', 'echo_upstream_request']) {
		if (body[key] !== undefined && typeof body[key] !== 'boolean') add([key], 'Expected boolean', 'invalid_type');
	}

	if (body.input_references !== undefined) validateReferences(body.input_references, opts, add);
	if (body.provider_params !== undefined) validateProviderParams(body.provider_params, add);
	if (body.output !== undefined) {
		if (!isPlainObject(body.output)) add(['output'], 'Expected object', 'invalid_type');
		else if (body.output.access !== undefined && !OUTPUT_ACCESS.includes(body.output.access)) {
			add(['output', 'access'], `access must be one of ${OUTPUT_ACCESS.join(', ')}`, 'invalid_enum_value');
		}
	}
	if (body.webhook !== undefined) validateWebhook(body.webhook, opts, add);
	for (const key of ['provider', 'routing']) {
		if (body[key] !== undefined) validateRouting(key, body[key], add);
	}
	if (body.debug !== undefined) validateDebug(body.debug, add);
	if (body.beta !== undefined && !isPlainObject(body.beta)) add(['beta'], 'Expected object', 'invalid_type');
	return problems;
}

function integer(body, key, range, add) {
	const value = body[key];
	if (value === undefined) return;
	if (typeof value !== 'number' || !Number.isFinite(value)) return add([key], 'Expected number', 'invalid_type');
	if (!Number.isInteger(value)) return add([key], 'Expected integer, received float', 'invalid_type');
	if (range.min !== undefined && value < range.min) return add([key], `${key} must be >= ${range.min}`, 'too_small');
	if (range.max !== undefined && value > range.max) return add([key], `${key} must be <= ${range.max}`, 'too_big');
}

function number(body, key, range, add) {
	const value = body[key];
	if (value === undefined) return;
	if (typeof value !== 'number' || !Number.isFinite(value)) return add([key], 'Expected number', 'invalid_type');
	if (range.minExclusive !== undefined && value <= range.minExclusive) return add([key], `${key} must be > ${range.minExclusive}`, 'too_small');
	if (range.min !== undefined && value < range.min) return add([key], `${key} must be >= ${range.min}`, 'too_small');
	if (range.max !== undefined && value > range.max) return add([key], `${key} must be <= ${range.max}`, 'too_big');
}

function validateReferences(refs, opts, add) {
	if (!Array.isArray(refs)) return add(['input_references'], 'Expected array', 'invalid_type');
	refs.forEach((ref, index) => {
		const base = ['input_references', index];
		if (!isPlainObject(ref)) return add(base, 'Expected object', 'invalid_type');
		const isImage = ref.type === 'image_url';
		const isMedia = ref.type === 'video_url' || ref.type === 'audio_url';
		if (!isImage && !isMedia) return add([...base, 'type'], "type must be 'image_url', 'video_url' or 'audio_url'", 'invalid_union');
		const urlKey = isImage ? 'image_url' : 'media_url';
		for (const key of Object.keys(ref)) {
			if (!['type', 'role', 'reference_type', urlKey].includes(key)) add([...base, key], `Unrecognized key: '${key}'`, 'unrecognized_key');
		}
		if (ref.role !== undefined && !ROLES.includes(ref.role)) add([...base, 'role'], `role must be one of ${ROLES.join(', ')}`, 'invalid_enum_value');
		if (ref.reference_type !== undefined && typeof ref.reference_type !== 'string') add([...base, 'reference_type'], 'Expected string', 'invalid_type');
		const holder = ref[urlKey];
		if (!isPlainObject(holder)) return add([...base, urlKey], `${urlKey} must be an object with a url`, 'invalid_type');
		const url = parseUrl(holder.url);
		if (typeof holder.url !== 'string') return add([...base, urlKey, 'url'], 'Expected string', 'invalid_type');
		if (!url) return add([...base, urlKey, 'url'], 'Invalid url', 'invalid_string');
		const allowed = opts.allowHttpReferences ? ['https:', 'http:'] : ['https:'];
		if (!allowed.includes(url.protocol)) add([...base, urlKey, 'url'], 'video input references must use https', 'custom');
	});
}

function validateProviderParams(value, add) {
	if (!isPlainObject(value)) return add(['provider_params'], 'Expected object', 'invalid_type');
	for (const key of Object.keys(value)) {
		if (TOP_LEVEL_OVERRIDE_KEYS.has(key)) add(['provider_params', key], `${key} must be supplied through a validated top-level video field`, 'custom');
	}
	rejectControlledKeys(value, ['provider_params'], add, true);
}

/** Recursive walk mirroring the server's rejectVideoProviderControlledFields. */
function rejectControlledKeys(value, path, add, topLevel) {
	if (!value || typeof value !== 'object') return;
	if (Array.isArray(value)) {
		value.forEach((entry, index) => rejectControlledKeys(entry, [...path, index], add, false));
		return;
	}
	for (const [key, entry] of Object.entries(value)) {
		const lowered = key.toLowerCase();
		const compact = key.replace(/[-_]/g, '').toLowerCase();
		if (PROVIDER_CONTROLLED_KEYS.has(lowered) || PROVIDER_CONTROLLED_KEYS.has(compact)) {
			// Already reported by the top-level override rule: keep one problem per key.
			if (!(topLevel && TOP_LEVEL_OVERRIDE_KEYS.has(key))) {
				add([...path, key], `${key} must be supplied through a validated top-level video field`, 'custom');
			}
			continue;
		}
		rejectControlledKeys(entry, [...path, key], add, false);
	}
}

function validateWebhook(webhook, opts, add) {
	if (!isPlainObject(webhook)) return add(['webhook'], 'Expected object', 'invalid_type');
	if (!opts.acceptInlineWebhooks) return validateEndpointWebhook(webhook, add);
	const allowed = opts.acceptInlineWebhooks ? ['endpoint_id', 'events', 'url', 'secret'] : ['endpoint_id', 'events'];
	for (const key of Object.keys(webhook)) {
		if (!allowed.includes(key)) add(['webhook', key], `Unrecognized key: '${key}'`, 'unrecognized_key');
	}
	const hasEndpoint = webhook.endpoint_id !== undefined;
	const hasUrl = opts.acceptInlineWebhooks && webhook.url !== undefined;
	if (hasEndpoint && hasUrl) add(['webhook'], 'Provide either endpoint_id or url, not both', 'custom');
	if (!hasEndpoint && !hasUrl) {
		add(['webhook', 'endpoint_id'], opts.acceptInlineWebhooks ? 'endpoint_id or url is required' : 'endpoint_id is required', 'required');
	}
	if (hasEndpoint && (typeof webhook.endpoint_id !== 'string' || webhook.endpoint_id.length === 0)) {
		add(['webhook', 'endpoint_id'], 'endpoint_id must be a non-empty string', 'invalid_type');
	}
	if (hasUrl) {
		const problem = webhookUrlProblem(webhook.url, { requireHttps: opts.requireHttpsWebhooks });
		if (problem) add(['webhook', 'url'], `url ${problem}`, 'invalid_string');
		if (!normalizeText(webhook.secret)) add(['webhook', 'secret'], 'secret is required to sign deliveries', 'required');
	} else if (hasEndpoint && opts.acceptInlineWebhooks && webhook.secret !== undefined) {
		// The endpoint form signs with the endpoint's own secret; the server schema rejects extra keys.
		add(['webhook', 'secret'], "Unrecognized key: 'secret' (endpoint webhooks use the endpoint's signing secret)", 'unrecognized_key');
	}
	if (webhook.events !== undefined) {
		if (!Array.isArray(webhook.events)) return add(['webhook', 'events'], 'Expected array', 'invalid_type');
		webhook.events.forEach((event, index) => {
			if (typeof event !== 'string' || event.length === 0) add(['webhook', 'events', index], 'Expected non-empty string', 'invalid_type');
		});
		if (webhook.events.length > 0 && normalizeWebhookEvents(webhook.events).length === 0) {
			add(['webhook', 'events'], 'Invalid video webhook configuration: no supported video events', 'custom');
		}
	}
}

/**
 * The production server's VideoWebhookSchema: zod `{endpoint_id: string.min(1), events?: string[]}.strict()`.
 * An inline `{url, secret}` gets exactly what zod reports: `endpoint_id` Required, then `unrecognized_keys`.
 */
function validateEndpointWebhook(webhook, add) {
	if (webhook.endpoint_id === undefined) add(['webhook', 'endpoint_id'], 'Required', 'invalid_type');
	else if (typeof webhook.endpoint_id !== 'string') add(['webhook', 'endpoint_id'], `Expected string, received ${typeof webhook.endpoint_id}`, 'invalid_type');
	else if (webhook.endpoint_id.length === 0) add(['webhook', 'endpoint_id'], 'String must contain at least 1 character(s)', 'too_small');
	if (webhook.events !== undefined) {
		if (!Array.isArray(webhook.events)) add(['webhook', 'events'], 'Expected array', 'invalid_type');
		else {
			webhook.events.forEach((event, index) => {
				if (typeof event !== 'string' || event.length === 0) add(['webhook', 'events', index], 'Expected non-empty string', 'invalid_type');
			});
		}
	}
	const unknown = Object.keys(webhook).filter((key) => key !== 'endpoint_id' && key !== 'events');
	if (unknown.length > 0) add(['webhook'], `Unrecognized key(s) in object: ${unknown.map((key) => `'${key}'`).join(', ')}`, 'unrecognized_keys');
	if (Array.isArray(webhook.events) && webhook.events.length > 0 && normalizeWebhookEvents(webhook.events).length === 0) {
		add(['webhook'], 'Invalid video webhook configuration', 'custom');
	}
}

/**
 * Production `input_reference`: an uploaded multipart file, or strictly `{file_id}` xor `{image_url}`
 * (image_url ≤ 28,000,000 characters: an https URL or a data: URL; decoding and MIME checks happen on create).
 */
function validateInputReference(value, add) {
	if (isUploadedFile(value)) return;
	if (!isPlainObject(value)) return add(['input_reference'], 'Expected an object {image_url} or {file_id}, or a multipart file', 'invalid_union');
	for (const key of Object.keys(value)) {
		if (key !== 'file_id' && key !== 'image_url') add(['input_reference'], `Unrecognized key(s) in object: '${key}'`, 'unrecognized_keys');
	}
	for (const key of ['file_id', 'image_url']) {
		if (value[key] === undefined) continue;
		if (typeof value[key] !== 'string') add(['input_reference', key], 'Expected string', 'invalid_type');
		else if (value[key].length === 0) add(['input_reference', key], 'String must contain at least 1 character(s)', 'too_small');
	}
	if (typeof value.image_url === 'string' && value.image_url.length > MAX_IMAGE_URL_CHARS) {
		add(['input_reference', 'image_url'], `String must contain at most ${MAX_IMAGE_URL_CHARS} character(s)`, 'too_big');
	}
	if ((value.file_id ? 1 : 0) + (value.image_url ? 1 : 0) !== 1) add(['input_reference'], 'Provide exactly one of file_id or image_url', 'custom');
}

/** Marks a multipart file part so the validator accepts it as `input_reference`. */
const UPLOADED_FILE = Symbol.for('ai-stats-simulator.uploaded-file');
const isUploadedFile = (value) => Boolean(value && typeof value === 'object' && value[UPLOADED_FILE] === true);

function validateRouting(key, value, add) {
	if (!isPlainObject(value)) return add([key], 'Expected object', 'invalid_type');
	for (const list of ['order', 'only', 'ignore']) {
		if (value[list] === undefined) continue;
		if (!Array.isArray(value[list])) add([key, list], 'Expected array', 'invalid_type');
		else value[list].forEach((entry, index) => typeof entry !== 'string' && add([key, list, index], 'Expected string', 'invalid_type'));
	}
	for (const flag of ['include_alpha', 'includeAlpha']) {
		if (value[flag] !== undefined && typeof value[flag] !== 'boolean') add([key, flag], 'Expected boolean', 'invalid_type');
	}
}

function validateDebug(value, add) {
	if (!isPlainObject(value)) return add(['debug'], 'Expected object', 'invalid_type');
	for (const flag of ['enabled', 'echo_upstream_body', 'return_upstream_request', 'returnUpstreamRequest', 'return_upstream_response', 'returnUpstreamResponse', 'trace']) {
		if (value[flag] !== undefined && typeof value[flag] !== 'boolean') add(['debug', flag], 'Expected boolean', 'invalid_type');
	}
	for (const level of ['trace_level', 'traceLevel']) {
		if (value[level] !== undefined && !['summary', 'full'].includes(value[level])) add(['debug', level], "Expected 'summary' or 'full'", 'invalid_enum_value');
	}
}

module.exports = {
	validateCreate,
	UPLOADED_FILE,
	isUploadedFile,
	OPENAI_SECONDS,
	MAX_IMAGE_URL_CHARS,
	MAX_PROMPT_CHARS,
	normalizeWebhookEvent,
	normalizeWebhookEvents,
	webhookUrlProblem,
	isPrivateOrLocalHost,
	RESOLUTIONS,
	ROLES,
	OUTPUT_ACCESS,
	TOP_LEVEL_KEYS,
	TOP_LEVEL_OVERRIDE_KEYS,
	PROVIDER_CONTROLLED_KEYS,
};
