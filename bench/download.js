'use strict';
/**
 * Large download in real n8n: the simulator serves a 64 MiB and a 1 GiB video; inside one
 * `n8n start` process (filesystem binary mode) our Download operation and n8n's HTTP Request
 * node (response format File, `Authorization: Bearer …` from an HTTP Header Auth credential)
 * fetch the same content route. Measures the peak RSS of the n8n main process above its idle
 * level, and throughput (bytes / the node's own execution time from n8n's run data).
 *
 *   npm run bench:download            (BENCH_RUNS_DOWNLOAD=5, BENCH_SIZES=64MiB,1GiB)
 *   BENCH_REQUEST_HELPER=request …    the experiment of request-helper-experiment.js, in a section of its own
 */
const { createSimulator } = require('../simulator');
const real = require('./real-n8n');
const { machine, median, spread, table, writeSection } = require('./report');
const experiment = require('./request-helper-experiment');

// 5 runs: a 1 GiB transfer on a 2-core machine varies by ±30% from run to run.
const RUNS = Number(process.env.BENCH_RUNS_DOWNLOAD ?? process.env.BENCH_RUNS ?? 5);
const SIZES = (process.env.BENCH_SIZES ?? '64MiB,1GiB').split(',').map((size) => size.trim());

const VARIANTS = [
	{ key: 'http', label: "n8n's HTTP Request node (File)", workflow: 'benchDownloadHttp', path: 'bench-download-http', nodeName: 'HTTP Request' },
	{ key: 'ours', label: 'AI Stats Download', workflow: 'benchDownloadOurs', path: 'bench-download-ours', nodeName: 'Download' },
	{ key: 'oursNoVerify', label: 'AI Stats Download, Verify Checksum off', workflow: 'benchDownloadOursNoVerify', path: 'bench-download-ours-noverify', nodeName: 'Download' },
];

/**
 * Medians of the run of 2026-11-21 (n8n 2.41.1, filesystem mode), before issue 16: Download then
 * read the stored file back to hash it. [throughput × HTTP Request, peak RSS growth MiB]
 */
const BEFORE_ISSUE_16 = {
	'64MiB:ours': ['0.54', '3'],
	'64MiB:oursNoVerify': ['1.10', '3'],
	'1GiB:ours': ['0.62', '7'],
	'1GiB:oursNoVerify': ['0.96', '7'],
};
const IS_BASELINE_SETUP = real.VERSION === 'v2' && real.BINARY_MODE === 'filesystem';
const N8N_LABEL = real.VERSION === 'v2' ? 'n8n 2.41.1' : 'n8n 1.123.81';
/** `BENCH_BEFORE=<commit>`: the package under test is an older build (e.g. before issue 16), reported in a section of its own. */
const BEFORE = process.env.BENCH_BEFORE;
const SECTION = `${IS_BASELINE_SETUP ? 'Large download in real n8n' : `Large download in real n8n 1.123.81 (${real.BINARY_MODE} binary mode)`}${BEFORE ? `, before issue 16 (package at ${BEFORE})` : ''}${experiment.ENABLED ? ", content fetched through n8n's deprecated request helper (experiment)" : ''}`;
/** The "before issue 16" columns: only in the section of the package as it is, on the setup they were measured on. */
const BEFORE_COLUMNS = IS_BASELINE_SETUP && !BEFORE && !experiment.ENABLED;

function parseSize(text) {
	const match = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB)?$/i.exec(text);
	if (!match) throw new Error(`bad size ${text}`);
	const unit = { b: 1, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30 }[(match[2] ?? 'b').toLowerCase()];
	return Math.round(Number(match[1]) * unit);
}

