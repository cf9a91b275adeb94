import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BridgedRequest {
	method?: string;
	/** Path and query, e.g. `/webhook/<id>/ai-stats`. */
	url: string;
	headers: Record<string, string>;
	body: Buffer;
}

export interface BridgedResponse {
	status: number;
	headers: Record<string, string>;
	body: Buffer;
}

/**
 * A real HTTP endpoint standing in for one of n8n's webhook routes: requests (e.g. the simulator's
 * webhook deliveries) are handed to `handle` one at a time, as n8n processes the calls of one
 * execution, and its answer goes back to the caller.
 */
export abstract class SerialBridge {
	private server?: Server;
	private queue: Promise<unknown> = Promise.resolve();

	protected abstract handle(request: BridgedRequest): Promise<BridgedResponse>;

	get baseUrl(): string {
		const { port } = this.server?.address() as AddressInfo;
		return `http://127.0.0.1:${port}/`;
	}

	async start(): Promise<void> {
		this.server = createServer((request, response) => {
			void this.enqueue(request).then(
				({ status, headers, body }) => {
					response.writeHead(status, headers);
					response.end(body);
				},
				(error: Error) => {
					response.writeHead(500, { 'content-type': 'text/plain' });
					response.end(error.message);
				},
			);
		});
		await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => this.server?.close(() => resolve()));
	}

	private async enqueue(request: IncomingMessage): Promise<BridgedResponse> {
		const chunks: Buffer[] = [];
		for await (const chunk of request) chunks.push(chunk as Buffer);
		const bridged: BridgedRequest = {
			method: request.method,
			url: request.url ?? '/',
			headers: Object.fromEntries(
				Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]),
			),
			body: Buffer.concat(chunks),
		};
		const run = async () => await this.handle(bridged);
		const next = this.queue.then(run, run);
		this.queue = next.catch(() => undefined);
		return await next;
	}
}
