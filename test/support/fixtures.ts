import type { IDataObject, INode, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { AiStatsApi } from '../../credentials/AiStatsApi.credentials';
import { AiStats } from '../../nodes/AiStats/AiStats.node';
import { AiStatsTrigger } from '../../nodes/AiStatsTrigger/AiStatsTrigger.node';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../simulator';
import { HARNESS_START_NODE_TYPE, runWorkflow, type HarnessCredential, type RunOptions, type RunResult } from '../harness';
import type { HarnessStartItem } from '../harness';
import { WEBHOOK_SECRET } from './secrets';

export { WEBHOOK_SECRET };

export const AI_STATS = 'n8n-nodes-ai-stats.aiStats';
export const AI_STATS_TRIGGER = 'n8n-nodes-ai-stats.aiStatsTrigger';
export const NODE_NAME = 'AI Stats';

export const nodeTypes = { [AI_STATS]: new AiStats(), [AI_STATS_TRIGGER]: new AiStatsTrigger() };
export const credentialTypes = { aiStatsApi: new AiStatsApi() };

/** A fast simulator: jobs finish in about half a second and ask to be polled every second. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
	return await createSimulator({
		queuedMs: 50,
		jobMs: 400,
		pollAfterSeconds: 1,
		webhookRetryDelaysMs: [0, 200, 400, 800],
		...options,
	});
}

export function aiStatsCredential(sim: Simulator, data: IDataObject = {}): HarnessCredential {
	return {
		id: 'cred-ai-stats',
		name: 'AI Stats account',
		type: 'aiStatsApi',
		data: { apiKey: sim.keys.inference, baseUrl: sim.baseUrl, webhookSecret: WEBHOOK_SECRET, ...data },
	};
}

export interface NodeRun {
	parameters: IDataObject;
	items?: HarnessStartItem[];
	credential?: IDataObject;
	node?: Partial<INode>;
	binaryMode?: RunOptions['binaryMode'];
	abortAfterMs?: number;
	webhookBaseUrl?: string;
}

/** Runs Start → AI Stats through n8n-core's engine. */
export async function runAiStats(sim: Simulator, run: NodeRun): Promise<RunResult & { items: INodeExecutionData[] }> {
	const result = await runWorkflow({
		nodeTypes,
		credentialTypes,
		credentials: [aiStatsCredential(sim, run.credential)],
		binaryMode: run.binaryMode ?? 'filesystem',
		abortAfterMs: run.abortAfterMs,
		webhookBaseUrl: run.webhookBaseUrl,
		workflow: {
			nodes: [
				{
					id: 'start',
					name: 'Start',
					type: HARNESS_START_NODE_TYPE,
					typeVersion: 1,
					position: [0, 0],
					parameters: { items: (run.items ?? [{ json: {} }]) as unknown as INodeParameters[] },
				},
				{
					id: 'ai-stats',
					name: NODE_NAME,
					type: AI_STATS,
					typeVersion: 1,
					position: [200, 0],
					parameters: run.parameters as INodeParameters,
					credentials: { aiStatsApi: { id: 'cred-ai-stats', name: 'AI Stats account' } },
					...run.node,
				},
			],
			connections: { Start: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] } },
		},
	});
	const items = result.status === 'success' ? result.output(NODE_NAME) : [];
	return Object.assign(result, { items });
}

export const byId = (value: string) => ({ __rl: true, mode: 'id', value });

export function generateParameters(extra: IDataObject = {}): IDataObject {
	return {
		resource: 'video',
		operation: 'generate',
		model: byId('google/veo-3.1-lite'),
		prompt: 'A cinematic sunrise over a mountain lake',
		...extra,
	};
}
