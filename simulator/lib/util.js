'use strict';
/**
 * Small shared helpers: ids, clocks, type guards. No dependencies beyond node: built-ins.
 */

const crypto = require('node:crypto');

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Random base62 string (unbiased: rejection sampling on bytes). */
function randomBase62(length) {
	let out = '';
	while (out.length < length) {
		const bytes = crypto.randomBytes(length * 2);
		for (const byte of bytes) {
			if (byte < 248) out += BASE62[byte % 62];
			if (out.length === length) break;
		}
	}
	return out;
}

/** Prefixed opaque id such as `vid_4fG…`. */
function newId(prefix, length = 24) {
	return `${prefix}_${randomBase62(length)}`;
}

const nowMs = () => Date.now();
const unixSeconds = (ms = Date.now()) => Math.floor(ms / 1000);
const isoTime = (ms) => (ms == null ? null : new Date(ms).toISOString());

/** @param {unknown} value @returns {value is Record<string, any>} */
function isPlainObject(value) {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Trimmed non-empty string or null (mirrors the gateway's normalizeText). */
function normalizeText(value) {
	if (typeof value !== 'string') return null;
	const trimmed = value.trim();
	return trimmed.length > 0 ? trimmed : null;
}

function sha256Hex(data) {
	return crypto.createHash('sha256').update(data).digest('hex');
}

function hmacSha256Hex(secret, message) {
	return crypto.createHmac('sha256', secret).update(message).digest('hex');
}

/** Constant-time string comparison that does not leak length through early exit. */
function timingSafeEqualText(a, b) {
	const left = crypto.createHash('sha256').update(String(a)).digest();
	const right = crypto.createHash('sha256').update(String(b)).digest();
	return crypto.timingSafeEqual(left, right) && String(a).length === String(b).length;
}

/** Deterministic 32-bit FNV-1a hash, used to pick sample clips from a prompt. */
function fnv1a(text) {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i += 1) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash >>> 0;
}

function base64UrlEncode(text) {
	return Buffer.from(text, 'utf8').toString('base64url');
}

function base64UrlDecode(text) {
	try {
		return Buffer.from(text, 'base64url').toString('utf8');
	} catch {
		return null;
	}
}

/** Deep copy of JSON-compatible data (job snapshots handed to callers must not alias internal state). */
function clone(value) {
	return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/**
 * Parses sizes such as `1073741824`, `1GiB`, `512MiB`, `64KiB`, `1GB`, `10MB`.
 * @returns {number|undefined}
 */
function parseByteSize(value) {
	if (value == null || value === '') return undefined;
	if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
	const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)b?\s*$/i.exec(String(value));
	if (!match) return undefined;
	const amount = Number(match[1]);
	const unit = match[2].toLowerCase();
	const base = match[3] || unit === '' ? 1024 : 1000;
	const power = { '': 0, k: 1, m: 2, g: 3, t: 4 }[unit];
	return Math.floor(amount * base ** power);
}

module.exports = {
	randomBase62,
	newId,
	nowMs,
	unixSeconds,
	isoTime,
	isPlainObject,
	normalizeText,
	sha256Hex,
	hmacSha256Hex,
	timingSafeEqualText,
	fnv1a,
	base64UrlEncode,
	base64UrlDecode,
	clone,
	parseByteSize,
};
