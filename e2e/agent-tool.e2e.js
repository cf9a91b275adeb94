'use strict';
/**
 * The package as an AI Agent tool in real n8n: Manual Trigger → AI Agent, with n8n's OpenAI Chat
 * Model pointed at a local OpenAI-compatible mock (e2e/openai-mock.js) and two AI Stats tool
 * nodes (`n8n-nodes-ai-stats.aiStatsTool`, the variant n8n generates for `usableAsTool` nodes):
 * Generate and Get. The mock plays the model: it asks for Generate, then for Get with the job id
 * Generate returned, then answers. Everything the agent handed back to the model is read from the
 * mock's record, what was sent to the gateway from the simulator's.
 *
 * The job takes JOB_MS on the simulator's clock, so a Generate that waits for the video cannot
 * answer the agent quickly.
 */
const n8n = require('../tooling/n8n');
const { createOpenAiMock, toolNames, toolResults, MODEL } = require('./openai-mock');
const { prepareUserFolder, startSimulator } = require('./support');

const VERSIONS = (process.env.AI_STATS_E2E_VERSIONS || 'v2,v1').split(',').map((version) => version.trim());
const ENV = { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' };
const JOB_MS = 20000;
const WORKFLOW_ID = 'e2eAgentTool1';
const FINAL_ANSWER = 'The fox video is on its way.';
const OPENAI_CREDENTIAL = { id: 'openai-e2e-mock', name: 'OpenAI (e2e mock)' };
const AI_STATS_CREDENTIAL = { id: 'ai-stats-credential', name: 'AI Stats account' };

const fromAi = (key, description) => `={{ $fromAI('${key}', '${description}', 'string') }}`;

/** n8n names a tool after its node: "Generate video" → Generate_video. */
const toolName = (nodeName) => nodeName.replace(/[^a-zA-Z0-9_-]+/g, '_');

function agentWorkflow() {
	const node = (name, type, typeVersion, position, parameters, extra = {}) => ({ id: `${WORKFLOW_ID}-${name.replace(/\W+/g, '-')}`, name, type, typeVersion, position, parameters, ...extra });
	const credentials = { aiStatsApi: AI_STATS_CREDENTIAL };
	return {
		id: WORKFLOW_ID,
		name: 'e2e: AI Agent with AI Stats tools',
		settings: { executionOrder: 'v1' },
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, [0, 0], {}),
			node('AI Agent', '@n8n/n8n-nodes-langchain.agent', 3, [240, 0], {
				promptType: 'define',
				text: 'Make a short video of a red fox in fresh snow, then tell me where the job stands.',
				options: { maxIterations: 6 },
			}),
			node('OpenAI Chat Model', '@n8n/n8n-nodes-langchain.lmChatOpenAi', 1.2, [120, 220], { model: { __rl: true, mode: 'list', value: MODEL }, options: {} }, { credentials: { openAiApi: OPENAI_CREDENTIAL } }),
			node(
				'Generate video',
				'n8n-nodes-ai-stats.aiStatsTool',
				1,
				[320, 220],
				{
					resource: 'video',
					operation: 'generate',
					model: { __rl: true, mode: 'id', value: 'google/veo-3.1-lite' },
					prompt: fromAi('prompt', 'What the video shows'),
					waitOptions: { pollIntervalSeconds: 1 },
				},
				{ credentials },
			),
			node('Get video', 'n8n-nodes-ai-stats.aiStatsTool', 1, [480, 220], { resource: 'video', operation: 'get', videoId: { __rl: true, mode: 'id', value: fromAi('video_id', 'The id of the video job') } }, { credentials }),
		],
		connections: {
			Start: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			'Generate video': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
			'Get video': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
	};
}

/** The job id in a tool result: the first "id"/"video_id" found in the JSON the tool returned. */
function jobIdIn(content) {
	const match = /"(?:video_id|id)"\s*:\s*"([^"]+)"/.exec(content);
	return match ? match[1] : undefined;
}

/** The model's side of the conversation: Generate, then Get with the id Generate returned, then an answer. */
function modelScript(body) {
	const generate = toolName('Generate video');
	const get = toolName('Get video');
	const offered = toolNames(body);
	if (!offered.includes(generate) || !offered.includes(get)) return { content: `e2e mock: expected tools ${generate} and ${get}, got ${offered.join(', ')}` };
	const results = toolResults(body);
	const last = results[results.length - 1];
	if (!last) return { toolCalls: [{ name: generate, arguments: { prompt: `A red fox in fresh snow [sim:ms=${JOB_MS}]` } }] };
	if (last.name === generate) return { toolCalls: [{ name: get, arguments: { video_id: jobIdIn(last.content) ?? 'missing-id' } }] };
	return { content: FINAL_ANSWER };
}

