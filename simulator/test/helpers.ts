/** Shared helpers for the simulator's own tests (test/simulator*.test.ts). */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Simulator } from '..';

export interface ApiResult<T = any> {
	status: number;
	headers: Headers;
	text: string;
	json: T;
}

/** Calls the simulator API with fetch; `key` null = no Authorization header. */
export async function call<T = any>(
	sim: Simulator,
	path: string,
	init: { method?: string; key?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiResult<T>> {
	const headers: Record<string, string> = { ...(init.headers ?? {}) };
	const key = init.key === undefined ? sim.keys.inference : init.key;
	if (key !== null) headers.authorization = `Bearer ${key}`;
	let body: string | undefined;
	if (init.rawBody !== undefined) body = init.rawBody;
	else if (init.body !== undefined) body = JSON.stringify(init.body);
	if (body !== undefined) headers['content-type'] ??= 'application/json';
	const url = path.startsWith('http') ? path : `${sim.baseUrl}${path}`;
	const response = await fetch(url, { method: init.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body });
	const text = await response.text();
	let json: any;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: response.status, headers: response.headers, text, json };
}

export const createBody = (overrides: Record<string, unknown> = {}) => ({
	model: 'google/veo-3.1-lite',
	prompt: 'A cinematic sunrise over a mountain lake',
	duration: 8,
	aspect_ratio: '16:9',
	...overrides,
});

/** Creates a job and returns its id (asserts 202). */
export async function createJob(sim: Simulator, overrides: Record<string, unknown> = {}, key?: string): Promise<string> {
	const result = await call(sim, '/videos', { body: createBody(overrides), key });
	if (result.status !== 202) throw new Error(`create failed: ${result.status} ${result.text}`);
	return result.json.id as string;
}

/** Polls GET /videos/{id} until it reaches one of `statuses`. */
export async function waitForStatus(sim: Simulator, id: string, statuses: string[], timeoutMs = 5000, key?: string): Promise<any> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const result = await call(sim, `/videos/${id}`, { key });
		if (statuses.includes(result.json?.status)) return result.json;
		if (Date.now() > deadline) throw new Error(`job ${id} still ${result.json?.status} after ${timeoutMs}ms`);
		await sleep(25);
	}
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Receiver-side verification exactly as the contract describes it. */
export function verifySignature(secret: string, timestamp: string, rawBody: string, signatureHeader: string): boolean {
	const provided = signatureHeader.replace(/^sha256=/i, '').toLowerCase();
	if (!/^[0-9a-f]{64}$/.test(provided)) return false;
	const expected = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest();
	return timingSafeEqual(expected, Buffer.from(provided, 'hex'));
}

export interface ReceivedRequest {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	rawBody: string;
	time: number;
}

export interface Receiver {
	url: string;
	received: ReceivedRequest[];
	/** Decides the response status for each request (default 200). */
	respond: (request: ReceivedRequest, index: number) => number | { status: number; headers?: Record<string, string>; delayMs?: number };
	close(): Promise<void>;
}

/** A local webhook receiver that records raw bodies and headers. */
export async function startReceiver(): Promise<Receiver> {
	const receiver: Receiver = {
		url: '',
		received: [],
		respond: () => 200,
		close: async () => undefined,
	};
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const request: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8'), time: Date.now() };
			receiver.received.push(request);
			const decision = receiver.respond(request, receiver.received.length - 1);
			const { status, headers, delayMs } = typeof decision === 'number' ? { status: decision, headers: undefined, delayMs: 0 } : decision;
			const send = () => {
				if (res.destroyed) return;
				res.writeHead(status, { 'content-type': 'text/plain', ...(headers ?? {}) });
				res.end(`status ${status}`);
			};
			if (delayMs) setTimeout(send, delayMs);
			else send();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.address() as AddressInfo;
	receiver.url = `http://127.0.0.1:${port}/hooks/video`;
	receiver.close = () =>
		new Promise<void>((resolve) => {
			server.closeAllConnections();
			server.close(() => resolve());
		});
	return receiver;
}

/** Low-level GET that exposes transport errors and partial bodies (fetch hides some of these). */
export function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status?: number; headers?: http.IncomingHttpHeaders; body: Buffer; error?: string; complete: boolean }> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		const request = http.get(url, { headers, agent: false }, (response) => {
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks), complete: response.complete }));
			response.on('error', (error) => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks), error: error.message, complete: false }));
			response.on('aborted', () => undefined);
		});
		request.on('error', (error) => resolve({ body: Buffer.concat(chunks), error: (error as NodeJS.ErrnoException).code ?? error.message, complete: false }));
	});
}
