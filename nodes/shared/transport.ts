import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, IHttpRequestOptions, INode } from 'n8n-workflow';

import { readApiKey, readBaseUrl, type CredentialFunctions } from './credentials';
import { GatewayApiError, parseGatewayError, transportError, type GatewayErrorInfo } from './errors';
import {
	DROPPED_CODES,
	MAX_JSON_BYTES,
	NOT_SENT_CODES,
	describeNetworkError,
	describeNonJson,
	networkErrorCode,
	readBodyText,
	requestIdFromHeaders,
	type Headers,
} from './network';
import { FormBody } from './multipart';
import { RedirectRefusedError, nextHop } from './redirects';
import { readPolicy, noRetryPolicy, runWithRetries, type Attempt, type RetryPolicy } from './retry';
import { redactUrl } from './urls';
import { ExecutionCancelledError } from './wait';

/**
 * The only module that sends HTTP: auth, the retry runner under the caller's policy, and the
 * mapping of every failure to a NodeApiError that carries the gateway's error, reason and request
 * id. Which routes exist is gateway.ts's business.
 */

export type GatewayFunctions = CredentialFunctions;

const REQUEST_TIMEOUT_MS = 120_000;

export interface GatewayRequest {
	method: IHttpRequestMethods;
	/** Path below the base URL, e.g. `/videos/abc`. */
	path: string;
	qs?: IDataObject;
	/** Sent as JSON, or as the multipart form data it holds. */
	body?: IDataObject | FormBody;
	/** Default: readPolicy for GET and DELETE, noRetryPolicy otherwise. */
	retry?: RetryPolicy;
	itemIndex?: number;
	/** Sent as the bearer instead of the credential's inference key (the management key of `/webhook-endpoints`). */
	bearer?: string;
}

export interface StreamResponse {
	statusCode: number;
	headers: Headers;
	body: NodeJS.ReadableStream & { destroy?: (error?: Error) => void };
}

interface RawResponse {
	statusCode: number;
	headers: Headers;
	body: unknown;
}

function cancelSignal(ctx: GatewayFunctions): AbortSignal | undefined {
	const candidate = ctx as Partial<IExecuteFunctions>;
	return typeof candidate.getExecutionCancelSignal === 'function' ? candidate.getExecutionCancelSignal() : undefined;
}

function isCancellation(error: unknown, signal?: AbortSignal): boolean {
	if (error instanceof ExecutionCancelledError) return true;
	if (signal?.aborted) return true;
	const code = networkErrorCode(error);
	return code === 'ERR_CANCELED' || code === 'ABORT_ERR';
}

class GatewayClient {
	readonly node: INode;
	readonly signal?: AbortSignal;

	constructor(private readonly ctx: GatewayFunctions) {
		this.node = ctx.getNode();
		this.signal = cancelSignal(ctx);
	}

	async send(options: IHttpRequestOptions, authenticated: boolean, extra: { bearer?: string; abortSignal?: AbortSignal } = {}): Promise<RawResponse> {
		const { bearer, abortSignal } = extra;
		const request: IHttpRequestOptions = {
			...options,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: options.timeout ?? REQUEST_TIMEOUT_MS,
		};
		const signal = abortSignal && this.signal ? linkedSignal(this.signal, abortSignal) : (abortSignal ?? this.signal);
		if (signal) request.abortSignal = signal;
		if (!authenticated && bearer === undefined) return (await this.ctx.helpers.httpRequest(request)) as RawResponse;
		// The credential's bearer (its `authenticate` says the same), from the run's one read of the
		// credential (credentials.ts), or the management key the caller passes.
		const key = bearer ?? (await readApiKey(this.ctx));
		// A key goes to the Base URL only: n8n would follow a redirect anywhere with the
		// Authorization header, so redirects are followed here, same origin only.
		request.headers = { ...(request.headers ?? {}), Authorization: `Bearer ${key}` };
		request.disableFollowRedirect = true;
		const origin = new URL(request.url).origin;
		for (let hop = 0; ; hop++) {
			const response = (await this.ctx.helpers.httpRequest(request)) as RawResponse;
			const next = nextHop(this.node, request, response, origin, hop);
			if (!next) return response;
			(response.body as StreamResponse['body'] | undefined)?.destroy?.();
			request.url = next;
			delete request.qs;
		}
	}

