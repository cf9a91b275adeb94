import { DEFAULT_IDLE_TIMEOUT_MS, meterTransfer, type BodyStream } from './transfer';

/** Reading HTTP answers and naming network failures: the parts of transport with no policy in them. */

export type Headers = Record<string, string | string[] | undefined>;

/** Error codes meaning the request never reached the server. */
export const NOT_SENT_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'];
/** Error codes of a connection that broke (the request may have been processed). */
export const DROPPED_CODES = ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE'];

/** JSON answers above this size are not a video API answer; stop reading them. */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

export function headerValue(headers: Headers | undefined, name: string): string | undefined {
	if (!headers) return undefined;
	const value = headers[name] ?? headers[name.toLowerCase()];
	if (Array.isArray(value)) return value[0];
	return typeof value === 'string' ? value : undefined;
}

export function requestIdFromHeaders(headers: Headers | undefined): string | undefined {
	return headerValue(headers, 'x-request-id') ?? headerValue(headers, 'x-phaseo-request-id');
}

/** Walks an error's cause chain for a Node/axios error code such as ECONNRESET. */
export function networkErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; current && depth < 6; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	const message = error instanceof Error ? error.message : '';
	if (/aborted|socket hang up/i.test(message)) return 'ECONNRESET';
	return undefined;
}

const NETWORK_PHRASES: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'DNS lookup failed',
	ECONNRESET: 'connection reset',
	EPIPE: 'connection broken',
	ETIMEDOUT: 'timed out',
	ECONNABORTED: 'timed out',
	ERR_SOCKET_CONNECTION_TIMEOUT: 'timed out',
	UND_ERR_SOCKET: 'connection broken',
	ERR_STREAM_PREMATURE_CLOSE: 'connection closed early',
};

/**
 * Words for a network error code. NodeApiError replaces any message that contains a raw code
 * such as ECONNRESET with a generic sentence, so messages use these phrases instead.
 */
export function describeNetworkError(code: string | undefined): string {
	return (code && NETWORK_PHRASES[code]) ?? (code ? code.toLowerCase().replace(/_/g, ' ') : 'request failed');
}

/** Reads a (small) body stream into text, refusing anything above `limit` bytes. */
export async function readBodyText(body: unknown, limit = MAX_JSON_BYTES): Promise<{ text: string; tooLarge: boolean }> {
	if (body === undefined || body === null) return { text: '', tooLarge: false };
	if (typeof body === 'string') return { text: body, tooLarge: false };
	if (Buffer.isBuffer(body)) return { text: body.toString('utf8'), tooLarge: false };
	const stream = body as AsyncIterable<Buffer | string> & { destroy?: (error?: Error) => void };
	if (typeof stream[Symbol.asyncIterator] !== 'function') {
		return { text: JSON.stringify(body), tooLarge: false };
	}
	const chunks: Buffer[] = [];
	let size = 0;
	// A JSON answer that stops half way must not hold the execution forever either.
	const watch = meterTransfer(stream as unknown as BodyStream, { idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS }, false);
	try {
		for await (const chunk of stream) {
			const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
			size += buffer.length;
			if (size > limit) {
				stream.destroy?.();
				return { text: '', tooLarge: true };
			}
			chunks.push(buffer);
		}
	} catch (error) {
		// A stall is reported as a timeout (retried for reads, never for a create); other failures
		// keep their network error code in the cause chain.
		const stalled = watch.stopped?.kind === 'stalled';
		throw Object.assign(new Error(stalled ? 'the answer stalled' : 'the answer broke off'), { code: stalled ? 'ETIMEDOUT' : undefined, cause: error });
	} finally {
		watch.finish();
	}
	return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: false };
}

export function describeNonJson(text: string): string {
	const trimmed = text.trim();
	if (trimmed === '') return 'an empty body';
	if (/^<(!doctype|html)/i.test(trimmed)) return 'an HTML page (a proxy or a wrong Base URL?)';
	return 'a body that is not JSON';
}
