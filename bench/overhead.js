'use strict';
/**
 * Overhead in real n8n: per-operation latency of our node vs a raw HTTP call to the simulator,
 * and vs n8n's HTTP Request node making the same call. Node times are n8n's own
 * (`executionTime` of each node in the run data); the raw call is made from this process with
 * node:http on a fresh connection.
 *
 *   npm run bench:overhead            (BENCH_RUNS_OVERHEAD=20)
 */
const http = require('node:http');

const { createSimulator } = require('../simulator');
const real = require('./real-n8n');
const { machine, median, spread, table, writeSection } = require('./report');

const RUNS = Number(process.env.BENCH_RUNS_OVERHEAD ?? 20);
const WARMUP = 3;
const LINK_BODY = { index: 0, ttl_seconds: 900, disposition: 'attachment' };
const CREATE_BODY = { model: 'google/veo-3.1-lite', prompt: 'A red fox in the snow' };

const video = (parameters) => ({ resource: 'video', ...parameters });
const byId = { __rl: true, mode: 'id', value: '={{ $json.body.id }}' };

/** Each operation: our node's parameters, and the raw request it corresponds to. */
const OPERATIONS = [
	{ key: 'get', label: 'Video → Get', ours: video({ operation: 'get', videoId: byId }), raw: (id) => ({ method: 'GET', path: `/videos/${id}` }) },
	{ key: 'getMany', label: 'Video → Get Many (10)', ours: video({ operation: 'getMany', returnAll: false, limit: 10 }), raw: () => ({ method: 'GET', path: '/videos?order=desc&limit=10' }) },
	{ key: 'link', label: 'Video → Get Download Link', ours: video({ operation: 'getDownloadLink', videoId: byId, index: 0, ttlSeconds: 900, disposition: 'attachment' }), raw: (id) => ({ method: 'POST', path: `/videos/${id}/download_url`, body: LINK_BODY }) },
	{ key: 'models', label: 'Model → Get Many', ours: { resource: 'model', operation: 'getMany' }, raw: () => ({ method: 'GET', path: '/videos/models' }) },
	{
		key: 'generate',
		label: "Video → Generate (Don't Wait)",
		ours: video({ operation: 'generate', model: { __rl: true, mode: 'id', value: CREATE_BODY.model }, prompt: CREATE_BODY.prompt, waitForCompletion: 'none' }),
		raw: () => ({ method: 'POST', path: '/videos', body: CREATE_BODY }),
	},
	{ key: 'download', label: 'Video → Download (small MP4)', ours: video({ operation: 'download', videoId: byId, outputs: 'single', index: 0, binaryPropertyName: 'data', options: {} }), raw: (id) => ({ method: 'GET', path: `/videos/${id}/content` }) },
];

/** n8n's HTTP Request node making the raw request (key from the HTTP Header Auth credential). */
function httpRequestNode(sim, operation, position) {
	const request = operation.raw('{{ $json.body.id }}');
	const parameters = {
		method: request.method,
		url: `=${sim.baseUrl}${request.path}`,
		authentication: 'genericCredentialType',
		genericAuthType: 'httpHeaderAuth',
		sendHeaders: true,
		headerParameters: { parameters: [{ name: 'x-bench', value: 'http-request-node' }] },
		options: operation.key === 'download' ? { response: { response: { responseFormat: 'file' } } } : {},
	};
	if (request.body) Object.assign(parameters, { sendBody: true, specifyBody: 'json', jsonBody: JSON.stringify(request.body) });
	return real.node('HTTP Request', 'n8n-nodes-base.httpRequest', 4.2, position, parameters, { credentials: { httpHeaderAuth: { ...real.HEADER_CREDENTIAL } } });
}

/** The workflow of one operation; `httpFirst` puts the HTTP Request node on the upper branch, which v1 order runs first. */
function workflowId(operation, httpFirst) {
	return `benchOverhead${operation.key[0].toUpperCase()}${operation.key.slice(1)}${httpFirst ? 'HttpFirst' : ''}`;
}

function webhookPath(operation, httpFirst) {
	return `bench-overhead-${operation.key}${httpFirst ? '-http-first' : ''}`;
}