	/** Turns a thrown transport error into an attempt result, deciding if it may be repeated. */
	classifyThrown<T>(error: unknown, policy: RetryPolicy, what: string, itemIndex?: number): Attempt<T> {
		if (isCancellation(error, this.signal)) throw new ExecutionCancelledError(this.node);
		if (error instanceof RedirectRefusedError) {
			if (itemIndex !== undefined) error.context.itemIndex = itemIndex;
			return { ok: false, error, retry: false };
		}
		const code = networkErrorCode(error);
		const notSent = code !== undefined && NOT_SENT_CODES.includes(code);
		const dropped = code !== undefined && DROPPED_CODES.includes(code);
		const retry = code !== undefined && policy.retryNetworkCodes.includes(code);
		const phrase = describeNetworkError(code);
		let description: string;
		if (notSent) {
			description = `The gateway could not be reached (${phrase}). Check the Base URL of the AI Stats credential and the network.`;
		} else if (dropped && policy.name === 'create') {
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
	async classifyStatus<T>(response: RawResponse, policy: RetryPolicy, itemIndex?: number): Promise<Attempt<T>> {
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
		const retry = policy.retryStatuses.includes(response.statusCode);
		return { ok: false, error: new GatewayApiError(this.node, info, itemIndex), retry };
	}

	/** Answers that are not JSON: an oversized one is never repeated, a garbled one as the policy says. */
	unexpectedAnswer<T>(response: RawResponse, what: string, policy: RetryPolicy, text: string, tooLarge: boolean, itemIndex?: number): Attempt<T> {
		const requestId = requestIdFromHeaders(response.headers);
		const problem = tooLarge ? 'oversized body' : describeNonJson(text);
		const message = tooLarge ? `The answer to ${what} was larger than ${MAX_JSON_BYTES} bytes.` : `The gateway answered ${what} with ${problem}.`;
		return {
			ok: false,
			// A garbled read can be repeated safely; a garbled create answer cannot.
			retry: !tooLarge && policy.retryGarbledAnswer,
			error: new GatewayApiError(
				this.node,
				{ httpStatus: response.statusCode, requestId, message },
				itemIndex,
				`Unexpected answer from the gateway (${response.statusCode}): ${problem}`,
			),
		};
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

function defaultPolicy(method: IHttpRequestMethods): RetryPolicy {
	return method === 'GET' || method === 'DELETE' ? readPolicy : noRetryPolicy;
}

/** A JSON call to the gateway. Returns the parsed body of a 2xx answer. */
export async function gatewayRequest<T = IDataObject>(ctx: GatewayFunctions, request: GatewayRequest): Promise<T> {
	const client = new GatewayClient(ctx);
	const baseUrl = await readBaseUrl(ctx);
	const policy = request.retry ?? defaultPolicy(request.method);
	const what = `${request.method} ${request.path}`;
	return await runWithRetries<T>(policy, client.node, client.signal, async () => {
		let response: RawResponse;
		try {
			response = await client.send(
				{
					method: request.method,
					url: `${baseUrl}${request.path}`,
					qs: request.qs,
					body: request.body instanceof FormBody ? request.body.data : request.body,
					json: true,
					headers: {
						...(request.body ? { 'Content-Type': request.body instanceof FormBody ? request.body.contentType : 'application/json' } : {}),
					},
					arrayFormat: 'repeat',
				},
				true,
				{ bearer: request.bearer },
			);
		} catch (error) {
			return client.classifyThrown<T>(error, policy, `call ${what}`, request.itemIndex);
		}
		if (response.statusCode < 200 || response.statusCode >= 300) {
			return await client.classifyStatus<T>(response, policy, request.itemIndex);
		}
		let text: string;
		let tooLarge: boolean;
		try {
			({ text, tooLarge } = await readBodyText(response.body));
		} catch (error) {
			// The answer broke off half way: for a create the job may exist, so never repeat it.
			return client.classifyThrown<T>(error, policy, `read the answer to ${what}`, request.itemIndex);
		}
		if (tooLarge) return client.unexpectedAnswer<T>(response, what, policy, text, true, request.itemIndex);
		if (text.trim() === '' && response.statusCode === 204) return { ok: true, value: {} as T };
		try {
			return { ok: true, value: JSON.parse(text) as T };
		} catch {
			return client.unexpectedAnswer<T>(response, what, policy, text, false, request.itemIndex);
		}
	});
}

export interface StreamRequest {
	/** A path below the base URL (sent with the key), or an absolute signed link (sent without it). */
	target: { path: string; qs?: IDataObject } | { signedUrl: string };
	/** What failed, for the message: "Could not <what>: …". */
	what: string;
	itemIndex?: number;
}

/** How a binary body will be read: the socket timeout must not cut a slow link short of it. */
export interface BodyReadOptions {
	idleTimeoutMs?: number;
	/** Aborts this request (and its body) without cancelling the execution. */
	abortSignal?: AbortSignal;
	/** noRetryPolicy for a request made ahead of knowing it is needed (default readPolicy). */
	retry?: RetryPolicy;
}

/**
 * Opens a binary answer as a stream (read policy). A signed link carries its own authorisation,
 * so the bearer key is never sent with it, and its redirects are not followed (a redirect must
 * not leak anything elsewhere).
 */
export async function gatewayStream(ctx: GatewayFunctions, request: StreamRequest, read?: BodyReadOptions): Promise<StreamResponse> {
	const client = new GatewayClient(ctx);
	const { target, itemIndex } = request;
	const policy = read?.retry ?? readPolicy;
	const timeout = Math.max(REQUEST_TIMEOUT_MS, read?.idleTimeoutMs ?? 0);
	let options: IHttpRequestOptions;
	if ('signedUrl' in target) {
		if (!/^https?:\/\//i.test(target.signedUrl)) {
			throw transportError(ctx.getNode(), 'Invalid download link', `Expected an http(s) URL, got ${redactUrl(target.signedUrl)}.`, itemIndex);
		}
		options = { method: 'GET', url: target.signedUrl, disableFollowRedirect: true, sendCredentialsOnCrossOriginRedirect: false, headers: { Accept: '*/*' }, timeout };
	} else {
		options = { method: 'GET', url: `${await readBaseUrl(ctx)}${target.path}`, qs: target.qs, headers: { Accept: '*/*' }, timeout };
	}
	return await runWithRetries<StreamResponse>(policy, client.node, client.signal, async () => {
		let response: RawResponse;
		try {
			response = await client.send(options, !('signedUrl' in target), { abortSignal: read?.abortSignal });
		} catch (error) {
			return client.classifyThrown<StreamResponse>(error, policy, request.what, itemIndex);
		}
		if (response.statusCode !== 200) return await client.classifyStatus<StreamResponse>(response, policy, itemIndex);
		return { ok: true, value: response as StreamResponse };
	});
}
