'use strict';
/**
 * Batch wait in real n8n: 1, 10 and 50 items in Poll mode, our Generate node (Poll, download on)
 * against the hand-built loop users build today (bench/workflows/hand-built-poll-loop.json:
 * HTTP Request create → Wait → HTTP Request status → IF completed → download, else back to
 * Wait). Wall time from n8n's execution record (stoppedAt − startedAt) relative to one job, and
 * status requests the simulator received relative to the minimum (one per poll_after_seconds
 * per job).
 *
 *   npm run bench:loop            (BENCH_RUNS=3, BENCH_ITEMS=1,10,50)
 */
const fs = require('node:fs');
const path = require('node:path');

const { createSimulator } = require('../simulator');
const real = require('./real-n8n');
const { machine, median, spread, table, writeSection } = require('./report');

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIZES = (process.env.BENCH_ITEMS ?? '1,10,50').split(',').map(Number);
const QUEUED_MS = 200;
// 3.5 s: half-way between two 1 s polls, so that neither loop's count of rounds hinges on a few
// milliseconds of drift (at 3.2 s the hand-built loop's rounds, ~1.07 s apart, sometimes catch
// the completion one round earlier than exact 1 s polls do, and sometimes not).
const JOB_MS = 3300;
const POLL_AFTER_SECONDS = 1;
const HAND_BUILT_FILE = path.join(__dirname, 'workflows', 'hand-built-poll-loop.json');
const PRODUCTION_BASE_URL = 'https://api.phaseo.app/v1';

const METHODS = [
	{ key: 'ours', label: 'AI Stats Generate (Poll)', workflow: 'benchLoopOurs', path: 'bench-loop-ours', downloadNode: 'Generate video' },
	{ key: 'hand', label: 'hand-built HTTP Request + Wait + IF loop', workflow: 'benchLoopHandBuilt', path: 'bench-loop-hand-built', downloadNode: 'Download video' },
];

const splitPrompts = () => real.node('Prompts', 'n8n-nodes-base.splitOut', 1, [220, 0], { fieldToSplitOut: 'body.prompts', options: {} });

/** The shipped reference workflow, started by a webhook with the prompts in its body, pointed at the simulator. */
function handBuilt(sim) {
	const shipped = JSON.parse(fs.readFileSync(HAND_BUILT_FILE, 'utf8'));
	const workflow = JSON.parse(JSON.stringify(shipped).split(PRODUCTION_BASE_URL).join(sim.baseUrl));
	const trigger = workflow.nodes.find((entry) => entry.type === 'n8n-nodes-base.manualTrigger');
	workflow.nodes = workflow.nodes
		.filter((entry) => entry !== trigger && entry.name !== 'Prompts' && entry.type !== 'n8n-nodes-base.stickyNote')
		.map((entry) => (entry.credentials?.httpHeaderAuth ? { ...entry, credentials: { httpHeaderAuth: { ...real.HEADER_CREDENTIAL } } } : entry));
	workflow.nodes.unshift(real.webhookTrigger('bench-loop-hand-built', 'c41d2e7a-5b2f-4f0e-8f7e-1d2a3b4c5d01'), splitPrompts());
	delete workflow.connections[trigger.name];
	workflow.connections.Start = { main: [[{ node: 'Prompts', type: 'main', index: 0 }]] };
	return { ...workflow, id: 'benchLoopHandBuilt', name: 'bench: hand-built poll loop' };
}

function ours() {
	return {
		id: 'benchLoopOurs',
		name: 'bench: AI Stats Generate, Poll',
		nodes: [
			real.webhookTrigger('bench-loop-ours', 'c41d2e7a-5b2f-4f0e-8f7e-1d2a3b4c5d02'),
			splitPrompts(),
			real.node('Generate video', 'n8n-nodes-ai-stats.aiStats', 1, [440, 0], {
				resource: 'video',
				operation: 'generate',
				model: { __rl: true, mode: 'id', value: 'google/veo-3.1-lite' },
				prompt: '={{ $json.prompt }}',
				waitForCompletion: 'poll',
				waitOptions: { concurrency: 50 },
			}, { credentials: real.aiStatsCredentials() }),
		],
		connections: real.chain('Start', 'Prompts', 'Generate video'),
		settings: { executionOrder: 'v1' },
	};
}

/** Items with a video that a node produced over all its runs. */
function videosOut(execution, nodeName) {
	const runs = execution.data?.resultData?.runData?.[nodeName] ?? [];
	return runs.flatMap((task) => task.data?.main?.[0] ?? []).filter((item) => item.binary?.data);
}

async function runOnce(sim, instance, method, items) {
	sim.reset();
	const before = await real.lastExecutionId(instance);
	const answer = await real.trigger(instance, method.path, { prompts: Array.from({ length: items }, (_, index) => ({ prompt: `scene ${index}` })) });
	const execution = await real.nextExecution(instance, method.workflow, before);
	const problem = real.n8n.failure(execution) ?? (answer.status !== 200 ? `webhook answered ${answer.status}` : undefined);
	if (execution.status !== 'success' || problem) throw new Error(`${method.label}, ${items} items: ${problem ?? execution.status}`);
	const videos = videosOut(execution, method.downloadNode).length;
	if (videos !== items) throw new Error(`${method.label}: ${videos} videos for ${items} items`);
	const requests = sim.requests();
	const statusRequests = requests.filter((request) => request.method === 'GET' && /^\/v1\/videos\/[^/]+$/.test(request.path) && request.path !== '/v1/videos/models').length;
	const nodeExecutions = real.n8n.nodeRuns(execution).length;
	const dataKiB = Buffer.byteLength(JSON.stringify(execution.data ?? {})) / 1024;
	await real.deleteExecution(instance, execution.id);
	return { seconds: real.n8n.executionMs(execution) / 1000, statusRequests, requests: requests.length, nodeExecutions, dataKiB };
}

