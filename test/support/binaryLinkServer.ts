import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { BinaryDataService } from 'n8n-core';

import { Container } from '../harness/n8n-internals';

/**
 * Serves n8n's signed binary links (`<base>rest/binary-data/signed?token=…`) the way n8n's
 * binary-data controller does: verify the JWT, then stream the stored file. Use its base URL as
 * the harness's webhookBaseUrl so links made during a run can really be fetched.
 */
export class BinaryLinkServer {
	private server?: Server;
	readonly hits: Array<{ status: number; bytes: number }> = [];

	get baseUrl(): string {
		const { port } = this.server?.address() as AddressInfo;
		return `http://127.0.0.1:${port}/`;
	}

	async start(): Promise<void> {
		this.server = createServer((request, response) => {
			const url = new URL(request.url ?? '/', 'http://link-server');
			if (url.pathname !== '/rest/binary-data/signed') {
				response.writeHead(404).end();
				return;
			}
			void (async () => {
				try {
					const service = Container.get(BinaryDataService);
					const id = service.validateSignedToken(url.searchParams.get('token') ?? '');
					const metadata = await service.getMetadata(id);
					const stream = await service.getAsStream(id);
					response.writeHead(200, { 'content-type': metadata.mimeType ?? 'application/octet-stream' });
					let bytes = 0;
					stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
					stream.on('end', () => this.hits.push({ status: 200, bytes }));
					stream.pipe(response);
				} catch {
					this.hits.push({ status: 403, bytes: 0 });
					response.writeHead(403).end('invalid token');
				}
			})();
		});
		await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => this.server?.close(() => resolve()));
	}
}
