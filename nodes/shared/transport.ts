import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
	IWebhookFunctions,
} from 'n8n-workflow';

import {
	GatewayApiError,
	parseGatewayError,
	transportError,
	type GatewayErrorInfo,
} from './errors';
import { DEFAULT_IDLE_TIMEOUT_MS, meterTransfer, type BodyStream } from './transfer';
import { redactUrl } from './urls';
import { ExecutionCancelledError, backoffDelayMs, sleepUnlessCancelled } from './wait';

/**
 * The only module that talks HTTP to the gateway: base URL, auth, retry policy and the mapping
 * of every failure to a NodeApiError that carries the gateway's error, reason and request id.
 */

export const CREDENTIAL_TYPE = 'aiStatsApi';
export const DEFAULT_BASE_URL = 'https://api.phaseo.app/v1';

export type GatewayFunctions = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

/**
 * - `idempotent`: safe to repeat (reads, delete, download link): retried on 429/502/503/504 and
 *   dropped connections.
 * - `create`: POST /videos has no idempotency key, so a repeat may bill a second job. Retried
 *   only when the gateway certainly did not start it: 429, or a connection refused before sending.
 * - `none`: never retried here.
 */
export type RetryMode = 'idempotent' | 'create' | 'none';

export const RETRY_POLICY = {
	maxAttempts: 4,
	baseDelayMs: 500,
	maxDelayMs: 8000,
} as const;

const RETRYABLE_STATUSES = [429, 502, 503, 504];
/** Error codes meaning the request never reached the server. */
const NOT_SENT_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'];
/** Error codes of a connection that broke (the request may have been processed). */
const DROPPED_CODES = ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE'];