describe.each(VERSIONS)('n8n %s: AI Stats as an AI Agent tool', (version) => {
	let sim;
	let mock;
	let run;

	/** The tool results the agent handed to the model for one tool, with how long the tool took. */
	const resultsFor = (nodeName) =>
		mock.requests.flatMap((request, index) => {
			const previous = mock.requests[index - 1];
			return toolResults(request.body)
				.filter((result) => result.name === toolName(nodeName) && !(previous && toolResults(previous.body).some((seen) => seen.id === result.id)))
				.map((result) => ({ ...result, tookMs: previous ? request.at - previous.repliedAt : undefined }));
		});

	beforeAll(async () => {
		sim = await startSimulator();
		mock = await createOpenAiMock({ script: modelScript });
		const { userFolder } = await prepareUserFolder(version, sim, { extraEnv: ENV });
		await n8n.importCredentials(version, userFolder, [{ ...OPENAI_CREDENTIAL, type: 'openAiApi', data: { apiKey: 'sk-e2e-mock-not-a-key', url: mock.baseUrl } }], { extraEnv: ENV });
		await n8n.importWorkflow(version, userFolder, [agentWorkflow()], { extraEnv: ENV });
		run = await n8n.executeWorkflow(version, userFolder, WORKFLOW_ID, { extraEnv: ENV, timeoutMs: 5 * 60 * 1000 });
		const generated = resultsFor('Generate video')[0];
		console.log(
			`AI Agent on n8n ${version}: execution ${run.ok ? 'succeeded' : 'failed'}, ${mock.requests.length} model requests; Generate answered the agent after ${generated?.tookMs ?? '?'} ms with: ${generated?.content.slice(0, 600) ?? '(nothing)'}`,
		);
	});

	afterAll(async () => {
		await mock?.close();
		await sim?.close();
	});

	it('the agent calls Generate through the model, the job is created once, and its result reaches the model', () => {
		expect(mock.requests.length).toBeGreaterThanOrEqual(2);
		expect(toolNames(mock.requests[0].body)).toEqual(expect.arrayContaining([toolName('Generate video'), toolName('Get video')]));
		const creates = sim.requests().filter((request) => request.method === 'POST' && request.path.endsWith('/videos'));
		expect(creates).toHaveLength(1);
		const [job] = sim.jobs();
		const [generated] = resultsFor('Generate video');
		expect(generated).toBeDefined();
		expect(jobIdIn(generated.content)).toBe(job.id);
	});

	it('a follow-up Get with the job id Generate returned works, and the agent finishes', () => {
		const [job] = sim.jobs();
		const [got] = resultsFor('Get video');
		expect(got).toBeDefined();
		expect(JSON.parse(got.arguments)).toMatchObject({ video_id: job.id });
		expect(jobIdIn(got.content)).toBe(job.id);
		expect(got.content).toMatch(/"status"\s*:/);
		expect(run.ok).toBe(true);
		expect(n8n.nodeOutput(run.run, 'AI Agent')[0].json.output).toBe(FINAL_ANSWER);
	});

	// Issue 18, tool mode: Generate run by an agent returns at once (no waiting for the video, no
	// parking) with what an agent can use, and no binary. Until tool mode lands, Generate polls until
	// the video is done and downloads it, so this fails: `it.failing` keeps the suite honest about
	// that and turns red as soon as it passes — then make it a plain `it`. (Should the run itself
	// break, this one passes for the wrong reason, but the two tests above go red.)
	it.failing('Generate as a tool answers within a few seconds with the job id, status, a link, cost and a summary, and no binary', () => {
		const [job] = sim.jobs();
		const [generated] = resultsFor('Generate video');
		expect(generated.tookMs).toBeLessThan(8000);
		const answer = JSON.parse(generated.content);
		const flat = JSON.stringify(answer);
		expect(flat).toContain(job.id);
		expect(flat).toMatch(/"status"\s*:\s*"(queued|in_progress|processing)"/);
		expect(flat).toMatch(/https?:\/\/[^"]+/);
		expect(flat).toMatch(/"cost[^"]*"\s*:/);
		expect(flat).toMatch(/"summary"\s*:\s*"[^"]+"/);
		expect(flat).not.toMatch(/"(binary|mimeType)"|video\/mp4/);
		expect(run.stdout).not.toMatch(/included binary data, which is not supported in Agents/);
	});
});
