import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { resumeWaiting, type RunResult } from '../harness';

/**
 * Stands in for n8n's `/webhook-waiting/<executionId>/<path>` endpoint: real HTTP requests from
 * the simulator's webhook deliveries are handed to the harness's resumeWaiting, one at a time
 * (as n8n handles them), and the node's answer goes back to the simulator.
 */
export class ResumeBridge {
	private server?: Server;
	private queue: Promise<unknown> = Promise.resolve();
	current?: RunResult;
	readonly calls: Array<{ status: number; body: unknown }> = [];
	private settled?: (result: RunResult) => void;

	get baseUrl(): string {
		const { port } = this.server?.address() as AddressInfo;
		return `http://127.0.0.1:${port}/`;
	}

	async start(): Promise<void> {
		this.server = createServer((request, response) => {
			void this.handle(request).then(
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

	/** Resolves when the execution leaves the waiting state. */
	async finished(timeoutMs = 20_000): Promise<RunResult> {
		if (this.current && this.current.status !== 'waiting') return this.current;
		return await new Promise<RunResult>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('the execution was not resumed in time')), timeoutMs);
			this.settled = (result) => {
				clearTimeout(timer);
				resolve(result);
			};
		});
	}

	private async handle(request: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
		const chunks: Buffer[] = [];
		for await (const chunk of request) chunks.push(chunk as Buffer);
		const url = new URL(request.url ?? '/', 'http://bridge');
		const match = /^\/webhook-waiting\/([^/]+)\/?(.*)$/.exec(url.pathname);
		if (!match || !this.current || match[1] !== this.current.executionId) {
			return { status: 404, headers: {}, body: Buffer.from('no such waiting execution') };
		}
		const run = async () => {
			if (!this.current || this.current.status !== 'waiting') {
				return { status: 409, headers: {}, body: Buffer.from('execution is not waiting') };
			}
			const headers = Object.fromEntries(
				Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]),
			);
			const { response, result } = await resumeWaiting(this.current, {
				method: request.method,
				pathSuffix: match[2],
				headers,
				body: Buffer.concat(chunks),
				query: Object.fromEntries(url.searchParams),
			});
			this.current = result;
			this.calls.push({ status: response.status, body: response.body });
			if (result.status !== 'waiting') this.settled?.(result);
			return { status: response.status, headers: response.headers, body: response.rawBody };
		};
		const next = this.queue.then(run, run);
		this.queue = next.catch(() => undefined);
		return await next;
	}
}
