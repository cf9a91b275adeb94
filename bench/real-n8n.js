'use strict';
/**
 * Shared steps of the benchmarks that run in real n8n (2.41.1 on Node 24, tooling/n8n):
 * the packed package in an isolated user folder, credentials, workflows, one `n8n start`
 * process, memory of that process, and timings from n8n's own execution records.
 */
const fs = require('node:fs');
const path = require('node:path');

const n8n = require('../tooling/n8n');
const { buildAndPack } = require('../scripts/pack');

/** `BENCH_N8N_VERSION=v1` runs a bench in n8n 1.123.81 instead of 2.41.1. */
const VERSION = process.env.BENCH_N8N_VERSION === 'v1' ? 'v1' : 'v2';
const AI_STATS_CREDENTIAL = { id: 'bench-ai-stats', name: 'AI Stats (bench)' };
const HEADER_CREDENTIAL = { id: 'bench-header-auth', name: 'AI Stats key as header (bench)' };
const WEBHOOK_SECRET = 'whsec_bench_0123456789abcdef0123456789abcdef';
/**
 * Every real-n8n bench stores binaries on disk, as production instances do, unless
 * `BENCH_BINARY_MODE=default` asks for n8n 1.x's default in-memory mode.
 */
const BINARY_MODE = process.env.BENCH_BINARY_MODE === 'default' ? 'default' : 'filesystem';
const BASE_ENV = {
	N8N_DEFAULT_BINARY_DATA_MODE: BINARY_MODE,
	// Keep n8n's own housekeeping from running in the middle of a measurement.
	EXECUTIONS_DATA_PRUNE: 'false',
};

/** n8n 2.41.1 in the cache folder (install.sh is idempotent; not even started when installed). */
function ensureN8n() {
	if (!n8n.isInstalled(VERSION)) n8n.ensureInstalled(VERSION);
}

let tarballPath;
/** The package as published (`npm pack`); `npm run bench` packs once and hands it down. */
function tarball() {
	if (!tarballPath) {
		const given = process.env.AI_STATS_BENCH_TARBALL;
		if (given && fs.existsSync(given)) {
			tarballPath = given;
		} else {
			tarballPath = buildAndPack({ quiet: true });
			const folder = path.dirname(tarballPath);
			process.on('exit', () => fs.rmSync(folder, { recursive: true, force: true }));
		}
	}
	return tarballPath;
}

/** Installs `file` instead of the freshly packed package (an experiment's modified copy). */
function useTarball(file) {
	tarballPath = file;
}

function node(name, type, typeVersion, position, parameters, extra = {}) {
	return { id: `${name}-${type}`.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 60), name, type, typeVersion, position, parameters, ...extra };
}

/** A Webhook trigger (POST /webhook/<path>); `lastNode` answers when the workflow has finished. */
function webhookTrigger(pathName, webhookId, responseMode = 'lastNode') {
	return node('Start', 'n8n-nodes-base.webhook', 2, [0, 0], { httpMethod: 'POST', path: pathName, responseMode, options: {} }, { webhookId });
}

function chain(...names) {
	const connections = {};
	for (let index = 0; index < names.length - 1; index++) {
		connections[names[index]] = { main: [[{ node: names[index + 1], type: 'main', index: 0 }]] };
	}
	return connections;
}

const aiStatsCredentials = () => ({ aiStatsApi: { ...AI_STATS_CREDENTIAL } });

/**
 * An isolated n8n 2.41.1 (`n8n start`) with the packed package, an AI Stats credential and an
 * HTTP Header Auth credential (Authorization: Bearer <key>) for the simulator, and `workflows`
 * imported and active. Resolves { instance, userFolder, close() }.
 */
async function startBenchN8n({ sim, workflows, env = {}, label = 'bench' }) {
	ensureN8n();
	const folder = n8n.makeUserFolder(`ai-stats-bench-${label}-`);
	const fullEnv = { ...BASE_ENV, ...env };
	let instance;
	const close = async () => {
		try {
			await instance?.stop();
		} finally {
			fs.rmSync(folder, { recursive: true, force: true });
		}
	};
	try {
		const { userFolder } = await n8n.prepareUserFolder({
			version: VERSION,
			tarball: tarball(),
			userFolder: folder,
			extraEnv: fullEnv,
			credentials: [
				{ ...AI_STATS_CREDENTIAL, type: 'aiStatsApi', data: { apiKey: sim.keys.inference, baseUrl: sim.baseUrl, webhookSecret: WEBHOOK_SECRET, managementKey: sim.keys.management } },
				{ ...HEADER_CREDENTIAL, type: 'httpHeaderAuth', data: { name: 'Authorization', value: `Bearer ${sim.keys.inference}` } },
			],
			workflows,
		});
		instance = await n8n.startN8n({ version: VERSION, userFolder, env: fullEnv });
		for (const workflow of workflows) await instance.activateWorkflow(workflow.id);
		for (const workflow of workflows) {
			const trigger = workflow.nodes.find((entry) => entry.type === 'n8n-nodes-base.webhook');
			if (trigger) await instance.waitForWebhook(`/webhook/${trigger.parameters.path}`);
		}
		return { instance, userFolder: folder, close };
	} catch (error) {
		await close();
		throw error;
	}
}

