'use strict';
/** Shared steps of the e2e suites: simulator, n8n user folder with the package and credentials. */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const n8n = require('../tooling/n8n');

const { sleep } = n8n;
const { createSimulator } = require('../simulator');

const WEBHOOK_SECRET = 'whsec_e2e_0123456789abcdef0123456789abcdef';

const sha256 = (buffer) => crypto.createHash('sha256').update(buffer).digest('hex');

async function startSimulator(options = {}) {
	return await createSimulator({ queuedMs: 200, jobMs: 2500, pollAfterSeconds: 1, webhookRetryDelaysMs: [0, 1000, 2000, 4000], allowHttpReferences: true, fetchReferences: true, ...options });
}

/** An isolated user folder with the packed package installed and the AI Stats credentials imported. */
async function prepareUserFolder(version, sim, { extraEnv, userFolder = n8n.makeUserFolder(`ai-stats-e2e-${version}-`) } = {}) {
	const tarball = process.env.AI_STATS_E2E_TARBALL;
	if (!tarball) throw new Error('AI_STATS_E2E_TARBALL is not set: run the suite through e2e/jest.config.js');
	return await n8n.prepareUserFolder({
		version,
		tarball,
		userFolder,
		extraEnv,
		credentials: [
			{ id: 'ai-stats-credential', name: 'AI Stats account', type: 'aiStatsApi', data: { apiKey: sim.keys.inference, baseUrl: sim.baseUrl, webhookSecret: WEBHOOK_SECRET, managementKey: sim.keys.management } },
			{ id: 'ai-stats-no-funds', name: 'AI Stats (no funds)', type: 'aiStatsApi', data: { apiKey: sim.keys.noFunds, baseUrl: sim.baseUrl } },
		],
	});
}

/** Redis + PostgreSQL for queue mode (tooling/n8n/services.sh): the variables n8n needs. */
function servicesEnv() {
	return n8n.startServices();
}

/** Waits until `predicate()` is truthy (polling), or fails with `what`. */
async function eventually(predicate, what, timeoutMs = 60000) {
	const started = Date.now();
	for (;;) {
		const value = await predicate();
		if (value) return value;
		if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
		await n8n.sleep(250);
	}
}

/** The simulator's registered webhook endpoints, listed as the gateway's management API lists them. */
async function webhookEndpoints(sim) {
	const response = await fetch(`${sim.baseUrl}/webhook-endpoints`, { headers: { authorization: `Bearer ${sim.keys.management}` } });
	return (await response.json()).data;
}

/** The execution id in a resume URL (`…/webhook-waiting/<execution id>/…`), or undefined. */
function parkedExecutionId(url) {
	return /\/webhook-waiting\/([^/]+)\//.exec(url ?? '')?.[1];
}

function fileOf(files, prefix) {
	const name = fs.readdirSync(files).find((entry) => entry.startsWith(prefix));
	return name ? path.join(files, name) : undefined;
}

/** A multipart/form-data body with one file and text fields (what a form upload sends). */
function multipart(fields, file) {
	const boundary = `----ai-stats-e2e-${crypto.randomBytes(8).toString('hex')}`;
	const parts = Object.entries(fields).map(([name, value]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
	parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`), file.data, Buffer.from(`\r\n--${boundary}--\r\n`));
	return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

// A 4x4 red PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGP4z8AARwzEcQCukw/x0F8jngAAAABJRU5ErkJggg==', 'base64');

module.exports = { WEBHOOK_SECRET, PNG, sha256, sleep, startSimulator, prepareUserFolder, servicesEnv, eventually, webhookEndpoints, parkedExecutionId, fileOf, multipart };
