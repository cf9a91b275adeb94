'use strict';
/**
 * Simulator options: defaults, validation of run-time changes, and environment parsing for the CLI.
 */

const crypto = require('node:crypto');
const { parseByteSize } = require('./util');

const FAILURE_CATEGORIES = Object.freeze(['content_filter', 'invalid_input', 'provider_error', 'provider_unavailable', 'insufficient_funds']);
const OUTCOMES = Object.freeze(['complete', 'fail', 'expire', 'cancel', 'stuck', 'upstream-error-string', ...FAILURE_CATEGORIES.map((category) => `fail:${category}`)]);
const PROFILES = Object.freeze(['production', 'docs']);
const ASSET_FACT_MODES = Object.freeze(['model', 'always', 'never']);

/** @returns {Record<string, any>} fresh defaults (the signing secret is random per instance). */
function defaultOptions() {
	return {
		host: '127.0.0.1',
		port: 0,
		profile: 'production',
		batchApi: true,
		pricingApi: true,
		assetBytes: undefined,
		contentLength: undefined,
		walletBalanceUsd: 1_000_000,
		publicUrl: undefined,
		queuedMs: 300,
		jobMs: 3000,
		progressStepMs: undefined,
		pollAfterSeconds: 20,
		contentBytes: undefined,
		webhookRetryDelaysMs: [0, 60_000, 300_000, 900_000],
		webhookTimeoutMs: 30_000,
		holdWebhooks: false,
		webhookCopies: 1,
		signedUrlSecret: crypto.randomBytes(32).toString('hex'),
		requireHttpsWebhooks: false,
		acceptInlineWebhooks: undefined,
		fetchReferences: false,
		allowHttpReferences: false,
		referenceTimeoutMs: 30_000,
		insecureTls: false,
		listWindow: 101,
		maxBodyBytes: 16 * 1024 * 1024,
		logRequests: true,
		legacyKeysRetireAt: '2027-01-01T00:00:00Z',
		nextOutcomes: [],
		logger: undefined,
	};
}

const NUMBER_OPTIONS = [
	'port',
	'queuedMs',
	'jobMs',
	'progressStepMs',
	'pollAfterSeconds',
	'webhookTimeoutMs',
	'referenceTimeoutMs',
	'listWindow',
	'maxBodyBytes',
	'walletBalanceUsd',
	'webhookCopies',
];
/** Options whose default is "unset"; passing null restores that. */
const NULLABLE_OPTIONS = ['progressStepMs', 'contentBytes', 'publicUrl', 'logger', 'acceptInlineWebhooks', 'assetBytes', 'contentLength'];
const BOOLEAN_OPTIONS = [
	'requireHttpsWebhooks',
	'acceptInlineWebhooks',
	'fetchReferences',
	'allowHttpReferences',
	'insecureTls',
	'logRequests',
	'batchApi',
	'holdWebhooks',
	'pricingApi',
];

/**
 * Validates and merges a partial options object into `target` (mutates and returns it).
 * Throws TypeError on nonsense so misconfigured tests fail loudly instead of hanging.
 */
function applyOptions(target, partial) {
	if (partial == null) return target;
	if (typeof partial !== 'object' || Array.isArray(partial)) throw new TypeError('options must be an object');
	for (const [name, value] of Object.entries(partial)) {
		if (value === undefined) continue;
		if (!(name in target)) throw new TypeError(`Unknown simulator option: ${name}`);
		if (value === null && NULLABLE_OPTIONS.includes(name)) {
			target[name] = undefined; // null resets an optional option to its default behaviour
			continue;
		}
		if (NUMBER_OPTIONS.includes(name)) {
			if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
				throw new TypeError(`Option ${name} must be a non-negative number`);
			}
		} else if (BOOLEAN_OPTIONS.includes(name)) {
			if (typeof value !== 'boolean') throw new TypeError(`Option ${name} must be a boolean`);
		} else if (name === 'contentBytes') {
			const parsed = parseByteSize(value);
			if (parsed === undefined) throw new TypeError('Option contentBytes must be a byte count such as 1073741824 or "1GiB"');
			target.contentBytes = parsed;
			continue;
		} else if (name === 'webhookRetryDelaysMs') {
			if (!Array.isArray(value) || value.length === 0 || value.some((delay) => typeof delay !== 'number' || !(delay >= 0))) {
				throw new TypeError('Option webhookRetryDelaysMs must be a non-empty array of non-negative numbers');
			}
			target.webhookRetryDelaysMs = [...value];
			continue;
		} else if (name === 'profile') {
			if (!PROFILES.includes(value)) throw new TypeError(`Option profile must be one of: ${PROFILES.join(', ')}`);
		} else if (name === 'assetBytes' || name === 'contentLength') {
			if (!ASSET_FACT_MODES.includes(value)) throw new TypeError(`Option ${name} must be one of: ${ASSET_FACT_MODES.join(', ')}`);
		} else if (name === 'nextOutcomes') {
			if (!Array.isArray(value) || value.some((outcome) => !OUTCOMES.includes(outcome))) {
				throw new TypeError(`Option nextOutcomes must be an array of: ${OUTCOMES.join(', ')}`);
			}
			target.nextOutcomes = [...value];
			continue;
		} else if (name === 'signedUrlSecret' || name === 'host' || name === 'publicUrl' || name === 'legacyKeysRetireAt') {
			if (typeof value !== 'string' || value.length === 0) throw new TypeError(`Option ${name} must be a non-empty string`);
			if (name === 'legacyKeysRetireAt' && !Number.isFinite(Date.parse(value))) {
				throw new TypeError('Option legacyKeysRetireAt must be an ISO date');
			}
			if (name === 'publicUrl') {
				target.publicUrl = value.replace(/\/+$/, '');
				continue;
			}
		} else if (name === 'logger') {
			if (typeof value !== 'function') throw new TypeError('Option logger must be a function');
		}
		target[name] = value;
	}
	return target;
}

