import type { IDataObject, INode } from 'n8n-workflow';

import type { Simulator } from '../simulator';
import { disposeHarness } from './harness';
import { generateParameters, runAiStats, startSimulator } from './support/fixtures';

/**
 * Money safety (issue 15), through n8n-core's engine against the simulator's production profile:
 * every test counts the POST /videos the simulator received.
 */

let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator();
});
afterAll(async () => {
	await sim.close();
	await disposeHarness();
});
beforeEach(() => {
	sim.reset();
	sim.setOptions({ jobMs: 400, queuedMs: 50, pollAfterSeconds: 1, profile: 'production' });
});

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
const creates = () => sim.requests().filter((request) => request.method === 'POST' && request.path === '/v1/videos');
const promptOf = (request: { body: unknown }) => String((request.body as IDataObject | undefined)?.prompt ?? '');
const createsFor = (prompt: string) => creates().filter((request) => promptOf(request) === prompt);
const prompts = (count: number, failing: Record<number, string> = {}) =>
	Array.from({ length: count }, (_, index) => (failing[index] ? `scene ${index} ${failing[index]}` : `scene ${index}`));
const itemsOf = (list: string[]) => list.map((prompt) => ({ json: { prompt } }));
const batch = (extra: IDataObject) => generateParameters({ prompt: '={{ $json.prompt }}', downloadVideo: false, ...extra });
const retryOnFail: Partial<INode> = { retryOnFail: true, maxTries: 3, waitBetweenTries: 100 };
const createdJobs = (error: unknown) => ((error as { context?: IDataObject }).context?.created_jobs ?? []) as IDataObject[];

/** Every job the simulator holds appears in `text` (the error's description or the output). */
function expectEveryJobIn(text: string) {
	expect(sim.jobs().length).toBeGreaterThan(0);
	for (const job of sim.jobs()) expect(text).toContain(job.id);
}

describe('a failed create stops what has not been sent', () => {
	it('Poll, concurrency 1, six items, the first refused: one create, no job, and none later', async () => {
		const list = prompts(6, { 0: '[sim:guardrail]' });
		const run = await runAiStats(sim, { items: itemsOf(list), parameters: batch({ waitForCompletion: 'poll', waitOptions: { concurrency: 1 } }) });
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(/403/);
		expect(run.error?.description).toContain('No video job was created.');
		expect(run.error?.description).toContain('Not sent after the failure: items 1, 2, 3, 4, 5.');
		await sleep(1500);
		expect(creates()).toHaveLength(1);
		expect(sim.jobs()).toHaveLength(0);
	});

	it('a create refused mid-batch (concurrency 3): the creates in flight finish, nothing after the failure is sent, every job is in the error', async () => {
		// Slow answers, so that several creates are in flight when the refusal comes back.
		sim.injectFault({ route: 'POST /videos', kind: 'delay', delayMs: 300, count: 100 });
		const list = prompts(12, { 3: '[sim:guardrail]' });
		const run = await runAiStats(sim, { items: itemsOf(list), parameters: batch({ waitForCompletion: 'poll', waitOptions: { concurrency: 3 } }) });
		expect(run.status).toBe('error');
		await sleep(1000);
		const notSent = (run.error?.context?.not_sent_items ?? []) as number[];
		expect(notSent.length).toBeGreaterThan(0);
		// Items 0-2 in flight, then one more per answer: the refusal of item 3 stops the batch once
		// at most the two creates beside it are in flight.
		expect(creates().length).toBeLessThanOrEqual(3 + 3);
		expect(creates().length + notSent.length).toBe(12);
		for (const index of notSent) expect(createsFor(list[index])).toHaveLength(0);
		expect(sim.jobs()).toHaveLength(creates().length - 1);
		expectEveryJobIn(run.error?.description ?? '');
		expect(createdJobs(run.error).map((job) => job.video_id).sort()).toEqual(sim.jobs().map((job) => job.id).sort());
	});
});

