'use strict';
/**
 * Resume vs poll in real n8n: how long an execution holds n8n (its worker) per job while the
 * video renders, in Generate's Webhook (Resume) mode vs Poll mode. Timings come from n8n's own
 * records (public API): the run data's per-node executionTime, and the execution's startedAt /
 * stoppedAt. In Webhook mode the execution is parked (status "waiting") between the create and
 * the gateway's signed callback.
 *
 *   npm run bench:resume            (BENCH_RUNS=1, BENCH_JOB_SECONDS=120, BENCH_CASES=1,10,50,10s, SIM_WEBHOOK_RETRY_DELAYS_MS)
 */
const { createSimulator } = require('../simulator');
const { optionsFromEnv } = require('../simulator/lib/options');
const real = require('./real-n8n');
const { machine, median, spread, table, writeSection } = require('./report');

// One run per case by default: a case takes about 2 × the job length (Poll holds it all).
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
/**
 * Batches: one job; ten and fifty jobs finishing together, their callbacks released at the same
 * instant (the worst case for callbacks); ten finishing 0.5 s apart.
 */
const CASES = [
	{ key: '1', items: 1, spreadMs: 0, label: '1' },
	{ key: '10', items: 10, spreadMs: 0, together: true, label: '10, finishing together' },
	{ key: '50', items: 50, spreadMs: 0, together: true, label: '50, finishing together' },
	{ key: '10s', items: 10, spreadMs: 500, label: '10, finishing 0.5 s apart' },
];
// A short production render (production: 1–5 minutes); Poll's held time is the job's length, Webhook's is not.
/** BENCH_CASES=50,10s runs only those cases (their section then shows only them). */
function chosenCases() {
	const only = process.env.BENCH_CASES?.split(',').map((key) => key.trim());
	return CASES.filter((entry) => !only || only.includes(entry.key));
}
const JOB_MS = Number(process.env.BENCH_JOB_SECONDS ?? 120) * 1000;
const QUEUED_MS = 200;
const POLL_AFTER_SECONDS = 1;
/**
 * The simulator's delivery schedule is the gateway's (immediately, +60 s, +5 min, +15 min): a
 * declined callback's repeat comes after the resume has deleted the endpoint, so it is not sent.
 * SIM_WEBHOOK_RETRY_DELAYS_MS=0,1000,2000,4000 compresses it (the repeats then land during the resume).
 */
const { webhookRetryDelaysMs } = optionsFromEnv(process.env);

const MODES = [
	{ key: 'webhook', label: 'Webhook (Resume)', workflow: 'benchResumeWebhook', path: 'bench-resume-webhook' },
	{ key: 'poll', label: 'Poll', workflow: 'benchResumePoll', path: 'bench-resume-poll' },
];

function workflow(mode) {
	return {
		id: mode.workflow,
		name: `bench: Generate, ${mode.label}`,
		nodes: [
			real.webhookTrigger(mode.path, mode.key === 'webhook' ? 'd5e6f7a8-1b2c-4d3e-9f40-5a6b7c8d9e01' : 'd5e6f7a8-1b2c-4d3e-9f40-5a6b7c8d9e02', 'onReceived'),
			real.node('Prompts', 'n8n-nodes-base.splitOut', 1, [220, 0], { fieldToSplitOut: 'body.prompts', options: {} }),
			real.node('Generate video', 'n8n-nodes-ai-stats.aiStats', 2, [440, 0], {
				resource: 'video',
				operation: 'generate',
				model: { __rl: true, mode: 'id', value: 'google/veo-3.1-lite' },
				prompt: '={{ $json.prompt }}',
				waitForCompletion: mode.key,
				waitOptions: { concurrency: 50, maxWaitMinutes: 10 },
			}, { credentials: real.aiStatsCredentials() }),
		],
		connections: real.chain('Start', 'Prompts', 'Generate video'),
		settings: { executionOrder: 'v1' },
	};
}