function workflows() {
	const ours = (id, pathName, webhookId, options) => ({
		id,
		name: `bench: download with AI Stats${options.verifyChecksum === false ? ' (no checksum)' : ''}`,
		nodes: [
			real.webhookTrigger(pathName, webhookId),
			real.node('Download', 'n8n-nodes-ai-stats.aiStats', 2, [220, 0], {
				resource: 'video',
				operation: 'download',
				videoId: { __rl: true, mode: 'id', value: '={{ $json.body.id }}' },
				outputs: 'single',
				index: 0,
				binaryPropertyName: 'data',
				options,
			}, { credentials: real.aiStatsCredentials() }),
		],
		connections: real.chain('Start', 'Download'),
		settings: { executionOrder: 'v1' },
	});
	return [
		{
			id: 'benchDownloadHttp',
			name: "bench: download with n8n's HTTP Request node",
			nodes: [
				real.webhookTrigger('bench-download-http', 'b3f5a0c2-0d1e-4a51-9a44-6a0d8e1f0a01'),
				real.node('HTTP Request', 'n8n-nodes-base.httpRequest', 4.2, [220, 0], {
					method: 'GET',
					url: '={{ $json.body.url }}',
					authentication: 'genericCredentialType',
					genericAuthType: 'httpHeaderAuth',
					options: { response: { response: { responseFormat: 'file', outputPropertyName: 'data' } } },
				}, { credentials: { httpHeaderAuth: { ...real.HEADER_CREDENTIAL } } }),
			],
			connections: real.chain('Start', 'HTTP Request'),
			settings: { executionOrder: 'v1' },
		},
		ours('benchDownloadOurs', 'bench-download-ours', 'b3f5a0c2-0d1e-4a51-9a44-6a0d8e1f0a02', {}),
		ours('benchDownloadOursNoVerify', 'bench-download-ours-noverify', 'b3f5a0c2-0d1e-4a51-9a44-6a0d8e1f0a03', { verifyChecksum: false }),
	];
}