describe('Retry On Fail picks up the jobs it created', () => {
	it('Poll, four items, one always failing at the provider, 3 tries: every other item is created exactly once', async () => {
		const list = prompts(4, { 2: '[sim:fail=provider_error]' });
		const run = await runAiStats(sim, {
			items: itemsOf(list),
			parameters: batch({ waitForCompletion: 'poll', waitOptions: { pollIntervalSeconds: 1 } }),
			node: retryOnFail,
		});
		expect(run.status).toBe('error');
		for (const index of [0, 1, 3]) expect(createsFor(list[index])).toHaveLength(1);
		// The failed job's hold was released: each try creates that one again.
		expect(createsFor(list[2])).toHaveLength(3);
		expect(sim.jobs().filter((job) => job.status === 'completed')).toHaveLength(3);
		// The last error names the three completed jobs and the failed one.
		const jobs = createdJobs(run.error);
		expect(jobs.filter((job) => job.status === 'completed')).toHaveLength(3);
		expect(jobs.filter((job) => job.status === 'failed')).toHaveLength(1);
		for (const job of sim.jobs().filter((entry) => entry.status === 'completed')) expect(run.error?.description).toContain(job.id);
	});

	it('Don\'t Wait, three items, one refused (403), 3 tries: the others are created exactly once', async () => {
		const list = prompts(3, { 1: '[sim:guardrail]' });
		const run = await runAiStats(sim, { items: itemsOf(list), parameters: batch({ waitForCompletion: 'none' }), node: retryOnFail });
		expect(run.status).toBe('error');
		expect(createsFor(list[0])).toHaveLength(1);
		expect(createsFor(list[2])).toHaveLength(1);
		expect(createsFor(list[1])).toHaveLength(3);
		expect(sim.jobs()).toHaveLength(2);
		expectEveryJobIn(run.error?.description ?? '');
	});

	it('with Continue On Fail, n8n re-runs the node while the first item is an error: the other items are created once and output', async () => {
		const list = prompts(4, { 0: '[sim:guardrail]' });
		const run = await runAiStats(sim, {
			items: itemsOf(list),
			parameters: batch({ waitForCompletion: 'none' }),
			node: { ...retryOnFail, onError: 'continueRegularOutput' },
		});
		expect(run.status).toBe('success');
		expect(createsFor(list[0])).toHaveLength(3);
		for (const index of [1, 2, 3]) expect(createsFor(list[index])).toHaveLength(1);
		expect(run.items[0].json.error).toMatch(/403/);
		expectEveryJobIn(JSON.stringify(run.items));
		// The execution hint says what a retry does, and that this run picked up three jobs.
		const hints = run.run.data.resultData.runData['AI Stats'].flatMap((task) => task.hints ?? []);
		expect(hints.map((hint) => hint.message).join('\n')).toMatch(/Retry On Fail: a retry picks up .* picked up 3 jobs/);
	});

	it('a new execution (n8n\'s "Retry execution") is a new request: its jobs are created again, as the README warns', async () => {
		const list = prompts(2);
		for (let execution = 0; execution < 2; execution++) {
			const run = await runAiStats(sim, { items: itemsOf(list), parameters: batch({ waitForCompletion: 'none' }), node: retryOnFail });
			expect(run.status).toBe('success');
		}
		for (const prompt of list) expect(createsFor(prompt)).toHaveLength(2);
	});

	it('a create whose answer was lost is not sent again by a retry: the job may exist', async () => {
		sim.injectFault({ route: 'POST /videos', kind: 'reset', commit: true });
		const list = prompts(2);
		const run = await runAiStats(sim, { items: itemsOf(list), parameters: batch({ waitForCompletion: 'poll', waitOptions: { concurrency: 1 } }), node: retryOnFail });
		expect(run.status).toBe('error');
		expect(createsFor(list[0])).toHaveLength(1);
		expect(createsFor(list[1])).toHaveLength(0);
		expect(sim.jobs()).toHaveLength(1);
		expect(run.error?.message).toContain('an earlier try may have created its job');
	});
});

describe('partial success is kept', () => {
	const list = prompts(5, { 2: '[sim:fail=content_filter]' });

	it('typeVersion 2 (default On Failed Job = Output the Job): the four videos and the failed job as items', async () => {
		const run = await runAiStats(sim, {
			items: itemsOf(list),
			parameters: generateParameters({ prompt: '={{ $json.prompt }}', waitForCompletion: 'poll', waitOptions: { pollIntervalSeconds: 1 } }),
			node: { typeVersion: 2 },
		});
		expect(run.status).toBe('success');
		expect(creates()).toHaveLength(5);
		expect(run.items.map((item) => item.json.status)).toEqual(['completed', 'completed', 'failed', 'completed', 'completed']);
		expect(run.items.filter((item) => item.binary?.data)).toHaveLength(4);
		expect(run.items[2].json).toMatchObject({ error_detail: expect.any(String), request_id: expect.any(String) });
		expect(run.items.map((item) => item.pairedItem)).toEqual(list.map((_, item) => ({ item })));
		expectEveryJobIn(JSON.stringify(run.items.map((item) => item.json)));
	});

	it('typeVersion 1 (Stop With an Error): the error names every job with its status and cost', async () => {
		const run = await runAiStats(sim, { items: itemsOf(list), parameters: batch({ waitForCompletion: 'poll', waitOptions: { pollIntervalSeconds: 1 } }) });
		expect(run.status).toBe('error');
		expect(run.error?.message).toContain('failed');
		expect(creates()).toHaveLength(5);
		expectEveryJobIn(run.error?.description ?? '');
		const jobs = createdJobs(run.error);
		expect(jobs.map((job) => job.status)).toEqual(['completed', 'completed', 'failed', 'completed', 'completed']);
		expect(jobs.filter((job) => job.status === 'completed').every((job) => typeof job.cost === 'number' && job.cost > 0)).toBe(true);
	});

	it('with Continue On Fail, a job that cannot be downloaded is an error item that still names its video', async () => {
		const run = await runAiStats(sim, {
			items: itemsOf(prompts(2, { 1: '[sim:minimax-api-error]' })),
			parameters: generateParameters({ prompt: '={{ $json.prompt }}', waitForCompletion: 'poll', waitOptions: { pollIntervalSeconds: 1 } }),
			node: { onError: 'continueRegularOutput' },
		});
		expect(run.status).toBe('success');
		expect(run.items[1].json.error).toEqual(expect.any(String));
		expectEveryJobIn(JSON.stringify(run.items.map((item) => item.json)));
	});
});

describe('Webhook (Resume)', () => {
	it.each(['production', 'docs'] as const)('%s: item 3\'s create refused, the two jobs created are named in the error and nothing after it is sent', async (profile) => {
		sim.setOptions({ profile });
		const list = prompts(5, { 2: '[sim:guardrail]' });
		const run = await runAiStats(sim, {
			items: itemsOf(list),
			webhookBaseUrl: 'https://n8n.example.test/',
			parameters: batch({ waitForCompletion: 'webhook', waitOptions: { concurrency: 1 } }),
		});
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(/403/);
		expect(sim.jobs()).toHaveLength(2);
		expectEveryJobIn(run.error?.description ?? '');
		expect(createsFor(list[3])).toHaveLength(0);
		expect(createsFor(list[4])).toHaveLength(0);
		// Production refuses the inline callback once; the rest are sent without it.
		expect(creates()).toHaveLength(profile === 'production' ? 4 : 3);
	});
});