function workflows(sim) {
	const list = OPERATIONS.flatMap((operation, index) =>
		[false, true].map((httpFirst) => {
			const ours = real.node('AI Stats', 'n8n-nodes-ai-stats.aiStats', 2, [220, httpFirst ? 100 : -100], operation.ours, { credentials: real.aiStatsCredentials() });
			const theirs = httpRequestNode(sim, operation, [220, httpFirst ? -100 : 100]);
			const [upper, lower] = httpFirst ? ['HTTP Request', 'AI Stats'] : ['AI Stats', 'HTTP Request'];
			return {
				id: workflowId(operation, httpFirst),
				name: `bench: overhead of ${operation.label}${httpFirst ? ' (HTTP Request first)' : ''}`,
				nodes: [real.webhookTrigger(webhookPath(operation, httpFirst), `e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4${httpFirst ? 'b' : 'a'}${String(index).padStart(2, '0')}`), ours, theirs],
				// one branch after the other (v1 order: the upper branch first)
				connections: { Start: { main: [[{ node: upper, type: 'main', index: 0 }, { node: lower, type: 'main', index: 0 }]] } },
				settings: { executionOrder: 'v1' },
			};
		}),
	);
	list.push({
		id: 'benchOverheadNoOp',
		name: 'bench: webhook → No Operation',
		nodes: [real.webhookTrigger('bench-overhead-noop', 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a99'), real.node('Nothing', 'n8n-nodes-base.noOp', 1, [220, 0], {})],
		connections: real.chain('Start', 'Nothing'),
		settings: { executionOrder: 'v1' },
	});
	return list;
}

/** One raw request on a fresh connection; resolves the ms until the whole body was read. */
function rawCall(sim, { method, path, body }) {
	const payload = body ? JSON.stringify(body) : undefined;
	const url = new URL(`${sim.baseUrl}${path}`);
	return new Promise((resolve, reject) => {
		const started = performance.now();
		const request = http.request(
			url,
			{ method, agent: false, headers: { authorization: `Bearer ${sim.keys.inference}`, accept: '*/*', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } },
			(response) => {
				response.on('data', () => {});
				response.on('end', () => (response.statusCode < 300 ? resolve(performance.now() - started) : reject(new Error(`raw ${method} ${path}: ${response.statusCode}`))));
				response.on('error', reject);
			},
		);
		request.on('error', reject);
		request.end(payload);
	});
}

async function createFinishedJob(sim) {
	const response = await fetch(`${sim.baseUrl}/videos`, {
		method: 'POST',
		headers: { authorization: `Bearer ${sim.keys.inference}`, 'content-type': 'application/json' },
		body: JSON.stringify(CREATE_BODY),
	});
	const job = await response.json();
	await sim.completeJob(job.id);
	return job.id;
}

/** AI Stats ÷ HTTP Request node before issue 16 (docs/benchmarks.md, 2026-11-21): read-back verification, catalogue read per execution. */
const BEFORE_ISSUE_16 = { generate: '2.27', download: '3.27' };
/** The same ratio on 2026-12-03 before the credential was read once per node run (n8n re-read it for every request). */
const BEFORE_ONE_CREDENTIAL_READ = { get: '1.13', getMany: '1.22', link: '1.32', models: '1.22', generate: '2.24', download: '2.27' };

async function main() {
	const sim = await createSimulator({ queuedMs: 0, jobMs: 0, pollAfterSeconds: 1 });
	const results = new Map();
	const noop = [];
	let bench;
	try {
		bench = await real.startBenchN8n({ sim, workflows: workflows(sim), label: 'overhead' });
		const { instance } = bench;
		const id = await createFinishedJob(sim);
		for (let run = 0; run < WARMUP + RUNS; run++) {
			// every other run the HTTP Request node goes first, so neither node always meets the execution fresh
			const httpFirst = run % 2 === 1;
			for (const operation of OPERATIONS) {
				const rawMs = await rawCall(sim, operation.raw(id));
				const before = await real.lastExecutionId(instance);
				sim.clearRequests();
				const answer = await real.trigger(instance, webhookPath(operation, httpFirst), { id });
				const execution = await real.nextExecution(instance, workflowId(operation, httpFirst), before);
				const problem = real.n8n.failure(execution) ?? (answer.status !== 200 ? `webhook answered ${answer.status}` : undefined);
				if (execution.status !== 'success' || problem) throw new Error(`${operation.label}: ${problem ?? execution.status}`);
				const requests = sim.requests();
				const ours = requests.filter((request) => request.headers['x-bench'] === undefined);
				if (run < WARMUP) continue;
				if (!results.has(operation.key)) results.set(operation.key, []);
				results.get(operation.key).push({
					rawMs,
					oursMs: real.n8n.nodeMs(execution, 'AI Stats'),
					httpMs: real.n8n.nodeMs(execution, 'HTTP Request'),
					httpFirst,
					oursRequests: ours.map((request) => `${request.method} ${request.path.replace(id, '{id}').replace(/^\/v1/, '')}`).join(', '),
				});
			}
			const before = await real.lastExecutionId(instance);
			const answer = await real.trigger(instance, 'bench-overhead-noop', {});
			if (run >= WARMUP) noop.push(answer.ms);
			await real.nextExecution(instance, 'benchOverheadNoOp', before);
		}
	} finally {
		await bench?.close();
		await sim.close();
	}

	const rows = OPERATIONS.map((operation) => {
		const list = results.get(operation.key);
		const pick = (field) => list.map((entry) => entry[field]);
		const raw = median(pick('rawMs'));
		const ours = median(pick('oursMs'));
		const httpNode = median(pick('httpMs'));
		const request = operation.raw('{id}');
		return [
			operation.label,
			`${request.method} ${request.path.split('?')[0]}`,
			spread(pick('rawMs'), 1),
			spread(pick('httpMs'), 0),
			spread(pick('oursMs'), 0),
			(ours - raw).toFixed(1),
			(ours / httpNode).toFixed(2),
			BEFORE_ONE_CREDENTIAL_READ[operation.key] ?? '–',
			BEFORE_ISSUE_16[operation.key] ?? '–',
			list[list.length - 1].oursRequests,
		];
	});
	/** AI Stats ÷ HTTP Request node over the runs where AI Stats ran first, and where it ran second. */
	const byOrder = OPERATIONS.map((operation) => {
		const list = results.get(operation.key);
		const ratio = (httpFirst) => {
			const runs = list.filter((entry) => entry.httpFirst === httpFirst);
			return (median(runs.map((entry) => entry.oursMs)) / median(runs.map((entry) => entry.httpMs))).toFixed(2);
		};
		return `${operation.label} ${ratio(false)} / ${ratio(true)}`;
	});
	const output = table(
		['operation', 'raw request', 'raw HTTP call, ms', "n8n's HTTP Request node, ms", 'AI Stats node, ms', 'AI Stats − raw, ms', 'AI Stats ÷ HTTP Request node', 'before: a credential read per request', 'before issue 16', 'requests the AI Stats node made'],
		rows,
	);
	console.log(`\n${output}\n\nwebhook → No Operation → response: ${spread(noop, 1)} ms`);
	writeSection(
		'Overhead per operation in real n8n',
		[
			`One \`n8n start\` process (n8n 2.41.1). For each operation a workflow Webhook → **AI Stats** and → n8n's **HTTP Request** node making the same request to the simulator (key from an HTTP Header Auth credential), one branch after the other: AI Stats first in every other run, the HTTP Request node first in the others. ${RUNS} runs per operation after ${WARMUP} warm-ups, all against the same finished job (a real MP4 clip of the simulator for Download).`,
			'',
			`- **Raw HTTP call**: the same request from the benchmark process (Node ${process.versions.node.split('.')[0]}, \`node:http\`, a fresh connection each time, the whole body read) — the floor.`,
			'- **Node times**: the node\'s `executionTime` from n8n\'s run data (1 ms resolution): everything the node does, including n8n\'s credential lookup and request helpers.',
			'- **AI Stats − raw**: what the node and n8n add to a bare request. Generate checks the request against the model catalogue, which it reads at most once a minute per Base URL and key (so not in these runs after the warm-up); Download reads the job (status, expected size and SHA-256) and streams the file into n8n\'s binary store, counting and hashing it on the way (no read-back).',
			'- **Credential**: read once per node run and shared by every request of it (`nodes/shared/credentials.ts`); the transport sends its bearer itself. **Before: a credential read per request**: the same ratio on 2026-12-03 (same machine, quiet), when every request went through `httpRequestWithAuthentication` and the field readers called `getCredentials` each time; n8n loads, decrypts and resolves the credential on every such call.',
			'- **Before issue 16**: the same ratio in the run of 2026-11-21, when Generate read the catalogue in every execution and Download read the stored file back to verify it.',
			`- Machine: ${machine({ n8n: true })}.`,
			'',
			output,
			'',
			`Which node runs first in the execution shows in the ratio (AI Stats ÷ HTTP Request node, medians, with AI Stats first / second: ${byOrder.join('; ')}). Until 2026-12-03 AI Stats always ran first; the ratios in the two *before* columns were measured that way.`,
			'',
			`For scale, a whole n8n execution — webhook in, Webhook → No Operation, response out — takes ${spread(noop, 1)} ms here (round trip measured by the client).`,
			'',
			'Reproduce: `npm run bench:overhead` (`BENCH_RUNS_OVERHEAD=20`).',
		].join('\n'),
	);
}

module.exports = { workflows, OPERATIONS };

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exitCode = 1;
	});
}
