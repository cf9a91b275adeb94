'use strict';
/**
 * The bearer key stays with the Base URL in real n8n (2.41.1 and 1.123, whose HTTP helpers
 * differ): the credential's Base URL answers every request with a 302 to another origin, a second
 * HTTP server that records whatever reaches it. n8n would follow such a redirect with the
 * Authorization header; the node must not, for a read (Get) nor for a create (POST /videos).
 */
const http = require('node:http');

const n8n = require('../tooling/n8n');
const { prepareUserFolder, startSimulator } = require('./support');

const VERSIONS = (process.env.AI_STATS_E2E_VERSIONS || 'v2,v1').split(',').map((version) => version.trim());
const ENV = { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' };
const CREDENTIAL = { aiStatsApi: { id: 'ai-stats-redirecting', name: 'AI Stats (redirecting Base URL)' } };

async function listen(handler) {
	const server = http.createServer(handler);
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

function workflow(id, parameters) {
	return {
		id,
		name: `e2e: ${id}`,
		nodes: [
			{ id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'ai-stats', name: 'AI Stats', type: 'n8n-nodes-ai-stats.aiStats', typeVersion: 1, position: [220, 0], parameters, credentials: CREDENTIAL },
		],
		connections: { Start: { main: [[{ node: 'AI Stats', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

describe.each(VERSIONS)('n8n %s: the key goes only to the Base URL', (version) => {
	let sim;
	let userFolder;
	let front;
	let elsewhere;
	const seenElsewhere = [];

	beforeAll(async () => {
		sim = await startSimulator();
		elsewhere = await listen((req, res) => {
			seenElsewhere.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
			req.resume();
			res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"vid_elsewhere","object":"video","status":"queued"}');
		});
		front = await listen((req, res) => {
			req.resume();
			res.writeHead(302, { location: `${elsewhere.origin}${req.url}` }).end();
		});
		({ userFolder } = await prepareUserFolder(version, sim, { extraEnv: ENV }));
		await n8n.importCredentials(
			version,
			userFolder,
			[{ id: 'ai-stats-redirecting', name: 'AI Stats (redirecting Base URL)', type: 'aiStatsApi', data: { apiKey: sim.keys.inference, baseUrl: `${front.origin}/v1` } }],
			{ extraEnv: ENV },
		);
		await n8n.importWorkflow(
			version,
			userFolder,
			[
				workflow('e2eRedirectGet1', { resource: 'video', operation: 'get', videoId: { __rl: true, mode: 'id', value: 'vid_somewhere' } }),
				workflow('e2eRedirectCreate1', {
					resource: 'video',
					operation: 'generate',
					model: { __rl: true, mode: 'id', value: 'google/veo-3.1-lite' },
					prompt: 'A red fox',
					waitForCompletion: 'none',
				}),
			],
			{ extraEnv: ENV },
		);
	});

	afterAll(async () => {
		for (const entry of [front, elsewhere]) {
			entry?.server.closeAllConnections();
			entry?.server.close();
		}
		await sim?.close();
	});

	it.each([
		['e2eRedirectGet1', /^Redirect to another origin refused \(302\): GET /],
		['e2eRedirectCreate1', /^Redirect to another origin refused \(302\): POST /],
	])('%s: the redirect is refused and nothing reaches the other origin', async (id, message) => {
		const run = await n8n.executeWorkflow(version, userFolder, id, { extraEnv: ENV, timeoutMs: 3 * 60 * 1000 });
		expect(run.ok).toBe(false);
		expect(run.run.data.resultData.error.message).toMatch(message);
		expect(seenElsewhere).toEqual([]);
		expect(run.stdout).not.toContain(sim.keys.inference);
	});
});
