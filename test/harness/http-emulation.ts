/**
 * The request and response objects a node's `webhook()` gets from
 * `this.getRequestObject()` / `this.getResponseObject()`.
 *
 * In n8n these are Express 5 objects that went through n8n's `rawBodyReader` middleware
 * (packages/cli/src/middlewares/body-parser.ts):
 * - `req.contentType` / `req.encoding` come from the Content-Type header;
 * - `req.rawBody` (a Buffer) exists only after `await req.readRawBody()`. n8n calls it for
 *   JSON, text/plain, x-www-form-urlencoded and XML bodies — and for every content type
 *   when the webhook node's typeVersion is 1 — and then parses `req.body` from it. For a
 *   node with typeVersion > 1 and any other content type (e.g. application/octet-stream),
 *   `rawBody` stays undefined until the node calls `readRawBody()` itself;
 * - `req.body` is undefined unless parsed (the webhook routes have no body parser).
 * The objects below reproduce that surface without a network socket.
 */
import type { IDataObject } from 'n8n-workflow';
import { jsonParse } from 'n8n-workflow';
import { parse as parseQueryString } from 'node:querystring';
import { Readable, Writable } from 'node:stream';

/** An incoming HTTP call, as a test describes it. */
export interface HarnessHttpRequest {
	/** Default POST. */
	method?: string;
	/**
	 * For `resumeWaiting`: the part after `/webhook-waiting/<executionId>/`, i.e. the
	 * waiting node's webhook `path`. For triggers it is informational only.
	 */
	pathSuffix?: string;
	headers?: Record<string, string>;
	body?: Buffer | string;
	query?: Record<string, string>;
}

/** What the caller of the webhook received. */
export interface HarnessHttpResponse {
	status: number;
	headers: Record<string, string>;
	/** JSON bodies parsed, text bodies as string, other bodies as Buffer, empty → undefined. */
	body: unknown;
	rawBody: Buffer;
	/** False if the response was never ended (the caller would still be waiting). */
	ended: boolean;
}

export class EmulatedRequest extends Readable {
	readonly method: string;
	readonly url: string;
	readonly originalUrl: string;
	readonly path: string;
	readonly headers: Record<string, string>;
	readonly query: Record<string, string>;
	params: Record<string, string> = {};
	body: unknown = undefined;
	rawBody: Buffer | undefined = undefined;
	contentType?: string;
	encoding: BufferEncoding = 'utf-8';
	_body = false;
	readonly hostname: string;
	readonly ip = '127.0.0.1';
	readonly protocol: string;
	private readonly bytes: Buffer;
	private pushed = false;

