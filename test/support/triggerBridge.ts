import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { Simulator } from '../../simulator';
import { runWebhookMethod, runWebhookTrigger, type RunResult, type WebhookTriggerResult } from '../harness';
import { AI_STATS_TRIGGER, aiStatsCredential, credentialTypes, nodeTypes } from './fixtures';
import { SerialBridge, type BridgedRequest, type BridgedResponse } from './serialBridge';

export const TRIGGER_NAME = 'AI Stats Trigger';
const WEBHOOK_ID = 'ai-stats-trigger-hook';

/**
 * Stands in for n8n's production webhook endpoint of an active workflow with an AI Stats
 * Trigger: real HTTP requests (from the simulator's delivery code) go through the harness's
 * runWebhookTrigger, one at a time, with the workflow's static data kept between calls.
 */
export class TriggerBridge extends SerialBridge {
	staticData: IDataObject = {};
	readonly calls: WebhookTriggerResult[] = [];

	constructor(
		private readonly sim: Simulator,
		readonly parameters: IDataObject,
		private readonly credentialData: IDataObject = {},
		/** The editor's "Listen for test event" URL instead of the production one. */
		private readonly testMode = false,
	) {
		super();
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
						parameters: this.parameters as INodeParameters,
						credentials: { aiStatsApi: { id: 'cred-ai-stats', name: 'AI Stats account' } },
					},
				],
				connections: {},
			},
			triggerNode: TRIGGER_NAME,
		};
	}

	/** Workflow activation / deactivation: the trigger's webhookMethods. */
	async lifecycle(method: 'checkExists' | 'create' | 'delete'): Promise<boolean> {
		const { returned, staticData } = await runWebhookMethod({ ...this.options(), method, staticData: this.staticData });
		this.staticData = staticData;
		return returned;
	}

	protected async handle(request: BridgedRequest): Promise<BridgedResponse> {
		if (!request.url.startsWith(`/${this.testMode ? 'webhook-test' : 'webhook'}/${WEBHOOK_ID}/`)) {
			return { status: 404, headers: {}, body: Buffer.from('not registered') };
		}
		const call = await runWebhookTrigger({
			...this.options(),
			staticData: this.staticData,
			test: this.testMode,
			request: { method: request.method, headers: request.headers, body: request.body },
		});
		this.staticData = call.staticData;
		this.calls.push(call);
		return { status: call.response.status, headers: call.response.headers, body: call.response.rawBody };
	}
}
