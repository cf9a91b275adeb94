'use strict';
/**
 * Signed download URLs and webhook signatures, byte-compatible with the gateway.
 *
 * Download URL (server format): `<origin>/v1/videos/<id>/content[?index=N]&download_token=<base64url JSON
 * {workspace_id, video_id, index, disposition}>&download_sig=<hex HMAC-SHA256(secret, token + "." + expires)>
 * &expires_at=<unix seconds>`. The URL needs no bearer key until it expires. Treat it as opaque.
 *
 * Webhook signature: lowercase hex HMAC-SHA256 keyed with the secret string exactly as issued, over
 * `${timestamp}.${rawBody}`.
 */

const crypto = require('node:crypto');
const { base64UrlEncode, base64UrlDecode, hmacSha256Hex, isPlainObject } = require('./util');

const DEFAULT_TTL_SECONDS = 900;
const MIN_TTL_SECONDS = 60;
const MAX_TTL_SECONDS = 3600;

/** Gateway content URL for one output (`?index=N` only for N > 0). */
function contentUrl(baseOrigin, videoId, index = 0) {
	const url = new URL(`/v1/videos/${encodeURIComponent(videoId)}/content`, baseOrigin);
	if (index > 0) url.searchParams.set('index', String(index));
	return url.toString();
}

const clampTtl = (ttl) => Math.max(MIN_TTL_SECONDS, Math.min(MAX_TTL_SECONDS, Math.trunc(ttl ?? DEFAULT_TTL_SECONDS)));

/**
 * Issues a signed download URL.
 * @param {{secret: string, origin: string, workspaceId: string, videoId: string, index?: number,
 *   ttlSeconds?: number|null, disposition?: 'attachment'|'inline', nowMs?: number}} args
 * @returns {{download_url: string, expires_at: number}}
 */
function issueDownloadUrl(args) {
	const index = Number.isFinite(args.index) ? Math.max(0, Math.trunc(args.index)) : 0;
	const expiresAt = Math.floor((args.nowMs ?? Date.now()) / 1000) + clampTtl(args.ttlSeconds ?? undefined);
	const disposition = args.disposition === 'inline' ? 'inline' : 'attachment';
	const token = base64UrlEncode(JSON.stringify({ workspace_id: args.workspaceId, video_id: args.videoId, index, disposition }));
	const signature = hmacSha256Hex(args.secret, `${token}.${expiresAt}`);
	const url = new URL(contentUrl(args.origin, args.videoId, index));
	url.searchParams.set('download_token', token);
	url.searchParams.set('download_sig', signature);
	url.searchParams.set('expires_at', String(expiresAt));
	return { download_url: url.toString(), expires_at: expiresAt };
}

/** True when the query carries signed-download parameters at all (valid or not). */
function hasSignedParams(searchParams) {
	return searchParams.has('download_token') || searchParams.has('download_sig') || searchParams.has('expires_at');
}

/**
 * Verifies signed-download query parameters.
 * @returns {{ok: true, workspaceId: string, videoId: string, index: number, disposition: 'attachment'|'inline'} |
 *   {ok: false, problem: 'missing'|'expired'|'bad_signature'|'bad_token'}}
 */
function verifyDownloadQuery(searchParams, secret, nowMs = Date.now()) {
	const token = searchParams.get('download_token')?.trim();
	const signature = searchParams.get('download_sig')?.trim();
	const expiresRaw = Number(searchParams.get('expires_at') ?? '');
	if (!token || !signature || !Number.isFinite(expiresRaw)) return { ok: false, problem: 'missing' };
	if (Math.floor(nowMs / 1000) > expiresRaw) return { ok: false, problem: 'expired' };
	if (!/^[a-f0-9]{64}$/i.test(signature)) return { ok: false, problem: 'bad_signature' };
	const expected = Buffer.from(hmacSha256Hex(secret, `${token}.${Math.trunc(expiresRaw)}`), 'hex');
	if (!crypto.timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return { ok: false, problem: 'bad_signature' };
	const decoded = base64UrlDecode(token);
	let payload;
	try {
		payload = JSON.parse(decoded ?? '');
	} catch {
		return { ok: false, problem: 'bad_token' };
	}
	if (!isPlainObject(payload) || typeof payload.workspace_id !== 'string' || typeof payload.video_id !== 'string') {
		return { ok: false, problem: 'bad_token' };
	}
	const index = Number.isFinite(Number(payload.index)) ? Math.max(0, Math.trunc(Number(payload.index))) : 0;
	return {
		ok: true,
		workspaceId: payload.workspace_id,
		videoId: payload.video_id,
		index,
		disposition: payload.disposition === 'inline' ? 'inline' : 'attachment',
	};
}

/** Webhook signature: lowercase hex HMAC-SHA256(secret, `${timestamp}.${rawBody}`). */
function signPayload(secret, timestamp, rawBody) {
	return hmacSha256Hex(String(secret), `${timestamp}.${rawBody}`);
}

module.exports = {
	DEFAULT_TTL_SECONDS,
	MIN_TTL_SECONDS,
	MAX_TTL_SECONDS,
	contentUrl,
	clampTtl,
	issueDownloadUrl,
	hasSignedParams,
	verifyDownloadQuery,
	signPayload,
};
