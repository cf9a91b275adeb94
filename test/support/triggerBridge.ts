import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject } from 'n8n-workflow';

import type { Simulator } from '../../simulator';
import { runWebhookMethod, runWebhookTrigger, type RunResult, type WebhookTriggerResult } from '../harness';
import { AI_STATS_TRIGGER, aiStatsCredential, credentialTypes, nodeTypes } from './fixtures';

export const TRIGGER_NAME = 'AI Stats Trigger';
const WEBHOOK_ID = 'ai-stats-trigger-hook';

/**
 * Stands in for n8n's production webhook endpoint of an active workflow with an AI Stats
 * Trigger: real HTTP requests (from the simulator's delivery code) go through the harness's
 * runWebhookTrigger, one at a time, with the workflow's static data kept between calls.
 */
export class TriggerBridge {
	private server?: Server;
	private queue: Promise<unknown> = Promise.resolve();
	staticData: IDataObject = {};
	readonly calls: WebhookTriggerResult[] = [];

	constructor(
		private readonly sim: Simulator,
		readonly parameters: IDataObject,
		private readonly credentialData: IDataObject = {},
		/** The editor's "Listen for test event" URL instead of the production one. */
		private readonly testMode = false,
	) {}

	get baseUrl(): string {
		const { port } = this.server?.address() as AddressInfo;
		return `http://127.0.0.1:${port}/`;
	}

	get url(): string {
		return `${this.baseUrl}${this.testMode ? 'webhook-test' : 'webhook'}/${WEBHOOK_ID}/ai-stats`;
	}

	/** Executions the deliveries started. */
	get executions(): RunResult[] {
		return this.calls.flatMap((call) => (call.result ? [call.result] : []));
	}

	private options() {
		return {
			nodeTypes,
			credentialTypes,
			credentials: [aiStatsCredential(this.sim, this.credentialData)],
			binaryMode: 'filesystem' as const,
			webhookBaseUrl: this.baseUrl,
			workflow: {
				id: 'trigger-workflow',
				name: 'Video ready',
				nodes: [
					{
						id: 'trigger',
						name: TRIGGER_NAME,
						type: AI_STATS_TRIGGER,
						typeVersion: 1,
						position: [0, 0] as [number, number],
						webhookId: WEBHOOK_ID,
						parameters: this.parameters,
						credentials: { aiStatsApi: { id: 'cred-ai-stats', name: 'AI Stats account' } },
					},
				],
				connections: {},
			},
			triggerNode: TRIGGER_NAME,
		};
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

	/** Workflow activation / deactivation: the trigger's webhookMethods. */
	async lifecycle(method: 'checkExists' | 'create' | 'delete'): Promise<boolean> {
		const { returned, staticData } = await runWebhookMethod({ ...this.options(), method, staticData: this.staticData });
		this.staticData = staticData;
		return returned;
	}

	private async handle(request: IncomingMessage) {
		const chunks: Buffer[] = [];
		for await (const chunk of request) chunks.push(chunk as Buffer);
		if (!request.url?.startsWith(`/${this.testMode ? 'webhook-test' : 'webhook'}/${WEBHOOK_ID}/`)) {
			return { status: 404, headers: {}, body: Buffer.from('not registered') };
		}
		const run = async () => {
			const headers = Object.fromEntries(
				Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]),
			);
			const call = await runWebhookTrigger({
				...this.options(),
				staticData: this.staticData,
				test: this.testMode,
				request: { method: request.method, headers, body: Buffer.concat(chunks) },
			});
			this.staticData = call.staticData;
			this.calls.push(call);
			return { status: call.response.status, headers: call.response.headers, body: call.response.rawBody };
		};
		const next = this.queue.then(run, run);
		this.queue = next.catch(() => undefined);
		return await next;
	}
}
