import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Two real HTTP servers for redirect tests: a front that stands in for the gateway at the Base
 * URL (answering chosen requests with a redirect and passing the rest to the simulator), and a
 * recorder on another port — another origin — that records every request with its headers.
 */

export interface SeenRequest {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
}

async function listen(server: Server): Promise<string> {
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Another origin that records what reaches it and answers 200 with a small JSON body. */
export class Recorder {
	readonly seen: SeenRequest[] = [];
	origin = '';
	private readonly server = createServer((req, res) => {
		this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
		req.resume();
		res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"vid_elsewhere","status":"completed"}');
	});

	async start(): Promise<this> {
		this.origin = await listen(this.server);
		return this;
	}

	async stop(): Promise<void> {
		await close(this.server);
	}
}

/** A redirect to answer with: status and Location (absolute, or a path on the front). */
export type RedirectRule = (request: { method: string; url: string }) => { status: number; location: string } | undefined;

/** The Base URL's server: redirects what `rule` says, forwards everything else to `target`. */
export class RedirectingFront {
	readonly seen: SeenRequest[] = [];
	origin = '';
	rule: RedirectRule = () => undefined;
	private readonly server = createServer((req, res) => this.handle(req, res));

	constructor(private readonly target: string) {}

	get baseUrl(): string {
		return `${this.origin}/v1`;
	}

	private handle(req: IncomingMessage, res: import('node:http').ServerResponse): void {
		const method = req.method ?? '';
		const url = req.url ?? '';
		this.seen.push({ method, url, headers: req.headers });
		const redirect = this.rule({ method, url });
		if (redirect) {
			req.resume();
			res.writeHead(redirect.status, { location: redirect.location, 'content-type': 'text/plain' }).end('moved');
			return;
		}
		const upstream = httpRequest(new URL(url, this.target), { method, headers: { ...req.headers, host: new URL(this.target).host } }, (answer) => {
			res.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(res);
		});
		upstream.on('error', () => res.destroy());
		req.pipe(upstream);
	}

	async start(): Promise<this> {
		this.origin = await listen(this.server);
		return this;
	}

	async stop(): Promise<void> {
		await close(this.server);
	}
}