/**
 * What each profile means. `production` is the gateway as its newest server code behaves
 * (/work/shared/gateway-api.md, "The production gateway today"); `docs` is the published contract.
 * Explicit options (`acceptInlineWebhooks`, `assetBytes`, `contentLength`) win over the profile.
 */
const PROFILE_DEFAULTS = Object.freeze({
	production: Object.freeze({
		acceptInlineWebhooks: false,
		assetSha256: false,
		assetBytes: 'model',
		contentLength: 'model',
		createResponse: 'openai',
		openaiDialect: true,
		openaiCreateFields: true,
	}),
	docs: Object.freeze({
		acceptInlineWebhooks: true,
		assetSha256: true,
		assetBytes: 'always',
		contentLength: 'always',
		createResponse: 'job',
		openaiDialect: false,
		openaiCreateFields: false,
	}),
});

/** The effective behaviour switches: the profile's, overridden by explicit options. */
function profileOf(options) {
	const base = PROFILE_DEFAULTS[options.profile] ?? PROFILE_DEFAULTS.production;
	return {
		name: options.profile,
		...base,
		acceptInlineWebhooks: options.acceptInlineWebhooks ?? base.acceptInlineWebhooks,
		assetBytes: options.assetBytes ?? base.assetBytes,
		contentLength: options.contentLength ?? base.contentLength,
	};
}

/** Options that cannot change after listen(). */
const STARTUP_ONLY = ['host', 'port'];

/** Copy safe to hand out over the control API (no signing secret, no functions). */
function publicOptions(options) {
	const { signedUrlSecret, logger, ...rest } = options;
	return { ...rest, signedUrlSecret: signedUrlSecret ? '(set)' : undefined, effectiveProfile: profileOf(options) };
}

/** Effective progress tick: explicit value, or ~20 ticks per job with a floor. */
function progressStep(options, processingMs) {
	if (options.progressStepMs) return options.progressStepMs;
	return Math.max(10, Math.round(processingMs / 20));
}

/**
 * Options from environment variables (`SIM_PORT`, `SIM_JOB_MS`, …) for the CLI.
 * @param {NodeJS.ProcessEnv} env
 */
function optionsFromEnv(env) {
	const out = {};
	const number = (name, key) => {
		if (env[name] !== undefined && env[name] !== '') out[key] = Number(env[name]);
	};
	const bool = (name, key) => {
		if (env[name] !== undefined && env[name] !== '') out[key] = /^(1|true|yes|on)$/i.test(env[name]);
	};
	number('SIM_PORT', 'port');
	if (env.SIM_PROFILE) out.profile = env.SIM_PROFILE;
	bool('SIM_BATCH_API', 'batchApi');
	bool('SIM_PRICING_API', 'pricingApi');
	if (env.SIM_ASSET_BYTES) out.assetBytes = env.SIM_ASSET_BYTES;
	if (env.SIM_CONTENT_LENGTH) out.contentLength = env.SIM_CONTENT_LENGTH;
	number('SIM_WALLET_BALANCE_USD', 'walletBalanceUsd');
	if (env.SIM_HOST) out.host = env.SIM_HOST;
	if (env.SIM_PUBLIC_URL) out.publicUrl = env.SIM_PUBLIC_URL;
	number('SIM_QUEUED_MS', 'queuedMs');
	number('SIM_JOB_MS', 'jobMs');
	number('SIM_PROGRESS_STEP_MS', 'progressStepMs');
	number('SIM_POLL_AFTER', 'pollAfterSeconds');
	if (env.SIM_CONTENT_BYTES) out.contentBytes = env.SIM_CONTENT_BYTES;
	if (env.SIM_WEBHOOK_RETRY_DELAYS_MS) out.webhookRetryDelaysMs = env.SIM_WEBHOOK_RETRY_DELAYS_MS.split(',').map(Number);
	number('SIM_WEBHOOK_TIMEOUT_MS', 'webhookTimeoutMs');
	if (env.SIM_SIGNED_URL_SECRET) out.signedUrlSecret = env.SIM_SIGNED_URL_SECRET;
	bool('SIM_REQUIRE_HTTPS_WEBHOOKS', 'requireHttpsWebhooks');
	bool('SIM_ACCEPT_INLINE_WEBHOOKS', 'acceptInlineWebhooks');
	bool('SIM_FETCH_REFERENCES', 'fetchReferences');
	bool('SIM_ALLOW_HTTP_REFERENCES', 'allowHttpReferences');
	bool('SIM_INSECURE_TLS', 'insecureTls');
	number('SIM_LIST_WINDOW', 'listWindow');
	number('SIM_MAX_BODY_BYTES', 'maxBodyBytes');
	return out;
}

module.exports = { OUTCOMES, FAILURE_CATEGORIES, PROFILES, PROFILE_DEFAULTS, profileOf, defaultOptions, applyOptions, STARTUP_ONLY, publicOptions, progressStep, optionsFromEnv };
