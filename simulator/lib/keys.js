'use strict';
/**
 * Fixed test keys and the gateway's key parsing/authentication rules.
 *
 * Key format (server): `<namespace>_v1_<sk|mk>_<kid>_<secret>` where namespace is `phaseo`
 * (or legacy `aistats`, inference keys only, accepted until 2027-01-01), kid is 6–64 base62
 * characters and the secret may itself contain underscores. Keys are deterministic so that
 * e2e suites and demos can hard-code them.
 */

const { timingSafeEqualText } = require('./util');

const WORKSPACES = Object.freeze({
	primary: 'ws_sim_primary',
	secondary: 'ws_sim_secondary',
	noFunds: 'ws_sim_no_funds',
	videoDisabled: 'ws_sim_video_disabled',
});

/**
 * @typedef {{name: string, token: string, kid: string, secret: string, type: 'inference'|'management',
 *   workspaceId: string, funds: boolean, videoEnabled: boolean, expired: boolean, revoked: boolean}} KeyRecord
 */

/** @type {KeyRecord[]} */
const KEY_RECORDS = [
	key('inference', 'phaseo', 'sk', 'test0001', 'sim_inference_secret_a', WORKSPACES.primary),
	key('legacyInference', 'aistats', 'sk', 'test0002', 'sim_legacy_secret_a', WORKSPACES.primary),
	key('management', 'phaseo', 'mk', 'test0003', 'sim_management_secret_a', WORKSPACES.primary),
	key('otherInference', 'phaseo', 'sk', 'test0004', 'sim_inference_secret_b', WORKSPACES.secondary),
	key('otherManagement', 'phaseo', 'mk', 'test0005', 'sim_management_secret_b', WORKSPACES.secondary),
	key('noFunds', 'phaseo', 'sk', 'test0006', 'sim_no_funds_secret', WORKSPACES.noFunds, { funds: false }),
	key('videoDisabled', 'phaseo', 'sk', 'test0007', 'sim_video_disabled_secret', WORKSPACES.videoDisabled, { videoEnabled: false }),
	key('expired', 'phaseo', 'sk', 'test0008', 'sim_expired_secret', WORKSPACES.primary, { expired: true }),
	key('revoked', 'phaseo', 'sk', 'test0009', 'sim_revoked_secret', WORKSPACES.primary, { revoked: true }),
];

function key(name, namespace, tag, kid, secret, workspaceId, flags = {}) {
	return {
		name,
		token: `${namespace}_v1_${tag}_${kid}_${secret}`,
		kid,
		secret,
		type: tag === 'mk' ? 'management' : 'inference',
		workspaceId,
		funds: flags.funds ?? true,
		videoEnabled: flags.videoEnabled ?? true,
		expired: flags.expired ?? false,
		revoked: flags.revoked ?? false,
	};
}

/** Public map name → key string, e.g. `{inference: 'phaseo_v1_sk_test0001_…', …}`. */
function keyMap() {
	return Object.fromEntries(KEY_RECORDS.map((record) => [record.name, record.token]));
}

const BY_KID = new Map(KEY_RECORDS.map((record) => [record.kid, record]));

/** Reads `Authorization: Bearer <token>` exactly as the gateway does (case-sensitive scheme). */
function readBearerToken(header) {
	if (typeof header !== 'string' || !header.startsWith('Bearer ')) return null;
	const token = header.slice(7).trim();
	return token.length > 0 ? token : null;
}

function parseToken(token) {
	const parts = token.split('_');
	if (parts.length < 5) return null;
	const [namespace, version, tag, kid, ...rest] = parts;
	if (namespace !== 'phaseo' && namespace !== 'aistats') return null;
	if (version !== 'v1' || (tag !== 'sk' && tag !== 'mk')) return null;
	const secret = rest.join('_');
	if (!kid || !secret) return null;
	return { namespace, kid, secret, type: tag === 'mk' ? 'management' : 'inference' };
}

const isJwtLike = (token) => token.split('.').length === 3;
const isValidKid = (kid) => /^[A-Za-z0-9]{6,64}$/.test(kid);

/**
 * Looks the parsed key up and checks status, expiry and secret.
 * @returns {{ok: true, key: KeyRecord} | {ok: false, reason: string}}
 */
function lookup(parsed, expectedType) {
	const record = BY_KID.get(parsed.kid);
	if (!record || record.type !== expectedType || record.revoked) return { ok: false, reason: 'key_not_found_or_revoked' };
	if (record.expired) return { ok: false, reason: 'key_expired' };
	if (!timingSafeEqualText(parsed.secret, record.secret)) return { ok: false, reason: 'invalid_secret' };
	return { ok: true, key: record };
}

/**
 * Inference-key authentication (video routes).
 * @param {string|undefined} header Authorization header
 * @param {{legacyKeysRetireAtMs: number}} options
 */
function authenticateInference(header, options) {
	const token = readBearerToken(header);
	if (!token) return { ok: false, reason: 'missing_or_invalid_authorization_header' };
	if (isJwtLike(token)) return { ok: false, reason: 'invalid_key_format' };
	const parsed = parseToken(token);
	if (!parsed) return { ok: false, reason: 'invalid_key_format' };
	if (parsed.namespace === 'aistats' && Date.now() >= options.legacyKeysRetireAtMs) {
		return { ok: false, reason: 'legacy_key_prefix_retired' };
	}
	if (parsed.type === 'management') return { ok: false, reason: 'management_key_not_valid_for_gateway' };
	if (!isValidKid(parsed.kid)) return { ok: false, reason: 'invalid_key_format' };
	return lookup(parsed, 'inference');
}

/**
 * Management-key authentication (/webhook-endpoints). Inference keys get `management_key_required`
 * once they are otherwise valid; broken inference keys report their own failure, as the server does.
 */
function authenticateManagement(header, options) {
	const token = readBearerToken(header);
	if (!token) return { ok: false, reason: 'missing_or_invalid_authorization_header' };
	if (isJwtLike(token)) return { ok: false, reason: 'management_key_required' };
	const parsed = parseToken(token);
	if (!parsed) return { ok: false, reason: 'invalid_key_format' };
	if (parsed.namespace === 'phaseo' && parsed.type === 'inference') {
		const inference = authenticateInference(header, options);
		return inference.ok ? { ok: false, reason: 'management_key_required' } : inference;
	}
	if (parsed.namespace !== 'phaseo' || parsed.type !== 'management') return { ok: false, reason: 'management_key_required' };
	if (!isValidKid(parsed.kid)) return { ok: false, reason: 'invalid_key_format' };
	return lookup(parsed, 'management');
}

/** Masks a bearer token for console output: keeps namespace/type/kid, hides the secret. */
function redactAuthorization(value) {
	if (typeof value !== 'string') return value;
	return value.replace(/((?:phaseo|aistats)_v1_(?:sk|mk)_[A-Za-z0-9]+_)\S+/g, '$1***');
}

module.exports = {
	WORKSPACES,
	KEY_RECORDS,
	keyMap,
	readBearerToken,
	authenticateInference,
	authenticateManagement,
	redactAuthorization,
};
