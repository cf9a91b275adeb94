/**
 * Load: 200 jobs in one execution (Poll mode, downloads on) with 10% of status calls answered
 * 429 or 502. Checks that every job ends with exactly one output item (no duplicates, none
 * lost, each paired with its input) and reports wall time, requests and memory.
 *
 *   npm run bench:load
 */
import '../test/setup/env';

import { disposeHarness } from '../test/harness';
import { generateParameters, runAiStats, startSimulator } from '../test/support/fixtures';
import { machine, table, writeSection } from './lib';

const JOBS = Number(process.env.LOAD_JOBS ?? 200);
const FAULT_RATE = 0.1;

function mib(bytes: number): string {
	return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

async function main(): Promise<void> {
	const sim = await startSimulator({ queuedMs: 300, jobMs: 4000, pollAfterSeconds: 1 });
	sim.injectFault({ route: 'GET /videos/:id', kind: 'status', status: 429, error: 'key_limit_exceeded', probability: FAULT_RATE / 2 });
	sim.injectFault({ route: 'GET /videos/:id', kind: 'status', status: 502, error: 'upstream_error', probability: FAULT_RATE / 2 });
	global.gc?.();
	const before = process.memoryUsage();
	let peakRss = before.rss;
	const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
	const started = process.hrtime.bigint();
	try {
		const run = await runAiStats(sim, {
			items: Array.from({ length: JOBS }, (_, index) => ({ json: { prompt: `scene ${index}` } })),
			parameters: generateParameters({ waitForCompletion: 'poll', prompt: '={{ $json.prompt }}', waitOptions: { concurrency: 50 } }),
		});
		const seconds = Number(process.hrtime.bigint() - started) / 1e9;
		clearInterval(sampler);
		const problems: string[] = [];
		if (run.status !== 'success') problems.push(`execution ended ${run.status}: ${run.error?.message}`);
		const paired = run.items.map((item) => (item.pairedItem as { item: number }).item);
		const ids = run.items.map((item) => item.json.id as string);
		if (run.items.length !== JOBS) problems.push(`${run.items.length} items for ${JOBS} jobs`);
		if (new Set(paired).size !== JOBS) problems.push('items not paired one-to-one with the inputs');
		if (new Set(ids).size !== JOBS) problems.push('duplicate job ids in the output');
		if (sim.jobs().length !== JOBS) problems.push(`${sim.jobs().length} jobs created at the gateway for ${JOBS} items`);
		if (run.items.some((item) => item.json.status !== 'completed' || !item.binary?.data)) problems.push('an item without a completed video');
		const statusCalls = sim.requests().filter((request) => request.method === 'GET' && /^\/v1\/videos\/[^/]+$/.test(request.path) && request.path !== '/v1/videos/models');
		const faulted = statusCalls.filter((request) => request.status === 429 || request.status === 502).length;
		const after = process.memoryUsage();
		const rows = [
			['jobs', JOBS],
			['output items', run.items.length],
			['wall time', `${seconds.toFixed(1)} s`],
			['creates (POST /videos)', sim.requests().filter((request) => request.method === 'POST' && request.path === '/v1/videos').length],
			['status calls', statusCalls.length],
			['answered 429/502', `${faulted} (${((100 * faulted) / statusCalls.length).toFixed(1)}%)`],
			['heap used before → after', `${mib(before.heapUsed)} → ${mib(after.heapUsed)}`],
			['peak RSS growth', mib(peakRss - before.rss)],
			['checks', problems.length === 0 ? 'every job: exactly one item, paired, no duplicates, none lost' : problems.join('; ')],
		];
		const output = table(['figure', 'value'], rows);
		console.log(output);
		writeSection(
			'Load: 200 jobs in one execution',
			`Generate in Poll mode with downloads on, concurrency 50, 10% of status calls answered 429 or 502 at random, in process through n8n-core (filesystem binary mode) against the simulator. Machine: ${machine()}.\n\n${output}\n\nReproduce: \`npm run bench:load\`.`,
		);
		if (problems.length > 0) process.exitCode = 1;
	} finally {
		clearInterval(sampler);
		await sim.close();
		await disposeHarness();
	}
}

main().catch((error: Error) => {
	console.error(error);
	process.exitCode = 1;
});
