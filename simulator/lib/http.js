'use strict';
/**
 * HTTP plumbing: bounded body reading, replies, and the response-level faults
 * (reset, drop, truncate, malformed, html, empty, huge, corrupt).
 *
 * Handlers return a Reply `{status, headers?, json?, body?, stream?, length?}`; `sendReply` writes it,
 * streaming with backpressure and tolerating clients that disconnect mid-response.
 */

const { Readable, pipeline } = require('node:stream');
const { flatError, errorCodeForStatus } = require('./errors');

/**
 * @typedef {{status: number, headers?: Record<string, string|number>, json?: unknown, body?: Buffer|string,
 *   stream?: import('node:stream').Readable, length?: number}} Reply
 */

/**
 * Reads the whole request body, keeping at most `maxBytes` (the rest is drained and discarded so the
 * client can finish sending and read our 413).
 * @returns {Promise<{buffer: Buffer, size: number, tooLarge: boolean}>}
 */
function readBody(req, maxBytes) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		let tooLarge = false;
		req.on('data', (chunk) => {
			size += chunk.length;
			if (tooLarge) return;
			if (size > maxBytes) {
				tooLarge = true;
				chunks.length = 0;
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve({ buffer: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), size, tooLarge }));
		req.on('error', reject);
		req.on('aborted', () => reject(new Error('request aborted')));
	});
}

/** Waits for 'drain' (or for the response to go away). */
function waitForDrain(res) {
	return new Promise((resolve) => {
		const done = () => {
			res.off('drain', done);
			res.off('close', done);
			res.off('error', done);
			resolve();
		};
		res.on('drain', done);
		res.on('close', done);
		res.on('error', done);
	});
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Destroys the connection with a TCP RST where supported (a real "connection reset"). */
function resetSocket(socket) {
	if (!socket || socket.destroyed) return;
	if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
	else socket.destroy();
}

/**
 * Writes a reply. `fault` (optional) alters delivery: drop/truncate/corrupt.
 * @param {{req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, requestId: string,
 *   logEntry?: {status?: number}}} ctx
 * @param {Reply} reply
 * @param {{kind: string, bytes?: number}|undefined} [fault]
 */
async function sendReply(ctx, reply, fault) {
	const { req, res } = ctx;
	if (res.headersSent || res.destroyed) return;
	const headers = { 'x-request-id': ctx.requestId, ...(reply.headers ?? {}) };
	let body = reply.body;
	if (reply.json !== undefined) {
		body = Buffer.from(JSON.stringify(reply.json));
		headers['content-type'] ??= 'application/json';
		headers['cache-control'] ??= 'no-store';
	}
	if (typeof body === 'string') body = Buffer.from(body);
	const length = body ? body.length : reply.length;
	// `no-length`: the body as chunked transfer, as production sends it when the provider gave no length.
	if (length !== undefined && fault?.kind !== 'no-length') headers['content-length'] = length;
	const alters = fault && ['drop', 'truncate', 'corrupt', 'stall'].includes(fault.kind);
	if (alters && fault.kind === 'truncate') headers.connection = 'close';
	if (ctx.logEntry) ctx.logEntry.status = reply.status;
	res.writeHead(reply.status, headers);

	if (req.method === 'HEAD' || (!body && !reply.stream)) {
		reply.stream?.destroy();
		res.end();
		return;
	}
	if (body && !alters) {
		res.end(body);
		return;
	}
	const stream = body ? Readable.from([body], { objectMode: false }) : reply.stream;
	if (!alters) {
		pipeline(stream, res, () => {
			/* client aborts are normal; nothing to clean up beyond what pipeline did */
		});
		return;
	}
	const total = length ?? 0;
	const limit = fault.kind === 'corrupt' ? undefined : Math.min(fault.bytes ?? Math.floor(total / 2), total);
	const corruptAt = fault.kind === 'corrupt' && total > 0 ? Math.floor(total / 2) : undefined;
	res.flushHeaders();
	await pump(stream, res, { limit, corruptAt });
	if (res.destroyed) return;
	if (fault.kind === 'stall') {
		// Keep the connection open without sending more: for `delayMs`, or until the client gives up.
		const socket = res.socket;
		if (fault.delayMs !== undefined) setTimeout(() => socket?.destroy(), fault.delayMs).unref?.();
		return;
	}
	if (fault.kind === 'drop') {
		// Kill the connection without finishing the response. A plain destroy (not an RST) so the partial
		// bytes already handed to the kernel still reach the client before the connection closes.
		const socket = res.socket;
		setTimeout(() => socket?.destroy(), 10).unref?.();
		return;
	}
	res.end();
}

/** Copies `source` into `res` with backpressure, optionally stopping at `limit` and flipping one byte. */
async function pump(source, res, { limit, corruptAt }) {
	let sent = 0;
	try {
		for await (const raw of source) {
			let chunk = raw;
			if (corruptAt !== undefined && corruptAt >= sent && corruptAt < sent + chunk.length) {
				chunk = Buffer.from(chunk);
				chunk[corruptAt - sent] ^= 0xff;
			}
			if (limit !== undefined && sent + chunk.length >= limit) {
				const last = chunk.subarray(0, limit - sent);
				// Wait until the partial bytes are handed to the socket so a following reset cannot swallow them.
				if (last.length > 0) await new Promise((resolve) => res.write(last, () => resolve()));
				sent = limit;
				break;
			}
			sent += chunk.length;
			if (!res.write(chunk)) await waitForDrain(res);
			if (res.destroyed) break;
		}
	} finally {
		source.destroy();
	}
}

/**
 * Replies that replace the normal response entirely (applied before or instead of the handler).
 * @returns {Reply|'reset'|undefined}
 */
function replacementReply(fault, requestId) {
	switch (fault.kind) {
		case 'reset':
			return 'reset';
		case 'status': {
			const status = fault.status ?? 500;
			const code = fault.error ?? errorCodeForStatus(status);
			return flatError(code, { status, reason: fault.reason ?? 'simulated_fault', message: fault.message, requestId, extra: fault.extra });
		}
		case 'malformed':
			return {
				status: fault.status ?? 200,
				headers: { 'content-type': 'application/json' },
				body: '{"id":"vid_partial","object":"video","status":"proc',
			};
		case 'html': {
			const status = fault.status ?? 502;
			const title = `${status} ${status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Unavailable' : status === 504 ? 'Gateway Timeout' : 'Error'}`;
			return {
				status,
				headers: { 'content-type': 'text/html; charset=utf-8' },
				body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`,
			};
		}
		case 'empty':
			return { status: fault.status ?? 502, body: Buffer.alloc(0) };
		case 'huge': {
			const size = fault.bytes ?? 64 * 1024 * 1024;
			return { status: fault.status ?? 502, headers: { 'content-type': 'text/plain' }, stream: repeatStream(size), length: size };
		}
		default:
			return undefined;
	}
}

/** `size` bytes of filler text, streamed. */
function repeatStream(size) {
	const block = Buffer.alloc(64 * 1024, 'upstream connect error or disconnect/reset before headers. ');
	let remaining = size;
	return new Readable({
		read() {
			while (remaining > 0) {
				const chunk = block.subarray(0, Math.min(block.length, remaining));
				remaining -= chunk.length;
				if (!this.push(chunk)) return;
			}
			this.push(null);
		},
	});
}

module.exports = { readBody, sendReply, replacementReply, resetSocket, delay };