/** POSTs JSON to a production webhook; resolves { status, json, ms } (ms measured here). */
async function trigger(instance, pathName, body, timeoutMs = 10 * 60 * 1000) {
	const started = performance.now();
	const response = await fetch(`${instance.url}/webhook/${pathName}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body ?? {}),
		signal: AbortSignal.timeout(timeoutMs),
	});
	const text = await response.text();
	const ms = performance.now() - started;
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		json = text;
	}
	return { status: response.status, json, ms };
}

/** Highest execution id the instance knows (0 when none): ids only grow. */
async function lastExecutionId(instance) {
	const list = await instance.api('/executions?limit=1&includeData=false');
	return list.data.length ? Number(list.data[0].id) : 0;
}

/**
 * The first execution of `workflowId` with an id above `afterId` that is finished (or in one of
 * `statuses`), with its data.
 */
async function nextExecution(instance, workflowId, afterId, { statuses = ['success', 'error', 'crashed', 'canceled'], timeoutMs = 10 * 60 * 1000 } = {}) {
	const started = Date.now();
	for (;;) {
		const list = await instance.api(`/executions?workflowId=${workflowId}&limit=20&includeData=false`);
		const hit = list.data.filter((entry) => Number(entry.id) > afterId && statuses.includes(entry.status)).sort((a, b) => Number(a.id) - Number(b.id))[0];
		if (hit) return await instance.execution(hit.id);
		if (Date.now() - started > timeoutMs) throw new Error(`no finished execution of ${workflowId} after ${timeoutMs} ms`);
		await n8n.sleep(100);
	}
}

/** Deletes an execution (n8n removes its binary files with it). */
async function deleteExecution(instance, id) {
	await instance.api(`/executions/${id}`, { method: 'DELETE', allowError: true });
}

/* ------------------------------------------------------------------------------------------ */
/* memory of the n8n main process                                                              */

function procStatus(pid) {
	const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
	return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

/** Resets the kernel's peak-RSS counter (VmHWM) of `pid`; false when not permitted. */
function resetPeak(pid) {
	try {
		fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
		return true;
	} catch {
		return false;
	}
}

/**
 * Samples VmRSS of `pid` every `intervalMs` until stop(); stop() resolves { peak, samples,
 * hwm } where hwm is the kernel's exact peak since start() when it could be reset (else NaN).
 */
function sampleRss(pid, intervalMs = 50) {
	const canReset = resetPeak(pid);
	let peak = procStatus(pid).rss;
	let samples = 1;
	const timer = setInterval(() => {
		try {
			peak = Math.max(peak, procStatus(pid).rss);
			samples++;
		} catch {
			/* process gone */
		}
	}, intervalMs);
	return {
		stop() {
			clearInterval(timer);
			const now = procStatus(pid);
			peak = Math.max(peak, now.rss);
			return { peak, samples, hwm: canReset ? now.hwm : NaN };
		},
	};
}

/**
 * CPU seconds (user + system) `pid` has used so far: the whole process (every thread: the main
 * thread, V8's garbage-collection helpers, libuv's pool) and its main thread alone.
 */
function cpuSeconds(pid) {
	// fields 14 and 15 of /proc/…/stat, counted after the command name's closing parenthesis
	const ticks = (file) => {
		const fields = fs.readFileSync(file, 'utf8').split(') ')[1].split(' ');
		return (Number(fields[11]) + Number(fields[12])) / 100;
	};
	return { process: ticks(`/proc/${pid}/stat`), mainThread: ticks(`/proc/${pid}/task/${pid}/stat`) };
}

/** VmRSS after the process has been quiet for `settleMs` (median of a few readings). */
async function idleRss(pid, settleMs = 1500) {
	await n8n.sleep(settleMs);
	const readings = [];
	for (let index = 0; index < 5; index++) {
		readings.push(procStatus(pid).rss);
		await n8n.sleep(100);
	}
	readings.sort((a, b) => a - b);
	return readings[2];
}

const MiB = 2 ** 20;
const mib = (bytes, digits = 0) => `${(bytes / MiB).toFixed(digits)} MiB`;

module.exports = {
	VERSION,
	BINARY_MODE,
	AI_STATS_CREDENTIAL,
	HEADER_CREDENTIAL,
	WEBHOOK_SECRET,
	BASE_ENV,
	MiB,
	mib,
	n8n,
	ensureN8n,
	tarball,
	useTarball,
	node,
	webhookTrigger,
	chain,
	aiStatsCredentials,
	startBenchN8n,
	trigger,
	lastExecutionId,
	nextExecution,
	deleteExecution,
	procStatus,
	resetPeak,
	sampleRss,
	idleRss,
	cpuSeconds,
};