async function runOnce(sim, instance, mode, batch) {
	const { items } = batch;
	sim.reset();
	// Together: every callback of the batch is held until all jobs have ended, then sent at once.
	sim.setOptions({ holdWebhooks: Boolean(batch.together) && mode.key === 'webhook' });
	const before = await real.lastExecutionId(instance);
	const prompts = Array.from({ length: items }, (_, index) => ({ prompt: `scene ${index}${batch.spreadMs ? ` [sim:ms=${JOB_MS + index * batch.spreadMs}]` : ''}` }));
	const answer = await real.trigger(instance, mode.path, { prompts });
	if (answer.status !== 200) throw new Error(`${mode.label}: webhook answered ${answer.status}`);
	let parkedAt;
	let waitTill;
	if (mode.key === 'webhook') {
		const parked = await real.nextExecution(instance, mode.workflow, before, { statuses: ['waiting'], timeoutMs: 60000 });
		// n8n stores the parked execution with stoppedAt = the moment it was parked
		if (!parked.stoppedAt) throw new Error('the parked execution has no stoppedAt');
		parkedAt = new Date(parked.stoppedAt).getTime();
		waitTill = parked.waitTill;
		if (batch.together) {
			const deadline = Date.now() + JOB_MS + 120000;
			while (sim.heldWebhooks() < items) {
				if (Date.now() > deadline) throw new Error(`${mode.label}: only ${sim.heldWebhooks()} of ${items} callbacks were due within ${(JOB_MS + 120000) / 1000} s`);
				await real.n8n.sleep(100);
			}
			sim.releaseWebhooks();
		}
	}
	const execution = await real.nextExecution(instance, mode.workflow, before, { timeoutMs: 5 * 60 * 1000 });
	const problem = real.n8n.failure(execution);
	if (execution.status !== 'success' || problem) throw new Error(`${mode.label}, ${items} items: ${problem ?? execution.status}`);
	const outputs = real.n8n.nodeOutput(execution.data, 'Generate video', { runIndex: real.n8n.nodeRuns(execution).filter((run) => run.node === 'Generate video').length - 1 });
	if (outputs.length !== items || outputs.some((item) => item.json.status !== 'completed' || !item.binary?.data)) {
		throw new Error(`${mode.label}: expected ${items} completed videos, got ${JSON.stringify(outputs.map((item) => item.json.status))}`);
	}
	if (mode.key === 'webhook') {
		// Every job's terminal callback must have been answered before the next run (and before
		// counting requests): callbacks still running would do their work during the next run.
		// (A callback declined for a later job answers 409; its repeat is dropped once the endpoint is gone.)
		const deadline = Date.now() + 120000;
		const answered = () => new Set(sim.deliveries().filter((delivery) => /\/webhook-waiting\//.test(delivery.url) && delivery.status !== undefined).map((delivery) => delivery.jobId)).size;
		while (answered() < items) {
			if (Date.now() > deadline) throw new Error(`${mode.label}: not every job's callback was answered within 120 s`);
			await real.n8n.sleep(100);
		}
	}
	const startedAt = new Date(execution.startedAt).getTime();
	const stoppedAt = new Date(execution.stoppedAt).getTime();
	const contentDownloads = sim.requests().filter((request) => request.method === 'GET' && request.path.endsWith('/content')).length;
	const statusRequests = sim.requests().filter((request) => request.method === 'GET' && /^\/v1\/videos\/[^/]+$/.test(request.path) && request.path !== '/v1/videos/models').length;
	const callbacks = sim.deliveries().filter((delivery) => /\/webhook-waiting\//.test(delivery.url));
	let busyMs = stoppedAt - startedAt;
	let createMs = busyMs;
	let resumeMs = 0;
	if (mode.key === 'webhook') {
		// busy = create (start → parked) + resume (first callback arrives → the execution has
		// stopped and every callback has been answered)
		createMs = parkedAt - startedAt;
		const firstArrival = Math.min(...callbacks.map((delivery) => delivery.time));
		const lastAnswer = Math.max(...callbacks.map((delivery) => delivery.time + delivery.durationMs));
		resumeMs = Math.max(stoppedAt, lastAnswer) - firstArrival;
		busyMs = createMs + resumeMs;
	}
	if (process.env.BENCH_DEBUG) console.log(JSON.stringify({ startedAt: execution.startedAt, stoppedAt: execution.stoppedAt, parkedAt, waitTill, runs: real.n8n.nodeRuns(execution).map(({ error, ...run }) => run), callbacks: callbacks.map((d) => ({ type: d.type, status: d.status, time: d.time, ms: d.durationMs })) }));
	const result = { totalMs: stoppedAt - startedAt, busyMs, createMs, resumeMs, statusRequests, contentDownloads, callbacks: callbacks.length, callbackSeconds: callbacks.reduce((total, delivery) => total + delivery.durationMs, 0) / 1000 };
	await real.deleteExecution(instance, execution.id);
	return result;
}

/** The figures before issue 20 (inline callbacks on the docs profile, every callback re-reading the batch), kept for comparison. */
const BEFORE = [
	"### Before: every callback re-read and downloaded the whole batch (2026-11-21, docs profile, inline callbacks)",
	"",
	"| jobs | mode | execution wall time, s | worker held, s | held per job, s | × Poll | held / wall | create + resume, s | status requests | video downloads | callbacks (their total handling time) |",
	"| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
	"| 1 | Webhook (Resume) | 10.69 (10.59–10.84) | 0.49 (0.39–0.64) | 0.488 (0.392–0.637) | 0.044 | 4.6% | 0.07 + 0.43 | 1 | 1 | 1 (0.2 s) |",
	"| 1 | Poll | 11.21 (11.17–11.26) | 11.21 (11.17–11.26) | 11.210 (11.166–11.262) | 1.00 | 100.0% | – | 11 | 1 | – |",
	"| 10, finishing together | Webhook (Resume) | 22.42 (22.25–23.66) | 12.25 (12.08–13.49) | 1.225 (1.208–1.349) | 1.086 | 54.7% | 0.10 + 12.11 | 100 | 100 | 10 (51.9 s) |",
	"| 10, finishing together | Poll | 11.29 (11.28–11.32) | 11.29 (11.28–11.32) | 1.129 (1.128–1.132) | 1.00 | 100.0% | – | 101 | 10 | – |",
	"| 10, finishing 0.5 s apart | Webhook (Resume) | 19.02 (18.97–19.70) | 8.84 (8.79–9.54) | 0.884 (0.879–0.954) | 0.573 | 46.5% | 0.11 + 8.74 | 100 | 50 | 10 (21.9 s) |",
	"| 10, finishing 0.5 s apart | Poll | 15.43 (15.36–15.45) | 15.43 (15.36–15.45) | 1.543 (1.536–1.545) | 1.00 | 100.0% | – | 127 | 10 | – |",
	"",
	"For one job, Webhook mode holds n8n 4.4% of the time Poll mode does. When the 10 jobs of a batch finish together, their callbacks arrive together, every callback finds the whole batch terminal, and each one downloads all the videos: 100 downloads and 100 status reads for 10 jobs, and the resume phase then keeps n8n busy 1.09× as long as Poll mode's whole wait (`webhook()` in `nodes/AiStats/waiting/resume.ts`: only one callback's result resumes the execution, the other downloads are discarded). Finishing 0.5 s apart, the batch made 50 downloads for 10 jobs and held n8n 57.3% of Poll mode's time.",
].join('\n');

/** The figures before the shared credential read and typeVersion 2 (the same bench, 2-minute jobs), kept for comparison. */
const PREVIOUS = [
	"### Before: one credential read per callback, a typeVersion 1 node (2026-12-03, 2-minute jobs, 1 run)",
	"",
	"| jobs | mode | execution wall time, s | worker held, s | held per job, s | × Poll | held / wall | create + resume, s | status requests | video downloads | callbacks (their total handling time) |",
	"| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
	"| 1 | Webhook (Resume) | 120.74 (120.74–120.74) | 0.55 (0.55–0.55) | 0.545 (0.545–0.545) | 0.005 | 0.5% | 0.15 + 0.39 | 1 | 1 | 1 (0.2 s) |",
	"| 1 | Poll | 120.33 (120.33–120.33) | 120.33 (120.33–120.33) | 120.330 (120.330–120.330) | 1.00 | 100.0% | – | 119 | 1 | – |",
	"| 10, finishing together | Webhook (Resume) | 123.21 (123.21–123.21) | 2.99 (2.99–2.99) | 0.299 (0.299–0.299) | 0.025 | 2.4% | 0.14 + 2.85 | 19 | 10 | 10 (14.8 s) |",
	"| 10, finishing together | Poll | 121.28 (121.28–121.28) | 121.28 (121.28–121.28) | 12.128 (12.128–12.128) | 1.00 | 100.0% | – | 1200 | 10 | – |",
	"| 50, finishing together | Webhook (Resume) | 132.36 (132.36–132.36) | 12.16 (12.16–12.16) | 0.243 (0.243–0.243) | 0.100 | 9.2% | 0.20 + 11.96 | 99 | 50 | 50 (303.2 s) |",
	"| 50, finishing together | Poll | 121.36 (121.36–121.36) | 121.36 (121.36–121.36) | 2.427 (2.427–2.427) | 1.00 | 100.0% | – | 5963 | 50 | – |",
	"| 10, finishing 0.5 s apart | Webhook (Resume) | 126.62 (126.62–126.62) | 6.43 (6.43–6.43) | 0.643 (0.643–0.643) | 0.051 | 5.1% | 0.10 + 6.33 | 19 | 10 | 10 (2.4 s) |",
	"| 10, finishing 0.5 s apart | Poll | 125.37 (125.37–125.37) | 125.37 (125.37–125.37) | 12.537 (12.537–12.537) | 1.00 | 100.0% | – | 1217 | 10 | – |",
	"",
	"Profiling n8n 2.41.1 during the 50-callback burst (`node --cpu-prof`) showed its main thread only about a third busy; the time went to n8n's expression sandboxes (isolated-vm): n8n sets one up for every waiting-webhook request, every `getCredentials` of a node run set up and disposed of another (cold, since a burst empties n8n's small pool), and for a typeVersion 1 node n8n also evaluates `$parameter[\"options\"][\"binaryData\"]` on every waiting-webhook request (`parseRequestBody`, a v1-only path). The callbacks of one parked execution now share one credential read for 5 s (`nodes/shared/credentials.ts`), and the bench uses Generate's current typeVersion 2 (the version n8n adds today; v1 workflows still pay the extra expression). In a 10-s-job trial of the 50-callback case the resume phase went from 4.7 s (median of 4) to 3.1 s with the shared read, and to 2.6 s with typeVersion 2.",
].join('\n');

/** The same bench with short jobs and the repeats compressed (2026-12-03), kept to show what job length does to the ratio. */
const SHORT_JOBS = [
	'### Before, with jobs of 10.2 s and repeats after 1, 2, 4 s (2026-12-03, 2 runs, one credential read per callback, typeVersion 1)',
	'',
	'| jobs | Webhook (Resume): worker held, s | Poll: worker held, s | × Poll | status requests (Webhook) | video downloads (Webhook) | callbacks |',
	'| --- | --- | --- | --- | --- | --- | --- |',
	'| 1 | 0.47 (0.40–0.55) | 11.21 | 0.042 | 1 | 1 | 1 |',
	'| 10, finishing together | 3.11 (3.08–3.14) | 11.30 | 0.275 | 19 | 10 | 10 |',
	'| 50, finishing together | 21.82 (19.68–23.95) | 11.07 | 1.970 | 100 | 50 | 99 |',
	'| 10, finishing 0.5 s apart | 6.68 (6.60–6.75) | 15.47 | 0.432 | 19 | 10 | 10 |',
	'',
	"Webhook mode's held time does not depend on the job's length; Poll's is the job's length, so with 10-s jobs the ratio is far above the target for batches. With 50 callbacks at the same instant, each cost n8n about 0.1 s (see the profile above), so they queued for 5–7 s; with the repeats compressed to 1 s, the 49 declined callbacks came back while the resume was still running and doubled that load (each then answered at once, finding the endpoint gone: 99 callbacks, 100 status reads). With the gateway's real schedule (+60 s) the endpoint is deleted before any repeat is due and no repeat is sent (table above).",
].join('\n');

/** What the cases show against the targets (worker ≤ 10 % of Poll's, downloads = outputs, status reads ≤ 2 × jobs). */
function findings(results) {
	const med = (key, field) => median(results.get(key).map((figures) => figures[field]));
	return chosenCases().map((batch) => {
		const ratio = med(`${batch.key}:webhook`, 'busyMs') / med(`${batch.key}:poll`, 'busyMs');
		const reads = med(`${batch.key}:webhook`, 'statusRequests');
		const downloads = med(`${batch.key}:webhook`, 'contentDownloads');
		return `${batch.label} job${batch.items > 1 ? 's' : ''}: Webhook mode holds n8n ${(100 * ratio).toFixed(1)}% of Poll mode's time (target ≤ 10%: ${ratio <= 0.1 ? 'met' : 'NOT met'}), ${downloads} downloads for ${batch.items} videos (${downloads === batch.items ? 'one each' : 'NOT one each'}), ${reads} status reads (≤ 2 × jobs = ${2 * batch.items}: ${reads <= 2 * batch.items ? 'met' : 'NOT met'}).`;
	}).join(' ');
}

async function main() {
	// Production profile: Webhook (Resume) registers a temporary endpoint with the credential's management key.
	const sim = await createSimulator({ profile: 'production', queuedMs: QUEUED_MS, jobMs: JOB_MS, pollAfterSeconds: POLL_AFTER_SECONDS, ...(webhookRetryDelaysMs ? { webhookRetryDelaysMs } : {}) });
	const retrySchedule = sim.getOptions().webhookRetryDelaysMs.slice(1).map((ms) => (ms >= 60000 ? `${ms / 60000} min` : `${ms / 1000} s`)).join(', ');
	const results = new Map();
	let bench;
	try {
		bench = await real.startBenchN8n({ sim, workflows: MODES.map(workflow), label: 'resume' });
		for (const batch of chosenCases()) {
			for (let run = 0; run < RUNS; run++) {
				for (const mode of run % 2 ? [...MODES].reverse() : MODES) {
					const figures = await runOnce(sim, bench.instance, mode, batch);
					const key = `${batch.key}:${mode.key}`;
					if (!results.has(key)) results.set(key, []);
					results.get(key).push(figures);
					console.log(`${batch.label} jobs, ${mode.label}: held ${(figures.busyMs / 1000).toFixed(2)} s of ${(figures.totalMs / 1000).toFixed(2)} s, ${figures.statusRequests} status requests, ${figures.contentDownloads} downloads, ${figures.callbacks} callbacks`);
				}
			}
		}
	} finally {
		await bench?.close();
		await sim.close();
	}

	const pick = (key, field) => results.get(key).map((figures) => figures[field]);
	const rows = [];
	for (const batch of chosenCases()) {
		for (const mode of MODES) {
			const key = `${batch.key}:${mode.key}`;
			const busy = pick(key, 'busyMs').map((ms) => ms / 1000);
			const total = pick(key, 'totalMs').map((ms) => ms / 1000);
			const pollBusy = median(pick(`${batch.key}:poll`, 'busyMs'));
			rows.push([
				batch.label,
				mode.label,
				spread(total),
				spread(busy),
				spread(busy.map((seconds) => seconds / batch.items), 3),
				mode.key === 'poll' ? '1.00' : (median(pick(key, 'busyMs')) / pollBusy).toFixed(3),
				`${median(busy.map((seconds, index) => (100 * seconds) / total[index])).toFixed(1)}%`,
				mode.key === 'webhook' ? `${(median(pick(key, 'createMs')) / 1000).toFixed(2)} + ${(median(pick(key, 'resumeMs')) / 1000).toFixed(2)}` : '–',
				median(pick(key, 'statusRequests')),
				median(pick(key, 'contentDownloads')),
				mode.key === 'webhook' ? `${median(pick(key, 'callbacks'))} (${median(pick(key, 'callbackSeconds')).toFixed(1)} s)` : '–',
			]);
		}
	}
	const output = table(
		['jobs', 'mode', 'execution wall time, s', 'worker held, s', 'held per job, s', '× Poll', 'held / wall', 'create + resume, s', 'status requests', 'video downloads', 'callbacks (their total handling time)'],
		rows,
	);
	console.log(`\n${output}`);
	writeSection(
		'Resume vs poll: worker time held per job',
		[
			`One \`n8n start\` process (n8n 2.41.1, regular mode, filesystem binary mode). Webhook trigger (answers at once) → *Split Out* (N prompts) → **Generate** (typeVersion 2) with *Download Video* on, in *Webhook (Resume)* or *Poll* mode. Simulator jobs take ${(QUEUED_MS + JOB_MS) / 1000} s (in the last case ${(QUEUED_MS + JOB_MS) / 1000}–${(QUEUED_MS + JOB_MS + 9 * 500) / 1000} s; production jobs take minutes: Poll's held time grows with the job, Webhook's does not), \`poll_after_seconds\` = ${POLL_AFTER_SECONDS}, each video a real MP4 clip of the simulator; production profile: Generate registers a temporary endpoint with the credential's management key, and the simulator calls the execution's resume URL through it with signed terminal events (a callback not answered 2xx is repeated after ${retrySchedule}); in the *finishing together* cases every callback of the batch is held until all jobs have ended and then sent at the same instant. ${RUNS} runs per case and mode, alternating order. Machine: ${machine({ n8n: true })}.`,
			'',
			'- **Worker held**, from n8n\'s execution records (public API): in Poll mode the whole execution, `stoppedAt − startedAt` (the node sleeps between status calls inside the execution). In Webhook mode the create phase — `startedAt` to the moment the execution was stored as `waiting` (the parked record\'s `stoppedAt`; its `waitTill` is that moment + Max Wait) — plus the resume phase, from the arrival of the first callback until the execution has stopped and every callback has been answered (this includes the node\'s `webhook()` claiming the resume and streaming the videos). Nothing of this execution runs in between. n8n\'s per-node `executionTime` cannot be used here: on resume n8n replaces the waiting node\'s first run, and the downloads happen in the node\'s `webhook()`, outside any node run.',
			'- **Execution wall time**: `stoppedAt − startedAt` of the execution record, parked time included.',
			'- **Status requests / video downloads**: `GET /v1/videos/{id}` and `GET /v1/videos/{id}/content` calls the simulator received for the whole execution.',
			'- **Callbacks**: signed deliveries the simulator made to the resume URL (one terminal event per job) and the sum of their response times. n8n handles them in its webhook server: each one is verified and reads a few statuses (`waiting/claim.ts`); the one callback whose job ends last claims the resume by deleting the endpoint, reads its own job, answers, downloads the videos and resumes; the others answer at once.',
			'',
			output,
			'',
			findings(results),
			'',
			`Reproduce: \`BENCH_JOB_SECONDS=${JOB_MS / 1000} npm run bench:resume\` (\`BENCH_RUNS\`, \`SIM_WEBHOOK_RETRY_DELAYS_MS\`).`,
			'',
			PREVIOUS,
			'',
			SHORT_JOBS,
			'',
			BEFORE,
		].join('\n'),
	);
}

module.exports = { workflow, MODES, CASES };

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exitCode = 1;
	});
}