/** JSON answers above this size are not a video API answer; stop reading them. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 120_000;

export interface GatewayRequest {
	method: IHttpRequestMethods;
	/** Path below the base URL, e.g. `/videos/abc`. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	retry?: RetryMode;
	itemIndex?: number;
}

export interface StreamResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: NodeJS.ReadableStream & { destroy?: (error?: Error) => void };
}

interface RawResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

export async function getBaseUrl(ctx: GatewayFunctions): Promise<string> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const baseUrl = typeof credentials.baseUrl === 'string' && credentials.baseUrl.trim() !== '' ? credentials.baseUrl : DEFAULT_BASE_URL;
	return baseUrl.trim().replace(/\/+$/, '');
}

function cancelSignal(ctx: GatewayFunctions): AbortSignal | undefined {
	const candidate = ctx as Partial<IExecuteFunctions>;
	return typeof candidate.getExecutionCancelSignal === 'function' ? candidate.getExecutionCancelSignal() : undefined;
}

export function headerValue(headers: RawResponse['headers'] | undefined, name: string): string | undefined {
	if (!headers) return undefined;
	const value = headers[name] ?? headers[name.toLowerCase()];
	if (Array.isArray(value)) return value[0];
	return typeof value === 'string' ? value : undefined;
}

function requestIdFromHeaders(headers: RawResponse['headers'] | undefined): string | undefined {
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

function isCancellation(error: unknown, signal?: AbortSignal): boolean {
	if (error instanceof ExecutionCancelledError) return true;
	if (signal?.aborted) return true;
	const code = networkErrorCode(error);
	return code === 'ERR_CANCELED' || code === 'ABORT_ERR';
}

/** Reads a (small) body stream into text, refusing anything above `limit` bytes. */
export async function readBodyText(body: unknown, limit = MAX_JSON_BYTES): Promise<{ text: string; tooLarge: boolean }> {
	if (body === undefined || body === null) return { text: '', tooLarge: false };
	if (typeof body === 'string') return { text: body, tooLarge: false };
	if (Buffer.isBuffer(body)) return { text: body.toString('utf8'), tooLarge: false };
	const stream = body as StreamResponse['body'];
	if (typeof (stream as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') {
		return { text: JSON.stringify(body), tooLarge: false };
	}
	const chunks: Buffer[] = [];
	let size = 0;
	// A JSON answer that stops half way must not hold the execution forever either.
	const watch = meterTransfer(stream as unknown as BodyStream, { idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS }, false);
	try {
		for await (const chunk of stream as AsyncIterable<Buffer | string>) {
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

function describeNonJson(text: string): string {
	const trimmed = text.trim();
	if (trimmed === '') return 'an empty body';
	if (/^<(!doctype|html)/i.test(trimmed)) return 'an HTML page (a proxy or a wrong Base URL?)';
	return 'a body that is not JSON';
}

type Attempt<T> =
	| { ok: true; value: T }
	| { ok: false; error: Error; retry: boolean };

class GatewayClient {
	private readonly node: INode;
	private readonly signal?: AbortSignal;

	constructor(private readonly ctx: GatewayFunctions) {
		this.node = ctx.getNode();
		this.signal = cancelSignal(ctx);
	}

	async send(options: IHttpRequestOptions, authenticated: boolean, abortSignal?: AbortSignal): Promise<RawResponse> {
		const request: IHttpRequestOptions = {
			...options,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: options.timeout ?? REQUEST_TIMEOUT_MS,
		};
		const signal = abortSignal && this.signal ? linkedSignal(this.signal, abortSignal) : (abortSignal ?? this.signal);
		if (signal) request.abortSignal = signal;
		const response = authenticated
			? await this.ctx.helpers.httpRequestWithAuthentication.call(this.ctx, CREDENTIAL_TYPE, request)
			: await this.ctx.helpers.httpRequest(request);
		return response as RawResponse;
	}

	/** Runs `attempt` under the retry policy; returns its value or throws its last error. */
	async withRetries<T>(mode: RetryMode, attempt: (number: number) => Promise<Attempt<T>>): Promise<T> {
		const maxAttempts = mode === 'none' ? 1 : RETRY_POLICY.maxAttempts;
		for (let number = 1; ; number++) {
			const result = await attempt(number);
			if (result.ok) return result.value;
			if (!result.retry || number >= maxAttempts) throw result.error;
			await sleepUnlessCancelled(
				backoffDelayMs(number - 1, RETRY_POLICY.baseDelayMs, RETRY_POLICY.maxDelayMs),
				this.node,
				this.signal,
			);
		}
	}

	/** Turns a thrown transport error into an attempt result, deciding if it may be repeated. */
	classifyThrown<T>(error: unknown, mode: RetryMode, what: string, itemIndex?: number): Attempt<T> {
		if (isCancellation(error, this.signal)) throw new ExecutionCancelledError(this.node);
		const code = networkErrorCode(error);
		const notSent = code !== undefined && NOT_SENT_CODES.includes(code);
		const dropped = code !== undefined && DROPPED_CODES.includes(code);
		const retry = mode === 'idempotent' ? notSent || dropped : mode === 'create' ? code === 'ECONNREFUSED' : false;
		const phrase = describeNetworkError(code);
		let description: string;
		if (notSent) {
			description = `The gateway could not be reached (${phrase}). Check the Base URL of the AI Stats credential and the network.`;
		} else if (dropped && mode === 'create') {
			description = `The connection broke (${phrase}) after the request was sent, so the gateway may have created (and billed) the job. It was not retried to avoid a duplicate: check "Get Many" for a new job before running again.`;
		} else if (dropped) {
			description = `The connection to the gateway broke (${phrase}).`;
		} else {
			description = code ? `Network error (${phrase}).` : 'The request failed before the gateway answered.';
		}
		const wrapped = transportError(this.node, `Could not ${what}: ${phrase}`, description, itemIndex, code ? { network_error: code } : {});
		return { ok: false, error: wrapped, retry };
	}

	/** An error answer: parse the envelope (if any) and decide about a retry. */
	async classifyStatus<T>(response: RawResponse, mode: RetryMode, itemIndex?: number): Promise<Attempt<T>> {
		let info: GatewayErrorInfo;
		const { text, tooLarge } = await readBodyText(response.body, 1024 * 1024).catch(() => ({ text: '', tooLarge: false }));
		const headerRequestId = requestIdFromHeaders(response.headers);
		try {
			if (tooLarge) throw new Error('oversized');
			info = parseGatewayError(response.statusCode, JSON.parse(text), headerRequestId);
		} catch {
			info = { httpStatus: response.statusCode, requestId: headerRequestId };
			info.message = `The gateway answered with ${tooLarge ? 'an oversized body' : describeNonJson(text)}.`;
		}
		const retryable = RETRYABLE_STATUSES.includes(response.statusCode);
		const retry = mode === 'idempotent' ? retryable : mode === 'create' ? response.statusCode === 429 : false;
		return { ok: false, error: new GatewayApiError(this.node, info, itemIndex), retry };
	}
}

/**
 * A signal that aborts with either of two. Not AbortSignal.any: on Node 20 its result is held
 * only weakly and can be collected while a request still listens to it.
 */
function linkedSignal(first: AbortSignal, second: AbortSignal): AbortSignal {
	const controller = new AbortController();
	for (const source of [first, second]) {
		if (source.aborted) controller.abort(source.reason);
		else source.addEventListener('abort', () => controller.abort(source.reason), { once: true, signal: controller.signal });
	}
	return controller.signal;
}

function defaultRetry(method: IHttpRequestMethods): RetryMode {
	return method === 'GET' || method === 'DELETE' ? 'idempotent' : 'none';
}

/** A JSON call to the gateway. Returns the parsed body of a 2xx answer. */
export async function gatewayRequest<T = IDataObject>(ctx: GatewayFunctions, request: GatewayRequest): Promise<T> {
	const client = new GatewayClient(ctx);
	const baseUrl = await getBaseUrl(ctx);
	const mode = request.retry ?? defaultRetry(request.method);
	const what = `${request.method} ${request.path}`;
	return await client.withRetries<T>(mode, async () => {
		let response: RawResponse;
		try {
			response = await client.send(
				{
					method: request.method,
					url: `${baseUrl}${request.path}`,
					qs: request.qs,
					body: request.body,
					json: true,
					headers: request.body ? { 'Content-Type': 'application/json' } : undefined,
					arrayFormat: 'repeat',
				},
				true,
			);
		} catch (error) {
			return client.classifyThrown<T>(error, mode, `call ${what}`, request.itemIndex);
		}
		if (response.statusCode < 200 || response.statusCode >= 300) {
			return await client.classifyStatus<T>(response, mode, request.itemIndex);
		}
		let text: string;
		let tooLarge: boolean;
		try {
			({ text, tooLarge } = await readBodyText(response.body));
		} catch (error) {
			// The answer broke off half way: for a create the job may exist, so never repeat it.
			return client.classifyThrown<T>(error, mode, `read the answer to ${what}`, request.itemIndex);
		}
		const requestId = requestIdFromHeaders(response.headers);
		if (tooLarge) {
			return {
				ok: false,
				retry: false,
				error: new GatewayApiError(
					ctx.getNode(),
					{ httpStatus: response.statusCode, requestId, message: `The answer to ${what} was larger than ${MAX_JSON_BYTES} bytes.` },
					request.itemIndex,
					`Unexpected answer from the gateway (${response.statusCode}): oversized body`,
				),
			};
		}
		if (text.trim() === '' && response.statusCode === 204) return { ok: true, value: {} as T };
		try {
			return { ok: true, value: JSON.parse(text) as T };
		} catch {
			return {
				ok: false,
				// A garbled read can be repeated safely; a garbled create answer cannot.
				retry: mode === 'idempotent',
				error: new GatewayApiError(
					ctx.getNode(),
					{ httpStatus: response.statusCode, requestId, message: `The gateway answered ${what} with ${describeNonJson(text)}.` },
					request.itemIndex,
					`Unexpected answer from the gateway (${response.statusCode}): ${describeNonJson(text)}`,
				),
			};
		}
	});
}

/** How a binary body will be read: the socket timeout must not cut a slow link short of it. */
export interface BodyReadOptions {
	idleTimeoutMs?: number;
	/** Aborts this request (and its body) without cancelling the execution. */
	abortSignal?: AbortSignal;
	/** `none` for a request made ahead of knowing it is needed (default `idempotent`). */
	retry?: RetryMode;
}

function bodyTimeout(read?: BodyReadOptions): number {
	return Math.max(REQUEST_TIMEOUT_MS, read?.idleTimeoutMs ?? 0);
}

/** Opens the authenticated content stream of a finished video (`GET /videos/{id}/content`). */
export async function openVideoContent(
	ctx: GatewayFunctions,
	videoId: string,
	index: number | undefined,
	itemIndex?: number,
	read?: BodyReadOptions,
): Promise<StreamResponse> {
	const client = new GatewayClient(ctx);
	const baseUrl = await getBaseUrl(ctx);
	const path = `/videos/${encodeURIComponent(videoId)}/content`;
	const mode = read?.retry ?? 'idempotent';
	return await client.withRetries<StreamResponse>(mode, async () => {
		let response: RawResponse;
		try {
			response = await client.send(
				{
					method: 'GET',
					url: `${baseUrl}${path}`,
					qs: index !== undefined ? { index } : undefined,
					headers: { Accept: '*/*' },
					timeout: bodyTimeout(read),
				},
				true,
				read?.abortSignal,
			);
		} catch (error) {
			return client.classifyThrown<StreamResponse>(error, mode, 'download the video', itemIndex);
		}
		if (response.statusCode !== 200) return await client.classifyStatus<StreamResponse>(response, mode, itemIndex);
		return { ok: true, value: response as StreamResponse };
	});
}

/**
 * Opens a signed download link. The link carries its own authorisation, so the bearer key is
 * never sent, and redirects are not followed (a redirect must not leak anything elsewhere).
 */
export async function openSignedUrl(
	ctx: GatewayFunctions,
	url: string,
	itemIndex?: number,
	read?: BodyReadOptions,
): Promise<StreamResponse> {
	const client = new GatewayClient(ctx);
	if (!/^https?:\/\//i.test(url)) {
		throw transportError(ctx.getNode(), 'Invalid download link', `Expected an http(s) URL, got ${redactUrl(url)}.`, itemIndex);
	}
	return await client.withRetries<StreamResponse>('idempotent', async () => {
		let response: RawResponse;
		try {
			response = await client.send(
				{
					method: 'GET',
					url,
					disableFollowRedirect: true,
					sendCredentialsOnCrossOriginRedirect: false,
					headers: { Accept: '*/*' },
					timeout: bodyTimeout(read),
				},
				false,
				read?.abortSignal,
			);
		} catch (error) {
			return client.classifyThrown<StreamResponse>(error, 'idempotent', 'download the video from its signed link', itemIndex);
		}
		if (response.statusCode !== 200) return await client.classifyStatus<StreamResponse>(response, 'idempotent', itemIndex);
		return { ok: true, value: response as StreamResponse };
	});
}