	constructor(init: { request: HarnessHttpRequest; path: string; baseUrl: string }) {
		super();
		const { request, path, baseUrl } = init;
		this.bytes = Buffer.isBuffer(request.body)
			? request.body
			: Buffer.from(request.body ?? '', 'utf8');
		this.method = (request.method ?? 'POST').toUpperCase();
		this.query = { ...(request.query ?? {}) };
		const search = new URLSearchParams(this.query).toString();
		this.path = path;
		this.url = search ? `${path}?${search}` : path;
		this.originalUrl = this.url;
		const base = new URL(baseUrl);
		this.hostname = base.hostname;
		this.protocol = base.protocol.replace(':', '');
		this.headers = { host: base.host };
		for (const [name, value] of Object.entries(request.headers ?? {})) {
			this.headers[name.toLowerCase()] = value;
		}
		if (this.bytes.length > 0 && this.headers['content-length'] === undefined) {
			this.headers['content-length'] = String(this.bytes.length);
		}
		// As @n8n/backend-network's parseIncomingMessage does for every webhook request.
		const [type, ...parameters] = (this.headers['content-type'] ?? '').split(';');
		if (type) {
			this.contentType = type.trim().toLowerCase();
			const charset = parameters
				.map((parameter) => parameter.trim().split('='))
				.find(([key]) => key.toLowerCase() === 'charset')?.[1];
			this.encoding = (charset?.replace(/"/g, '').toLowerCase() ?? 'utf-8') as BufferEncoding;
		}
	}

	_read() {
		if (this.pushed) return;
		this.pushed = true;
		if (this.bytes.length > 0) this.push(this.bytes);
		this.push(null);
	}

	/** n8n reads the socket here; the emulation already has the bytes. */
	async readRawBody(): Promise<void> {
		if (!this.rawBody) {
			this.rawBody = this.bytes;
			this._body = true;
		}
	}

	header(name: string): string | undefined {
		return this.headers[name.toLowerCase()];
	}

	get(name: string): string | undefined {
		return this.header(name);
	}
}

/** n8n's `parseBody` (middlewares/body-parser.ts), minus XML (xml2js is not installed). */
export async function parseRequestBody(req: EmulatedRequest, nodeTypeVersion: number) {
	const { contentType } = req;
	const parsable =
		!!contentType &&
		(contentType.startsWith('application/json') ||
			contentType.startsWith('text/plain') ||
			contentType.startsWith('application/x-www-form-urlencoded') ||
			contentType.endsWith('/xml') ||
			contentType.endsWith('+xml'));
	if (nodeTypeVersion > 1 && !parsable) return;
	if (contentType?.startsWith('multipart/')) {
		throw new Error('multipart/form-data webhook bodies are not supported by the harness');
	}
	await req.readRawBody();
	const { rawBody, encoding } = req;
	if (!rawBody?.length) return;
	if (contentType === 'application/json') {
		req.body = jsonParse(rawBody.toString(encoding));
	} else if (contentType === 'application/x-www-form-urlencoded') {
		req.body = parseQueryString(rawBody.toString(encoding), undefined, undefined, { maxKeys: 1000 });
	} else if (contentType === 'text/plain') {
		req.body = rawBody.toString(encoding);
	}
}

/** The Express response surface nodes and n8n's webhook layer use, recorded in memory. */
export class EmulatedResponse extends Writable {
	statusCode = 200;
	locals: IDataObject = {};
	private readonly headerMap = new Map<string, string>();
	private readonly chunks: Buffer[] = [];
	private headersWritten = false;

	constructor() {
		super();
	}

	get headersSent(): boolean {
		return this.headersWritten;
	}

	status(code: number): this {
		this.statusCode = code;
		return this;
	}

	sendStatus(code: number): this {
		return this.status(code).send(String(code));
	}

	setHeader(name: string, value: string | number | readonly string[]): this {
		this.headerMap.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
		return this;
	}

	getHeader(name: string): string | undefined {
		return this.headerMap.get(name.toLowerCase());
	}

	getHeaders(): Record<string, string> {
		return Object.fromEntries(this.headerMap);
	}

	hasHeader(name: string): boolean {
		return this.headerMap.has(name.toLowerCase());
	}

	removeHeader(name: string): void {
		this.headerMap.delete(name.toLowerCase());
	}

	/** Express `res.set` / `res.header`: one header or an object of headers. */
	set(field: string | Record<string, string>, value?: string): this {
		if (typeof field === 'string') return this.setHeader(field, value ?? '');
		for (const [name, headerValue] of Object.entries(field)) this.setHeader(name, headerValue);
		return this;
	}

	header(field: string | Record<string, string>, value?: string): this {
		return this.set(field, value);
	}

	type(contentType: string): this {
		return this.setHeader('content-type', contentType.includes('/') ? contentType : `application/${contentType}`);
	}

	writeHead(statusCode: number, headers?: Record<string, string>): this {
		this.statusCode = statusCode;
		if (headers) this.set(headers);
		this.headersWritten = true;
		return this;
	}

	json(body: unknown): this {
		if (!this.hasHeader('content-type')) this.setHeader('content-type', 'application/json; charset=utf-8');
		return this.send(JSON.stringify(body));
	}

	send(body?: unknown): this {
		if (body === undefined || body === null) {
			this.end();
		} else if (Buffer.isBuffer(body)) {
			if (!this.hasHeader('content-type')) this.setHeader('content-type', 'application/octet-stream');
			this.end(body);
		} else if (typeof body === 'object' || typeof body === 'boolean' || typeof body === 'number') {
			return this.json(body);
		} else {
			if (!this.hasHeader('content-type')) this.setHeader('content-type', 'text/html; charset=utf-8');
			this.end(String(body));
		}
		return this;
	}

	_write(chunk: Buffer | string, encoding: BufferEncoding, callback: (error?: Error | null) => void) {
		this.headersWritten = true;
		this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding));
		callback();
	}

	_final(callback: (error?: Error | null) => void) {
		this.headersWritten = true;
		callback();
	}

	/** The response as the caller saw it, once ended (or after `waitMs` if it never is). */
	async collect(waitMs: number): Promise<HarnessHttpResponse> {
		const ended = await new Promise<boolean>((resolve) => {
			if (this.writableFinished) return resolve(true);
			const timer = setTimeout(() => resolve(false), waitMs);
			this.once('finish', () => {
				clearTimeout(timer);
				resolve(true);
			});
		});
		const rawBody = Buffer.concat(this.chunks);
		return {
			status: this.statusCode,
			headers: this.getHeaders(),
			body: decodeBody(rawBody, this.getHeader('content-type')),
			rawBody,
			ended,
		};
	}
}

function decodeBody(rawBody: Buffer, contentType: string | undefined): unknown {
	if (rawBody.length === 0) return undefined;
	if (contentType?.includes('json')) {
		try {
			return JSON.parse(rawBody.toString('utf8'));
		} catch {
			return rawBody.toString('utf8');
		}
	}
	if (contentType?.startsWith('text/')) return rawBody.toString('utf8');
	return rawBody;
}

/** n8n's ResponseHelper.sendErrorResponse body: `{ code, message }`. */
export function sendErrorResponse(res: EmulatedResponse, httpStatusCode: number, message: string) {
	if (res.headersSent || res.writableEnded) return;
	res.status(httpStatusCode).json({ code: httpStatusCode === 500 ? 0 : httpStatusCode, message });
}

/** n8n's legacy webhook response (webhook-request-handler.ts, `raw === true`). */
export function sendLegacyResponse(
	res: EmulatedResponse,
	data: unknown,
	responseCode?: number,
	headers?: Record<string, string>,
) {
	if (res.headersSent || res.writableEnded) return;
	if (responseCode !== undefined) res.status(responseCode);
	if (headers) res.set(headers);
	if (typeof data === 'string') res.send(data);
	else res.json(data);
}
