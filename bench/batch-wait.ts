/**
 * Batch wait (Poll mode): wall time of 1, 10 and 50 items relative to one job, and status
 * requests made relative to the minimum possible (one per poll_after_seconds per job).
 * In process, through n8n-core's engine, against the simulator.
 *
 *   npm run bench:batch
 */
import '../test/setup/env';

import { disposeHarness } from '../test/harness';
import { generateParameters, runAiStats, startSimulator } from '../test/support/fixtures';
import { machine, median, spread, table, writeSection } from './lib';

const QUEUED_MS = 200;
const JOB_MS = 3000;
const POLL_AFTER_SECONDS = 1;
const SIZES = [1, 10, 50];
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function main(): Promise<void> {
	const sim = await startSimulator({ queuedMs: QUEUED_MS, jobMs: JOB_MS, pollAfterSeconds: POLL_AFTER_SECONDS, logRequests: true });
	const minimumPerJob = Math.ceil((QUEUED_MS + JOB_MS) / 1000 / POLL_AFTER_SECONDS);
	const results: Array<{ items: number; seconds: number[]; requests: number[] }> = [];
	try {
		for (const items of SIZES) {
			const seconds: number[] = [];
			const requests: number[] = [];
			for (let run = 0; run < RUNS; run++) {
				sim.reset();
				const started = process.hrtime.bigint();
				const result = await runAiStats(sim, {
					items: Array.from({ length: items }, (_, index) => ({ json: { prompt: `scene ${index}` } })),
					parameters: generateParameters({
						waitForCompletion: 'poll',
						prompt: '={{ $json.prompt }}',
						waitOptions: { concurrency: 50 },
					}),
				});
				const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
				if (result.status !== 'success' || result.items.length !== items || result.items.some((item) => !item.binary?.data)) {
					throw new Error(`run with ${items} items did not return ${items} videos: ${result.error?.message ?? result.status}`);
				}
				seconds.push(elapsed);
				requests.push(sim.requests().filter((request) => request.method === 'GET' && /^\/v1\/videos\/[^/]+$/.test(request.path) && request.path !== '/v1/videos/models').length);
			}
			results.push({ items, seconds, requests });
			console.log(`${items} items: ${spread(seconds)} s, ${median(requests)} status requests`);
		}
	} finally {
		await sim.close();
		await disposeHarness();
	}
	const single = median(results[0].seconds);
	const rows = results.map(({ items, seconds, requests }) => [
		items,
		spread(seconds),
		(median(seconds) / single).toFixed(2),
		`${(items * single).toFixed(1)} s`,
		median(requests),
		items * minimumPerJob,
		(median(requests) / (items * minimumPerJob)).toFixed(2),
	]);
	const output = table(
		['items', 'wall time s (median, min–max)', '× one job', 'one after another would take', 'status requests', 'minimum possible', '× minimum'],
		rows,
	);
	console.log(`\n${output}`);
	writeSection(
		'Batch wait (Poll mode)',
		`Generate in Poll mode with *Download Video* on, ${RUNS} runs per size, jobs of ${(QUEUED_MS + JOB_MS) / 1000} s with \`poll_after_seconds\` = ${POLL_AFTER_SECONDS}, concurrency 50, in process through n8n-core against the simulator. Machine: ${machine()}.\n\n${output}\n\nThe minimum is one status request per \`poll_after_seconds\` per job for the job's ${(QUEUED_MS + JOB_MS) / 1000} s (${minimumPerJob} per job). Large batches can come in under it: the time their creates take already counts towards each job's run time. Reproduce: \`npm run bench:batch\`.`,
	);
}

main().catch((error: Error) => {
	console.error(error);
	process.exitCode = 1;
});
