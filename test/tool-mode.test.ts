import type { IDataObject, INode, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { AiStats } from '../nodes/AiStats/AiStats.node';
import type { Simulator } from '../simulator';
import { disposeHarness, HARNESS_START_NODE_TYPE, runWorkflow } from './harness';
import { aiStatsCredential, byId, credentialTypes, generateParameters, nodeTypes, startSimulator } from './support/fixtures';

/**
 * The node as n8n runs it for an AI Agent: under its tool type (`…aiStatsTool`, which n8n derives
 * from `usableAsTool`). Here the engine runs that type as a plain node after a start item holding
 * the tool call's arguments; the real agent round trip is e2e/agent-tool.e2e.js.
 */
const AI_STATS_TOOL = 'n8n-nodes-ai-stats.aiStatsTool';
const TOOL_NODE = 'AI Stats Tool';

let sim: Simulator;

beforeAll(async () => {
	// Jobs stay queued until a test moves them: "queued" is asserted, whatever the machine's load.
	sim = await startSimulator({ queuedMs: 60000, jobMs: 60000 });
});
afterAll(async () => {
	await sim.close();
	await disposeHarness();
});
beforeEach(() => {
	sim.reset();
});

async function runTool(parameters: IDataObject, node: IDataObject = {}): Promise<{ status: string; items: INodeExecutionData[]; error?: unknown }> {
	const result = await runWorkflow({
		nodeTypes: { ...nodeTypes, [AI_STATS_TOOL]: new AiStats() },
		credentialTypes,
		credentials: [aiStatsCredential(sim)],
		binaryMode: 'filesystem',
		webhookBaseUrl: 'https://n8n.example.test/',
		workflow: {
			nodes: [
				{ id: 'start', name: 'Start', type: HARNESS_START_NODE_TYPE, typeVersion: 1, position: [0, 0], parameters: { items: [{ json: { toolCallId: 'call_1' } }] } },
				{
					id: 'tool',
					name: TOOL_NODE,
					type: AI_STATS_TOOL,
					typeVersion: 1,
					position: [200, 0],
					parameters: parameters as INodeParameters,
					credentials: { aiStatsApi: { id: 'cred-ai-stats', name: 'AI Stats account' } },
					...node,
				},
			],
			connections: { Start: { main: [[{ node: TOOL_NODE, type: 'main', index: 0 }]] } },
		},
	});
	return { status: result.status, items: result.status === 'success' ? result.output(TOOL_NODE) : [], error: result.error };
}

const creates = () => sim.requests().filter((request) => request.method === 'POST' && request.path === '/v1/videos');

describe('AI Stats as an agent tool', () => {
	it('Generate creates the job once and answers at once with id, status, status link, cost and a summary (defaults: Poll + Download)', async () => {
		const run = await runTool(generateParameters({ options: { duration: 8 } }));
		expect(run.status).toBe('success');
		expect(creates()).toHaveLength(1);
		const [job] = sim.jobs();
		expect(run.items).toHaveLength(1);
		const [item] = run.items;
		expect(item.binary).toBeUndefined();
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({
			video_id: job.id,
			status: 'queued',
			model: 'google/veo-3.1-lite',
			cost_currency: 'USD',
			cost: null,
			status_url: `${sim.baseUrl}/videos/${job.id}`,
			download_url: null,
		});
		expect(item.json.cost_estimated).toEqual(expect.any(Number));
		expect(item.json.summary).toMatch(new RegExp(`^Started video ${job.id} \\(google/veo-3.1-lite\\): queued; estimated cost \\d+\\.\\d\\d USD`));
		// Nothing polled the job after the one read that brings the cost.
		expect(sim.requests().filter((request) => request.method === 'GET' && request.path === `/v1/videos/${job.id}`)).toHaveLength(1);
	});

	it('Generate never parks: Webhook (Resume) as a tool creates once, without a callback, and answers', async () => {
		const run = await runTool(generateParameters({ waitForCompletion: 'webhook' }));
		expect(run.status).toBe('success');
		expect(creates()).toHaveLength(1);
		expect(creates()[0].body).not.toHaveProperty('webhook');
		expect(run.items[0].json).toMatchObject({ video_id: sim.jobs()[0].id, status: 'queued' });
	});

	it('bad input reaches the agent as an error naming the field, before anything is created', async () => {
		const run = await runTool(generateParameters({ options: { duration: 121 } }));
		expect(run.status).toBe('error');
		expect(String((run.error as Error).message)).toMatch(/Duration/);
		expect(creates()).toHaveLength(0);
	});

	it('Get answers in the same shape; once completed with a signed download link and the settled cost', async () => {
		const created = await runTool(generateParameters({ waitForCompletion: 'none' }));
		const id = created.items[0].json.video_id as string;
		const running = await runTool({ resource: 'video', operation: 'get', videoId: byId(id) });
		expect(running.items[0].json).toMatchObject({ video_id: id, status: 'queued', download_url: null });
		expect(running.items[0].json.summary).toMatch(new RegExp(`^Video ${id} \\(google/veo-3.1-lite\\) is queued(, 0%)?; estimated cost .*check again in about 1 s with Get`));

		await sim.completeJob(id);
		const done = await runTool({ resource: 'video', operation: 'get', videoId: byId(id) });
		const answer = done.items[0].json;
		expect(answer).toMatchObject({ video_id: id, status: 'completed', cost_status: 'settled', error_detail: null });
		expect(answer.cost).toEqual(expect.any(Number));
		expect(answer.download_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+/);
		expect(Date.parse(answer.download_expires_at as string)).toBeGreaterThan(Date.now());
		expect(answer.summary).toMatch(new RegExp(`^Video ${id} \\(google/veo-3.1-lite\\) is ready; download_url works without a key until .+; cost \\d+\\.\\d\\d USD\\.$`));
		// The link works without the key.
		const response = await fetch(answer.download_url as string);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^video\//);
		await response.arrayBuffer();
	});

	it('Get of a failed job gives the failure in the summary', async () => {
		const created = await runTool(generateParameters({ waitForCompletion: 'none' }));
		const id = created.items[0].json.video_id as string;
		sim.failJob(id, 'The prompt was blocked by the provider');
		const run = await runTool({ resource: 'video', operation: 'get', videoId: byId(id) });
		expect(run.items[0].json).toMatchObject({ video_id: id, status: 'failed', download_url: null });
		expect(run.items[0].json.summary).toMatch(new RegExp(`^Video ${id} .*ended failed: .*blocked`));
	});

	it('Get Download Link adds a one-line summary for the agent', async () => {
		const created = await runTool(generateParameters({ waitForCompletion: 'none' }));
		const id = created.items[0].json.video_id as string;
		await sim.completeJob(id);
		const run = await runTool({ resource: 'video', operation: 'getDownloadLink', videoId: byId(id) });
		expect(run.items[0].json).toMatchObject({ video_id: id, download_url: expect.stringMatching(/^http/) });
		expect(run.items[0].json.summary).toMatch(new RegExp(`^download_url downloads video ${id} without a key until \\d{4}-`));
	});
});

describe('the tool descriptions n8n gives the agent', () => {
	const describeTool = (resource: string, operation: string) =>
		NodeHelpers.getToolDescriptionForNode({ parameters: { resource, operation } } as unknown as INode, new AiStats());

	it('Generate says it is billed per second of video and takes minutes', () => {
		expect(describeTool('video', 'generate')).toBe('Generate a video billed per second of video that takes minutes to make in AI Stats');
	});

	it.each([
		['video', 'get'],
		['video', 'getDownloadLink'],
		['video', 'delete'],
		['video', 'download'],
	])('%s %s says it costs nothing', (resource, operation) => {
		expect(describeTool(resource, operation)).toMatch(/ at no cost in AI Stats$/);
	});
});
