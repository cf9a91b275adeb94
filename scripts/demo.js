#!/usr/bin/env node
'use strict';
/**
 * The demo: real n8n (2.41.1 on Node 24, installed once into a cache folder) with this package
 * installed from its packed tarball, running examples/generate-and-save.json against the bundled
 * gateway simulator. Leaves a playable MP4 in demo-output/, and what it checked about it in
 * demo-output/last-run.json. The first command on a fresh clone: installs the dev dependencies
 * (lock file) and n8n (tooling/n8n/install.sh, cached) when they are missing.
 *
 *   npm run demo                 run the example workflow, print where the MP4 is
 *   npm run demo -- --open       then keep n8n and the simulator running to look around
 *
 * With AI_STATS_API_KEY set (and optionally AI_STATS_BASE_URL) it talks to the real gateway.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const n8n = require('../tooling/n8n');
const { createSimulator } = require('../simulator');
const { ensureDevDeps } = require('./dev-deps');
const { buildAndPack, ROOT } = require('./pack');

const OPEN = process.argv.includes('--open');
const OUTPUT_DIR = path.join(ROOT, 'demo-output');
const WORKFLOW_ID = 'aiStatsDemoGenerate1';
const CREDENTIAL_ID = 'ai-stats-credential';

function step(text) {
	console.log(`\n== ${text}`);
}

function ensureN8n() {
	step(`n8n 2.41.1 and Node 24 in ${n8n.cacheDir()} (installed from the npm registry the first time, 5–20 minutes; checked in about a second afterwards)`);
	n8n.ensureInstalled('v2');
}

function demoWorkflow() {
	const workflow = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'generate-and-save.json'), 'utf8'));
	workflow.id = WORKFLOW_ID;
	for (const node of workflow.nodes) {
		if (node.name === 'Save MP4') node.parameters.fileName = `=${OUTPUT_DIR}/{{ $binary.data.fileName }}`;
		if (node.name === 'Generate video' && !process.env.AI_STATS_API_KEY) {
			// The simulator's clock is fast: poll every 2 s instead of the gateway's 20 s.
			node.parameters.waitOptions = { ...node.parameters.waitOptions, pollIntervalSeconds: 2 };
		}
	}
	return workflow;
}

async function main() {
	ensureDevDeps();
	ensureN8n();
	step('building and packing n8n-nodes-ai-stats');
	const tarball = buildAndPack({ quiet: true });
	console.log(tarball);

	const realKey = process.env.AI_STATS_API_KEY;
	let sim;
	let credentialData;
	if (realKey) {
		step('using the real AI Stats gateway (AI_STATS_API_KEY is set)');
		credentialData = { apiKey: realKey, baseUrl: process.env.AI_STATS_BASE_URL || 'https://api.phaseo.app/v1' };
	} else {
		step('starting the gateway simulator');
		sim = await createSimulator({ host: '127.0.0.1', port: Number(process.env.SIM_PORT || 0), jobMs: 6000, pollAfterSeconds: 2 });
		credentialData = { apiKey: sim.keys.inference, baseUrl: sim.baseUrl, webhookSecret: `whsec_demo_${crypto.randomBytes(12).toString('hex')}` };
		console.log(`simulator: ${sim.baseUrl}`);
	}

	step('preparing an isolated n8n user folder with the package, the credential and the workflow');
	fs.mkdirSync(OUTPUT_DIR, { recursive: true });
	const env = { N8N_RESTRICT_FILE_ACCESS_TO: OUTPUT_DIR };
	const { userFolder } = await n8n.prepareUserFolder({
		version: 'v2',
		tarball,
		userFolder: n8n.makeUserFolder('ai-stats-demo-'),
		extraEnv: env,
		credentials: [{ id: CREDENTIAL_ID, name: 'AI Stats account', type: 'aiStatsApi', data: credentialData }],
		workflows: [demoWorkflow()],
	});
	console.log(`n8n user folder: ${userFolder}`);

	step('running examples/generate-and-save.json in n8n (n8n execute)');
	const before = new Set(fs.readdirSync(OUTPUT_DIR));
	const run = await n8n.executeWorkflow('v2', userFolder, WORKFLOW_ID, { extraEnv: env, timeoutMs: 45 * 60 * 1000 });
	if (!run.ok) {
		console.error(run.stdout.split('\n').slice(-40).join('\n'));
		throw new Error('the workflow failed (see above)');
	}
	const [job] = n8n.nodeOutput(run.run, 'Generate video');
	const written = fs.readdirSync(OUTPUT_DIR).filter((file) => !before.has(file) || file.startsWith(job.json.id));
	const file = path.join(OUTPUT_DIR, written.find((name) => name.startsWith(job.json.id)) ?? written[0]);
	const bytes = fs.readFileSync(file);
	const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
	console.log(`video ${job.json.id}: ${job.json.status}, ${bytes.length} bytes, sha256 ${sha256}`);
	const served = sim ? sim.contentFor(job.json.id, 0) : undefined;
	if (served) {
		if (served.sha256 !== sha256 || served.bytes !== bytes.length) throw new Error('the file differs from what the simulator served');
		console.log('identical to what the gateway simulator served');
	}
	const record = { file, bytes: bytes.length, sha256, jobId: job.json.id, served: served ? { bytes: served.bytes, sha256: served.sha256 } : null, at: new Date().toISOString() };
	fs.writeFileSync(path.join(OUTPUT_DIR, 'last-run.json'), `${JSON.stringify(record, null, 2)}\n`);
	console.log(`\nThe MP4 is at: ${file}`);

	if (!OPEN) {
		if (sim) await sim.close();
		console.log('\nTo look around in the n8n editor with everything loaded: npm run demo -- --open');
		return;
	}
	step('starting n8n with the package, the credential and the workflow (Ctrl-C to stop)');
	const instance = await n8n.startN8n({ version: 'v2', userFolder, port: Number(process.env.N8N_PORT || 5678), env });
	console.log(`n8n editor: ${instance.url}  (sign in as ${n8n.OWNER.email} / ${n8n.OWNER.password})`);
	console.log(`workflow:   ${instance.url}/workflow/${WORKFLOW_ID}`);
	if (sim) console.log(`simulator:  ${sim.baseUrl} (control API: ${sim.origin}/__sim/health)`);
	const stop = async () => {
		await instance.stop();
		if (sim) await sim.close();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	await instance.exited;
}

main().catch((error) => {
	console.error(`\ndemo failed: ${error.message}`);
	process.exit(1);
});