async function main() {
	const sim = await createSimulator({ queuedMs: QUEUED_MS, jobMs: JOB_MS, pollAfterSeconds: POLL_AFTER_SECONDS });
	const minimumPerJob = Math.ceil((QUEUED_MS + JOB_MS) / 1000 / POLL_AFTER_SECONDS);
	const results = new Map();
	let bench;
	try {
		bench = await real.startBenchN8n({ sim, workflows: [ours(), handBuilt(sim)], label: 'loop' });
		for (const method of METHODS) await runOnce(sim, bench.instance, method, 1); // warm-up
		for (const items of SIZES) {
			for (let run = 0; run < RUNS; run++) {
				for (const method of run % 2 ? [...METHODS].reverse() : METHODS) {
					const figures = await runOnce(sim, bench.instance, method, items);
					const key = `${items}:${method.key}`;
					if (!results.has(key)) results.set(key, []);
					results.get(key).push(figures);
					console.log(`${items} items, ${method.label}: ${figures.seconds.toFixed(2)} s, ${figures.statusRequests} status requests, ${figures.nodeExecutions} node runs`);
				}
			}
		}
	} finally {
		await bench?.close();
		await sim.close();
	}

	const pick = (key, field) => results.get(key).map((figures) => figures[field]);
	const rows = [];
	for (const items of SIZES) {
		for (const method of METHODS) {
			const key = `${items}:${method.key}`;
			const seconds = pick(key, 'seconds');
			const single = median(pick(`${SIZES[0]}:${method.key}`, 'seconds'));
			const status = pick(key, 'statusRequests');
			const minimum = items * minimumPerJob;
			const ourSeconds = median(pick(`${items}:ours`, 'seconds'));
			rows.push([
				items,
				method.label,
				spread(seconds),
				(median(seconds) / single).toFixed(2),
				method.key === 'ours' ? '1.00' : (median(seconds) / ourSeconds).toFixed(2),
				`${median(status)} (${Math.min(...status)}–${Math.max(...status)})`,
				minimum,
				(median(status) / minimum).toFixed(2),
				median(pick(key, 'nodeExecutions')),
				median(pick(key, 'dataKiB')).toFixed(0),
			]);
		}
	}
	const output = table(
		['items', 'workflow', 'wall time, s', `× its ${SIZES[0]}-item run`, '× AI Stats', 'status requests', 'minimum', '× minimum', 'node runs', 'execution data, KiB'],
		rows,
	);
	console.log(`\n${output}`);
	writeSection(
		'Batch wait in real n8n: Poll mode vs the hand-built loop',
		[
			`One \`n8n start\` process (n8n 2.41.1, filesystem binary mode). A Webhook trigger receives N prompts, *Split Out* makes N items, then either **AI Stats Generate** (Poll, *Download Video* on, concurrency 50) or the hand-built loop users build today, shipped as [\`bench/workflows/hand-built-poll-loop.json\`](../bench/workflows/hand-built-poll-loop.json) (HTTP Request create → Wait \`poll_after_seconds\` → HTTP Request status → IF completed → HTTP Request download (File), else IF failed → Stop and Error, else back to Wait; the key comes from an HTTP Header Auth credential). Simulator jobs take ${(QUEUED_MS + JOB_MS) / 1000} s — half-way between two polls, so that neither loop's number of rounds hinges on milliseconds of drift — with \`poll_after_seconds\` = ${POLL_AFTER_SECONDS} (production: 20 s and jobs of minutes, so both loops make proportionally fewer requests per minute there, and the hand-built loop goes round many more times). ${RUNS} runs per size and workflow, alternating order, after a 1-item warm-up of each. Machine: ${machine({ n8n: true })}.`,
			'',
			'- **Wall time**: the execution\'s `stoppedAt − startedAt` from n8n\'s public API (the whole workflow). Both hold the execution, and its worker, for all of it: waits under 65 s are slept in process.',
			`- **Status requests**: \`GET /v1/videos/{id}\` calls the simulator received; the minimum is one per \`poll_after_seconds\` per job for the job's ${(QUEUED_MS + JOB_MS) / 1000} s (${minimumPerJob} per job); large batches can come in under it because creating them already takes part of each job's run time. **Node runs**: node executions in the run data (each loop round of the hand-built workflow runs Wait, Get status and the IFs again). **Execution data**: size of the execution's run data as the public API returns it (JSON; binaries are references to files), i.e. what n8n stores in its database for the execution.`,
			'',
			output,
			'',
			'How to read it: with uniform jobs both loops wait about as long — each detects the completion at its next poll, so a few tenths of a second either way come from where the polls fall relative to the completion. Poll mode polls every job exactly every `poll_after_seconds` from the moment all jobs were created (plus one catalogue read, not counted above). The hand-built loop sleeps `poll_after_seconds` *between* rounds, and each round (Get status + two IFs for all items still running) takes longer as the batch grows, so its polls drift further apart: fewer status requests and, depending on where the completion falls, one round earlier or later. What does not depend on timing: the hand-built loop runs four nodes per round and stores every round\'s items in the execution (the node-runs and execution-data columns), which grows with the number of rounds — with production\'s 20 s interval and jobs of several minutes, that is 10–30 rounds.',
			'',
			'Reproduce: `npm run bench:loop` (`BENCH_RUNS`, `BENCH_ITEMS=1,10,50`). The in-process variant of the Poll-mode figures is the section "Batch wait (Poll mode)" (`npm run bench:batch`).',
		].join('\n'),
	);
}

module.exports = { handBuilt, ours };

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exitCode = 1;
	});
}