async function createFinishedJob(sim) {
	const response = await fetch(`${sim.baseUrl}/videos`, {
		method: 'POST',
		headers: { authorization: `Bearer ${sim.keys.inference}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'google/veo-3.1-lite', prompt: 'a large video' }),
	});
	const job = await response.json();
	if (response.status !== 202 && response.status !== 200) throw new Error(`create failed: ${response.status} ${JSON.stringify(job)}`);
	await sim.completeJob(job.id);
	return job.id;
}

/** One download through one variant; resolves the measured figures. */
async function measure(sim, bench, variant, bytes) {
	const { instance } = bench;
	const id = await createFinishedJob(sim);
	const url = `${sim.baseUrl}/videos/${id}/content`;
	const before = await real.lastExecutionId(instance);
	const idle = await real.idleRss(instance.pid);
	const sampler = real.sampleRss(instance.pid, 50);
	const cpuBefore = real.cpuSeconds(instance.pid);
	const simCpuBefore = process.cpuUsage();
	const answer = await real.trigger(instance, variant.path, { id, url });
	const simCpu = process.cpuUsage(simCpuBefore);
	const cpuAfter = real.cpuSeconds(instance.pid);
	const memory = sampler.stop();
	const execution = await real.nextExecution(instance, variant.workflow, before);
	const problem = real.n8n.failure(execution) ?? (answer.status !== 200 ? `webhook answered ${answer.status}` : undefined);
	if (execution.status !== 'success' || problem) throw new Error(`${variant.label}, ${bytes} bytes: ${problem ?? execution.status}`);
	const [item] = real.n8n.nodeOutput(execution.data, variant.nodeName);
	// n8n 1.x reports no exact stored size; our node reports the bytes it counted.
	const stored = Number(item?.binary?.data?.bytes ?? (variant.key === 'http' ? bytes : item?.json?.bytes));
	if (stored !== bytes) throw new Error(`${variant.label}: stored ${stored} bytes, expected ${bytes}`);
	const nodeMs = real.n8n.nodeMs(execution, variant.nodeName);
	const contentGets = sim.requests().filter((request) => request.path === `/v1/videos/${id}/content`).length;
	await real.deleteExecution(instance, execution.id);
	const peak = Number.isFinite(memory.hwm) ? Math.max(memory.hwm, memory.peak) : memory.peak;
	return { idle, growth: peak - idle, nodeMs, wallMs: answer.ms, mibPerS: bytes / real.MiB / (nodeMs / 1000), contentGets, exactPeak: Number.isFinite(memory.hwm), cpuS: cpuAfter.process - cpuBefore.process, mainCpuS: cpuAfter.mainThread - cpuBefore.mainThread, simCpuS: (simCpu.user + simCpu.system) / 1e6 };
}

/**
 * A body that stops half way (the simulator keeps the connection open and silent): how long the
 * Download operation with default options takes to fail, and what it says.
 */
async function measureStall(sim, bench) {
	const { instance } = bench;
	const variant = VARIANTS.find((entry) => entry.key === 'ours');
	const id = await createFinishedJob(sim);
	sim.injectFault({ route: 'GET /videos/:id/content', kind: 'stall', videoId: id, delayMs: 120_000 });
	const before = await real.lastExecutionId(instance);
	const answer = await real.trigger(instance, variant.path, { id, url: `${sim.baseUrl}/videos/${id}/content` });
	const execution = await real.nextExecution(instance, variant.workflow, before);
	const message = real.n8n.failure(execution) ?? '';
	if (execution.status === 'success' || !/stalled/.test(message)) throw new Error(`stalled body: expected a stall error, got ${execution.status}: ${message}`);
	const contentGets = sim.requests().filter((request) => request.path === `/v1/videos/${id}/content`).length;
	sim.clearFaults();
	return { nodeMs: real.n8n.nodeMs(execution, variant.nodeName), wallMs: answer.ms, message, contentGets };
}

async function main() {
	const sim = await createSimulator({ queuedMs: 0, jobMs: 0, pollAfterSeconds: 1 });
	const results = new Map();
	let exactPeak = true;
	let bench;
	let stall;
	if (experiment.ENABLED) real.useTarball(experiment.patchedTarball(real.tarball()));
	try {
		bench = await real.startBenchN8n({ sim, workflows: workflows(), label: 'download' });
		// Warm-up: first use of each node type loads code and opens connections.
		sim.setOptions({ contentBytes: '1MiB' });
		for (const variant of VARIANTS) await measure(sim, bench, variant, real.MiB);
		for (const sizeText of SIZES) {
			const bytes = parseSize(sizeText);
			sim.setOptions({ contentBytes: bytes });
			await createFinishedJob(sim); // the simulator hashes each size once: not inside a measurement
			for (let run = 0; run < RUNS; run++) {
				// rotate the order so that no variant always runs first after the idle wait
				const order = VARIANTS.map((_, index) => VARIANTS[(index + run) % VARIANTS.length]);
				for (const variant of order) {
					const figures = await measure(sim, bench, variant, bytes);
					exactPeak &&= figures.exactPeak;
					const key = `${sizeText}:${variant.key}`;
					if (!results.has(key)) results.set(key, []);
					results.get(key).push(figures);
					console.log(`${sizeText} ${variant.label}: +${real.mib(figures.growth)} RSS over ${real.mib(figures.idle)} idle, ${figures.mibPerS.toFixed(0)} MiB/s (node ${figures.nodeMs} ms, round trip ${figures.wallMs.toFixed(0)} ms; n8n CPU ${figures.cpuS.toFixed(2)} s, main thread ${figures.mainCpuS.toFixed(2)} s)`);
				}
			}
			sim.reset();
		}
		if (process.env.BENCH_STALL !== '0') {
			sim.setOptions({ contentBytes: '64MiB' });
			stall = await measureStall(sim, bench);
			console.log(`stalled body: failed after ${(stall.nodeMs / 1000).toFixed(1)} s: ${stall.message}`);
		}
	} finally {
		await bench?.close();
		await sim.close();
	}

	const pick = (key, field) => results.get(key).map((figures) => figures[field]);
	const rows = [];
	for (const sizeText of SIZES) {
		const httpGrowth = median(pick(`${sizeText}:http`, 'growth'));
		const httpSpeed = median(pick(`${sizeText}:http`, 'mibPerS'));
		for (const variant of VARIANTS) {
			const key = `${sizeText}:${variant.key}`;
			const growth = pick(key, 'growth').map((value) => value / real.MiB);
			const speed = pick(key, 'mibPerS');
			rows.push([
				sizeText,
				variant.label,
				spread(growth, 0),
				variant.key === 'http' ? '1.00' : (median(growth) / (httpGrowth / real.MiB)).toFixed(2),
				spread(speed, 0),
				variant.key === 'http' ? '1.00' : (median(speed) / httpSpeed).toFixed(2),
				...(BEFORE_COLUMNS ? [variant.key === 'http' ? '1.00' : (BEFORE_ISSUE_16[key]?.[0] ?? '–'), variant.key === 'http' ? '–' : (BEFORE_ISSUE_16[key]?.[1] ?? '–')] : []),
				spread(pick(key, 'nodeMs').map((ms) => ms / 1000), 2),
				spread(pick(key, 'cpuS'), 2),
				spread(pick(key, 'mainCpuS'), 2),
				spread(pick(key, 'idle').map((value) => value / real.MiB), 0),
			]);
		}
	}
	const output = table(
		[
			'file',
			'downloaded by',
			'peak RSS above idle, MiB',
			'× HTTP Request',
			'throughput, MiB/s',
			'× HTTP Request',
			...(BEFORE_COLUMNS ? ['before issue 16: throughput × HTTP Request', 'before: peak RSS above idle, MiB'] : []),
			'node time, s',
			'n8n CPU, s',
			'of it the main thread, s',
			'idle RSS, MiB',
		],
		rows,
	);
	console.log(`\n${output}`);

	const growthOf = (sizeText, key) => median(pick(`${sizeText}:${key}`, 'growth'));
	const largest = SIZES[SIZES.length - 1];
	const secondsOf = (key) => median(pick(`${largest}:${key}`, 'nodeMs')) / 1000;
	const hashCost = secondsOf('ours') - secondsOf('oursNoVerify');
	const cpuOf = (key, field) => median(pick(`${largest}:${key}`, field));
	const hashCpu = cpuOf('ours', 'mainCpuS') - cpuOf('oursNoVerify', 'mainCpuS');
	const beforeNote = BEFORE
		? `This section measures the package as it was at commit ${BEFORE}, before issue 16: Download read the job, stored the stream, then read the stored file back (n8n 1.x reports no exact stored size, so it did so even with *Verify Checksum* off; in the default binary mode it decoded the stored base64 into a second Buffer to count and hash it).`
		: '';
	const extraCpu = `With *Verify Checksum* off the node used ${(cpuOf('oursNoVerify', 'cpuS') - cpuOf('http', 'cpuS')).toFixed(2)} s more n8n CPU than the HTTP Request node`;
	const helperNote = experiment.ENABLED
		? `${extraCpu}, through the same helper.`
		: real.VERSION === 'v2'
			? `${extraCpu}. The two nodes get their bodies from different helpers: ${experiment.HELPERS}; the section measured with \`BENCH_REQUEST_HELPER=request\` shows what that costs. (n8n 1.x's \`httpRequest\` passes \`-1\`: no wrapper there.)`
			: "n8n 1.x's `httpRequest` helper hands out the socket's own stream, as the HTTP Request node's `request` helper does, so the SHA-256 is the node's only extra work.";
	const timeNote = BEFORE ? '' : `Where our time goes (${largest}, medians): the node takes ${secondsOf('ours').toFixed(2)} s with *Verify Checksum* on (the default) and ${secondsOf('oursNoVerify').toFixed(2)} s with it off, against ${secondsOf('http').toFixed(2)} s for the HTTP Request node. The node hands the response stream to \`prepareBinaryData\` as the HTTP Request node does; a \`data\` listener added with \`prependListener\` (which does not start the stream) counts and, with *Verify Checksum* on, hashes (SHA-256) each chunk on its way into the store (\`nodes/shared/transfer.ts\`): one pass, nothing read back. CPU, not the network, sets the pace on this 2-core machine: for the HTTP Request node's download n8n used ${cpuOf('http', 'cpuS').toFixed(2)} s of CPU, only ${cpuOf('http', 'mainCpuS').toFixed(2)} s of it on its main thread (the rest on V8's background threads and libuv's pool), and the simulator serving it ${cpuOf('http', 'simCpuS').toFixed(2)} s: most of the two cores during the transfer. So every CPU second the node adds shows in its time. The SHA-256 adds ${hashCpu.toFixed(2)} s of main-thread CPU (median with *Verify Checksum* on minus off; hashing 1 GiB on one core of this machine takes about 0.6 s), and the node-time difference is ${hashCost.toFixed(2)} s. ${helperNote} Before issue 16 the node read the stored file back to hash it, a second sequential pass. Below ~10 MiB, RSS growth is within what n8n allocates anyway in any execution (the first run after the warm-up is often the highest), so ratios of such small numbers mean little; what matters is that no variant's growth follows the file size.`;
	const memoryModeNote = real.BINARY_MODE === 'default'
		? "In n8n 1.x's default binary mode n8n itself keeps every binary in memory (a Buffer of the file, then its base64 text in the execution), so every variant's growth follows the file size, and files of 1 GiB cannot be stored at all (the base64 text would exceed V8's longest string); the point here is that the AI Stats node adds no copy of its own (before issue 16 it decoded the base64 back into a second Buffer to hash it)."
		: '';
	const stallNote = stall
		? `**Stalled body** (${N8N_LABEL}, default options: idle timeout 30 s): the simulator sends half of a 64 MiB file and then nothing on an open connection. The Download operation failed after ${(stall.nodeMs / 1000).toFixed(1)} s of node time (bound: 2 × 30 s = 60 s), with ${stall.contentGets} content request (a stall is not repeated) and the error "${stall.message}". Before issue 16 the same body was given up only by the 120 s request timeout, and then repeated: about 8 minutes (4 × 120 s, as reported in issue 16; not re-measured).`
		: '';
	const scaling = SIZES.length >= 2
		? VARIANTS.map((variant) => `${variant.label} ${real.mib(growthOf(SIZES[0], variant.key))} → ${real.mib(growthOf(SIZES[SIZES.length - 1], variant.key))}`).join('; ')
		: '';
	writeSection(
		SECTION,
		[
			`One \`n8n start\` process (${N8N_LABEL}, \`N8N_DEFAULT_BINARY_DATA_MODE=${real.BINARY_MODE}\`, sqlite) with the packed package; the simulator on 127.0.0.1 serves synthetic video bytes of the given size from \`GET /v1/videos/{id}/content\` (streamed, with \`Content-Length\`; the simulator plays the production gateway, whose job has no \`asset.sha256\`, so the node's SHA-256 is computed and reported, not compared). Each workflow is Webhook (respond when the last node finishes) → the download node; ${RUNS} runs per size and node, in rotating order, after a 1 MiB warm-up of each. The HTTP Request node (v4.2) fetches the same content URL with response format *File* and the key as \`Authorization: Bearer …\` (HTTP Header Auth credential). ${BEFORE ? 'Our Download operation: see below.' : "Our Download operation (typeVersion 2, default options) reads the job (\`GET /videos/{id}\`, for its status and the expected size and checksum) while its content request is already on its way, and streams the content into n8n's binary store, counting and hashing it on the way."}`,
			'',
			`- **Peak RSS above idle**: the n8n main process's peak resident memory during the run (the kernel's VmHWM, reset before each run${exactPeak ? '' : ' where permitted, otherwise VmRSS sampled every 50 ms'}) minus its VmRSS after 1.5 s of quiet before the run. n8n's task runner is a separate child process and is not counted (none of these workflows uses it).`,
			'- **Throughput**: file size / the node\'s execution time as n8n records it in the run data (`executionTime`); the webhook round trip adds n8n\'s own start and finish of the execution.',
			"- **CPU**: user + system time of the n8n main process during the run, all its threads (from `/proc/<pid>/stat`), and of its main thread alone.",
			BEFORE_COLUMNS ? '- **Before issue 16**: medians of the run of 2026-11-21 on this machine with the same bench (the node then read the stored file back to verify it).' : '',
			`- Machine: ${machine({ n8n: true })}.`,
			'',
			output,
			'',
			scaling ? `Memory growth from ${SIZES[0]} to ${SIZES[SIZES.length - 1]} (medians): ${scaling}.` : '',
			'',
			experiment.ENABLED ? `${experiment.NOTE}\n\n${timeNote}` : beforeNote || timeNote,
			memoryModeNote ? `\n${memoryModeNote}` : '',
			stallNote ? `\n${stallNote}` : '',
			'',
			`Reproduce: \`${real.VERSION === 'v1' ? `BENCH_N8N_VERSION=v1 BENCH_BINARY_MODE=${real.BINARY_MODE} ` : ''}${experiment.ENABLED ? 'BENCH_REQUEST_HELPER=request ' : ''}${SIZES.join(',') === '64MiB,1GiB' ? '' : `BENCH_SIZES=${SIZES.join(',')} `}npm run bench:download\` (\`BENCH_RUNS_DOWNLOAD=5\`, \`BENCH_SIZES=64MiB,1GiB\` to change the runs and sizes, \`BENCH_STALL=0\` to skip the stalled body).`,
		].filter((line, index, lines) => line !== '' || lines[index - 1] !== '').join('\n'),
	);
}

module.exports = { workflows, createFinishedJob, measure, VARIANTS };

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exitCode = 1;
	});
}
