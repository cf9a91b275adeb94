'use strict';
/**
 * Inline image references (production `input_reference`): data: URLs and multipart uploads.
 * Decodes what arrived, checks MIME type and size like the provider would, and describes it
 * (`{source, mimeType, bytes, sha256, …}`) so tests can check the bytes arrived intact.
 */

const crypto = require('node:crypto');
const { UPLOADED_FILE } = require('./validate');

/** Image types the simulated providers accept, with their magic numbers. */
const IMAGE_SIGNATURES = {
	'image/png': (b) => b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a,
	'image/jpeg': (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
	'image/webp': (b) => b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP',
};
/** Largest decoded image a provider takes (the server sized its 28,000,000-character cap for ~20 MB). */
const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
/** The server's body limit for multipart requests (JSON bodies keep `maxBodyBytes`, 16 MiB). */
const MULTIPART_BODY_LIMIT = 32 * 1024 * 1024;

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

/**
 * Decodes and checks an inline reference.
 * @param {unknown} ref body.input_reference
 * @returns {{ok: true, info: Record<string, any>} | {ok: false, path: Array<string>, message: string}}
 */
function inspectInputReference(ref) {
	if (ref && typeof ref === 'object' && ref[UPLOADED_FILE] === true) {
		return checkImage({ source: 'multipart', filename: ref.filename ?? null, declaredType: ref.contentType }, ref.buffer, ['input_reference']);
	}
	if (typeof ref?.file_id === 'string') return { ok: true, info: { source: 'file_id', fileId: ref.file_id, mimeType: null, bytes: null, sha256: null } };
	const url = String(ref?.image_url ?? '').trim();
	const match = DATA_URL.exec(url);
	if (match) {
		const payload = match[2];
		if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload) || payload.length % 4 === 1) {
			return { ok: false, path: ['input_reference', 'image_url'], message: 'The data URL is not valid base64.' };
		}
		return checkImage({ source: 'data_url', declaredType: match[1].toLowerCase(), dataUrlChars: url.length }, Buffer.from(payload, 'base64'), ['input_reference', 'image_url']);
	}
	if (url.startsWith('data:')) return { ok: false, path: ['input_reference', 'image_url'], message: 'A data URL must look like data:<mime>;base64,<data>.' };
	let parsed;
	try {
		parsed = new URL(url);
	} catch {
		return { ok: false, path: ['input_reference', 'image_url'], message: 'image_url must be an https URL or a data: URL.' };
	}
	if (parsed.protocol !== 'https:') return { ok: false, path: ['input_reference', 'image_url'], message: 'image_url must use https.' };
	return { ok: true, info: { source: 'https', url, mimeType: null, bytes: null, sha256: null } };
}

function checkImage(info, buffer, path) {
	const declared = (info.declaredType ?? '').split(';')[0].trim().toLowerCase();
	if (!IMAGE_SIGNATURES[declared]) {
		return { ok: false, path, message: `Unsupported image type '${declared || 'unknown'}'; expected one of ${Object.keys(IMAGE_SIGNATURES).join(', ')}.` };
	}
	if (buffer.length === 0) return { ok: false, path, message: 'The image is empty.' };
	if (buffer.length > MAX_IMAGE_BYTES) return { ok: false, path, message: `The image is ${buffer.length} bytes; the limit is ${MAX_IMAGE_BYTES} bytes.` };
	if (!IMAGE_SIGNATURES[declared](buffer)) return { ok: false, path, message: `The bytes are not a ${declared} image.` };
	return {
		ok: true,
		info: { ...info, declaredType: undefined, mimeType: declared, bytes: buffer.length, sha256: crypto.createHash('sha256').update(buffer).digest('hex') },
	};
}

/** Form fields the server parses as JSON when their text starts with { or [ (its FORM_JSON_FIELDS). */
const FORM_JSON_FIELDS = new Set(['provider', 'debug', 'include', 'timestamp_granularities', 'chunking_strategy', 'languages', 'keywords', 'context_bias', 'input_reference']);

/**
 * Adds one form field the way the server does: `name[]` and `name[0]` collect into arrays, a
 * repeated name becomes an array, the JSON fields are parsed, everything else stays text (so a
 * number or a switch sent in a form fails the strict schema, as on the server).
 */
function appendFormField(out, rawName, value) {
	let name = rawName;
	let array = false;
	if (name.endsWith('[]')) {
		name = name.slice(0, -2);
		array = true;
	} else {
		const indexed = /^(.*)\[(\d+)\]$/.exec(name);
		if (indexed) {
			name = indexed[1];
			array = true;
		}
	}
	let parsed = value;
	if (typeof value === 'string' && FORM_JSON_FIELDS.has(name) && /^\s*[[{]/.test(value)) {
		try {
			parsed = JSON.parse(value.trim());
		} catch {
			parsed = value;
		}
	}
	if (!array && !(name in out)) out[name] = parsed;
	else if (out[name] === undefined) out[name] = Array.isArray(parsed) ? [...parsed] : [parsed];
	else if (Array.isArray(out[name])) out[name].push(...(Array.isArray(parsed) ? parsed : [parsed]));
	else out[name] = [out[name], parsed];
}

/**
 * Parses a multipart/form-data body into the object the server builds (fields as strings, repeated
 * fields as arrays, JSON fields parsed, `input_reference` file parts as uploaded files).
 * @returns {Record<string, unknown> | null} null when the body is not valid multipart
 */
function parseMultipart(buffer, contentType) {
	const boundaryMatch = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
	if (!boundaryMatch) return null;
	const boundary = Buffer.from(`--${(boundaryMatch[1] ?? boundaryMatch[2]).trim()}`);
	const out = {};
	let position = buffer.indexOf(boundary);
	if (position < 0) return null;
	for (;;) {
		position += boundary.length;
		if (buffer.toString('latin1', position, position + 2) === '--') break;
		position += 2; // CRLF after the boundary
		const headerEnd = buffer.indexOf('\r\n\r\n', position);
		if (headerEnd < 0) return null;
		const headers = buffer.toString('utf8', position, headerEnd);
		const next = buffer.indexOf(boundary, headerEnd + 4);
		if (next < 0) return null;
		const content = buffer.subarray(headerEnd + 4, next - 2);
		const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
		const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
		const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
		const partType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim();
		if (name) {
			const value =
				filename !== undefined
					? { [UPLOADED_FILE]: true, filename, contentType: partType ?? 'application/octet-stream', buffer: Buffer.from(content), toJSON: () => `[file ${filename}, ${content.length} bytes]` }
					: content.toString('utf8');
			appendFormField(out, name, value);
		}
		position = next;
	}
	return out;
}

module.exports = { inspectInputReference, parseMultipart, IMAGE_SIGNATURES, MAX_IMAGE_BYTES, MULTIPART_BODY_LIMIT };
