'use strict';
/**
 * Downloads in real n8n, in both binary modes n8n 1.x offers: `default` (1.x's default: n8n
 * keeps the file in memory, reading the stream with on('data')) and `filesystem` (n8n writes
 * the stream to disk). The node counts and hashes the body on its way into n8n's store; here
 * n8n itself runs the store (`n8n execute`), and what it wrote to disk is checked byte for byte.
 */
const fs = require('node:fs');

const n8n = require('../tooling/n8n');
const { fileOf, prepareUserFolder, sha256, startSimulator } = require('./support');

const VERSIONS = n8n.versionsUnderTest();
const MODES = ['default', 'filesystem'];
const CREDENTIAL = { aiStatsApi: { id: 'ai-stats-credential', name: 'AI Stats account' } };

function downloadWorkflow(id, files, videoId, options = {}) {
	return {
		id,
		name: `e2e: download ${id}`,
		nodes: [
			{ id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'download',
				name: 'Download',
				type: 'n8n-nodes-ai-stats.aiStats',
				typeVersion: 1,
				position: [220, 0],
				parameters: { resource: 'video', operation: 'download', videoId: { __rl: true, mode: 'id', value: videoId }, outputs: 'single', index: 0, binaryPropertyName: 'data', options },
				credentials: CREDENTIAL,
			},
			{
				id: 'save',
				name: 'Save',
				type: 'n8n-nodes-base.readWriteFile',
				typeVersion: 1,
				position: [440, 0],
				parameters: { operation: 'write', fileName: `=${files}/{{ $binary.data.fileName }}`, dataPropertyName: 'data', options: {} },
			},
		],
		connections: {
			Start: { main: [[{ node: 'Download', type: 'main', index: 0 }]] },
			Download: { main: [[{ node: 'Save', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

async function finishedJob(sim) {
	const response = await fetch(`${sim.baseUrl}/videos`, {
		method: 'POST',
		headers: { authorization: `Bearer ${sim.keys.inference}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'google/veo-3.1-lite', prompt: 'a video to download' }),
	});
	const job = await response.json();
	await sim.completeJob(job.id);
	return job.id;
}

describe.each(VERSIONS)('n8n %s: downloads', (version) => {
	describe.each(MODES)('binary mode %s', (mode) => {
		const env = { N8N_DEFAULT_BINARY_DATA_MODE: mode };
		let sim;
		let userFolder;
		let files;
		let intactId;
		let stalledId;

		beforeAll(async () => {
			// The CLI prints in-memory binaries in full in its run output: keep them small in that mode.
			// The docs profile: the check against the gateway's asset.sha256 is part of what runs here
			// (production sends no asset.sha256; test/downloads.test.ts covers that profile).
			sim = await startSimulator({ profile: 'docs', contentBytes: mode === 'default' ? '1MiB' : '8MiB' });
			({ userFolder, files } = await prepareUserFolder(version, sim, { extraEnv: env }));
			intactId = await finishedJob(sim);
			stalledId = await finishedJob(sim);
			await n8n.importWorkflow(
				version,
				userFolder,
				[downloadWorkflow('e2eDownloadIntact', files, intactId), downloadWorkflow('e2eDownloadStalled', files, stalledId, { downloadIdleTimeout: 3 })],
				{ extraEnv: env },
			);
		});

		afterAll(async () => {
			await sim?.close();
			if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
		});

		it('stores the whole file once and reports its size, SHA-256 and the checks made', async () => {
			sim.clearRequests();
			const run = await n8n.executeWorkflow(version, userFolder, 'e2eDownloadIntact', { extraEnv: env, timeoutMs: 5 * 60 * 1000 });
			if (!run.ok) console.log(`n8n execute (${version}, ${mode}) exited ${run.code}: ${JSON.stringify(run.run?.data?.resultData?.error ?? null)}\n${run.stdout.slice(-3000)}`);
			expect(run.ok).toBe(true);
			const expected = sim.contentFor(intactId, 0);
			const [item] = n8n.nodeOutput(run.run, 'Download');
			expect(item.json).toMatchObject({ bytes: expected.bytes, sha256: expected.sha256, verified_against: ['content-length', 'asset.bytes', 'asset.sha256'] });
			const written = fs.readFileSync(fileOf(files, intactId));
			expect(written.length).toBe(expected.bytes);
			expect(sha256(written)).toBe(expected.sha256);
			expect(sim.requests().filter((request) => request.path.endsWith('/content'))).toHaveLength(1);
		});

		it('a body that stalls fails within twice the idle timeout, saying it stalled', async () => {
			// The body stops part-way (before its end: the in-memory mode's content is 1 MiB).
			const stallAfter = mode === 'default' ? 512 * 1024 : 2 * 1024 * 1024;
			sim.injectFault({ route: 'GET /videos/:id/content', kind: 'stall', videoId: stalledId, bytes: stallAfter, delayMs: 15_000 });
			const run = await n8n.executeWorkflow(version, userFolder, 'e2eDownloadStalled', { extraEnv: env, timeoutMs: 5 * 60 * 1000 });
			expect(run.ok).toBe(false);
			const task = run.run.data.resultData.runData.Download[0];
			expect(task.error.message).toMatch(new RegExp(`^Video download stalled for \\S+: no data for 3 s after ${stallAfter} bytes`));
			expect(task.executionTime).toBeLessThan(6000);
			expect(fileOf(files, stalledId)).toBeUndefined();
		});
	});
});
