'use strict';
/**
 * The package installed in real n8n (2.41.1 on Node 24, and 1.123 on Node 20), one main process
 * with sqlite: the example workflows and scenarios 1–5, checked from outside (files written,
 * execution records through n8n's public API, what the simulator received).
 */
const fs = require('node:fs');

const n8n = require('../tooling/n8n');
const workflows = require('./workflows');
const { PNG, WEBHOOK_SECRET, eventually, fileOf, multipart, parkedExecutionId, prepareUserFolder, sha256, startSimulator, webhookEndpoints } = require('./support');

const VERSIONS = n8n.versionsUnderTest();
const ENV = { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' };

describe.each(VERSIONS)('n8n %s with n8n-nodes-ai-stats', (version) => {
	let sim;
	let userFolder;
	let files;
	// Everything n8n printed (CLI runs include their run data), scanned for secrets at the end.
	const transcripts = [];

	beforeAll(async () => {
		sim = await startSimulator();
		({ userFolder, files } = await prepareUserFolder(version, sim, { extraEnv: ENV }));
		await n8n.importWorkflow(
			version,
			userFolder,
			[
				workflows.generateAndSave(files),
				workflows.downloadLink(files),
				workflows.invalidCombination(),
				workflows.noFunds(),
				workflows.triggerNotify(files),
				workflows.resume(files),
				workflows.photoToVideo(files),
			],
			{ extraEnv: ENV },
		);
	});

	afterEach(() => sim?.setOptions({ profile: 'production' }));
	afterAll(async () => {
		await sim?.close();
	});

	describe('n8n execute (CLI)', () => {
		const execute = async (id) => {
			const run = await n8n.executeWorkflow(version, userFolder, id, { extraEnv: ENV, timeoutMs: 5 * 60 * 1000 });
			transcripts.push(run.stdout);
			return run;
		};

		it('1. example "generate and save": Generate (poll, download) writes the MP4 the gateway served', async () => {
			const run = await execute('e2eGenerateAndSave1');
			expect(run.ok).toBe(true);
			const [job] = n8n.nodeOutput(run.run, 'Generate video');
			expect(job.json).toMatchObject({ status: 'completed', cost_currency: 'USD' });
			const file = fileOf(files, job.json.id);
			expect(file).toBeDefined();
			const bytes = fs.readFileSync(file);
			expect(sha256(bytes)).toBe(sim.contentFor(job.json.id, 0).sha256);
		});

		it('2. example "download link": n8n\'s HTTP Request node downloads the signed link with no credential', async () => {
			sim.clearRequests();
			const run = await execute('e2eDownloadLink1');
			expect(run.ok).toBe(true);
			const [link] = n8n.nodeOutput(run.run, 'Get download link');
			const bytes = fs.readFileSync(fileOf(files, `${link.json.video_id}-via-link`));
			expect(sha256(bytes)).toBe(sim.contentFor(link.json.video_id, 0).sha256);
			const signedFetches = sim.requests().filter((request) => request.path.endsWith('/content') && request.query.download_sig);
			expect(signedFetches).toHaveLength(1);
			expect(signedFetches[0].headers.authorization).toBeUndefined();
		});

		it('5a. an invalid combination fails with our clear message, before anything is sent', async () => {
			sim.clearRequests();
			const run = await execute('e2eInvalidCombination1');
			expect(run.ok).toBe(false);
			expect(run.run.data.resultData.error.message).toContain('Size cannot be combined with Resolution or Aspect Ratio');
			expect(sim.requests().filter((request) => request.method === 'POST')).toHaveLength(0);
		});

		it('5b. a 402 from the gateway surfaces its reason', async () => {
			const run = await execute('e2eNoFunds1');
			expect(run.ok).toBe(false);
			expect(run.run.data.resultData.error.message).toMatch(/^Insufficient funds \(402\)/);
			expect(run.stdout).not.toContain(sim.keys.noFunds);
		});
	});

	describe('n8n start (server, active workflows)', () => {
		let instance;

		beforeAll(async () => {
			for (const id of ['e2eTriggerNotify1', 'e2eResume1', 'e2ePhotoToVideo1']) await n8n.publishWorkflow(version, userFolder, id, { extraEnv: ENV });
			instance = await n8n.startN8n({ version, userFolder, env: ENV });
			await instance.waitForWebhook('/webhook/e2e-resume');
		});

		afterAll(async () => {
			await instance?.stop();
		});

		afterEach(() => {
			if (instance) transcripts.push(instance.logs());
		});

		const executionsOf = async (workflowId) => await instance.executions({ workflowId });

		it('3. the trigger runs once per selected event from the simulator\'s signed deliveries, and refuses a mis-signed one', async () => {
			const trigger = JSON.parse(fs.readFileSync(require.resolve('../examples/trigger-notify.json'), 'utf8')).nodes.find((entry) => entry.type === 'n8n-nodes-ai-stats.aiStatsTrigger');
			const url = `${instance.url}/webhook/${trigger.webhookId}/ai-stats`;
			await instance.waitForWebhook(`/webhook/${trigger.webhookId}/ai-stats`);
			const create = async (prompt) => {
				const response = await fetch(`${sim.baseUrl}/videos`, {
					method: 'POST',
					headers: { authorization: `Bearer ${sim.keys.inference}`, 'content-type': 'application/json' },
					body: JSON.stringify({ model: 'google/veo-3.1-lite', prompt }),
				});
				return (await response.json()).id;
			};
			const done = await create('a finished video');
			const failed = await create('a failing video');
			await sim.completeJob(done);
			sim.failJob(failed);

			const deliver = async (id, type, tamper) => await sim.deliverEvent({ url, secret: WEBHOOK_SECRET, event: sim.buildEvent(sim.getJob(id), type, { progress: 50 }), tamper });
			expect((await deliver(done, 'video.completed')).status).toBe(200);
			expect((await deliver(failed, 'video.failed')).status).toBe(200);
			expect((await deliver(done, 'video.progress')).status).toBe(200);
			expect((await deliver(done, 'video.completed', 'bad-signature')).status).toBe(401);

			const runs = await eventually(async () => {
				const list = await executionsOf('e2eTriggerNotify1');
				return list.length >= 2 && list.every((execution) => execution.status === 'success') ? list : undefined;
			}, 'two trigger executions');
			await n8n.sleep(1500);
			expect(await executionsOf('e2eTriggerNotify1')).toHaveLength(2);
			const types = runs.map((execution) => n8n.nodeOutput(execution.data, 'AI Stats Trigger')[0].json.type).sort();
			expect(types).toEqual(['video.completed', 'video.failed']);
			const file = await eventually(() => fileOf(files, `trigger-${done}`), 'the downloaded video');
			expect(sha256(fs.readFileSync(file))).toBe(sim.contentFor(done, 0).sha256);
		});

		it('4. Webhook (Resume) on the production gateway: a temporary endpoint, parked, every callback at once ×3 → resumed once, endpoint gone', async () => {
			sim.setOptions({ holdWebhooks: true, webhookCopies: 3 });
			try {
				sim.clearRequests();
				const response = await fetch(`${instance.url}/webhook/e2e-resume`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ prompt: 'resume me [sim:ms=4000]' }),
				});
				expect(response.status).toBe(200);
				const endpoint = await eventually(async () => {
					return (await webhookEndpoints(sim)).find((entry) => /\/webhook-waiting\/[^/]+\/ai-stats-callback/.test(entry.url));
				}, 'the registered resume endpoint', 30000);
				expect(endpoint.name).toMatch(/^n8n-nodes-ai-stats resume · exec \S+ · until /);
				const executionId = parkedExecutionId(endpoint.url);
				const job = await eventually(() => sim.jobs().find((entry) => entry.webhook?.endpoint_id === endpoint.id), 'the job', 30000);
				const waiting = await eventually(async () => {
					const execution = await instance.execution(executionId);
					return execution.status === 'waiting' ? execution : undefined;
				}, 'the parked execution', 30000);
				expect(waiting.waitTill).toBeTruthy();
				await eventually(() => sim.heldWebhooks() > 0 || undefined, 'the held callback', 30000);
				sim.releaseWebhooks();
				const done = await eventually(async () => {
					const execution = await instance.execution(waiting.id);
					return execution.status === 'success' ? execution : undefined;
				}, 'the resumed execution', 60000);
				const [item] = n8n.nodeOutput(done.data, 'Generate video');
				expect(item.json.id).toBe(job.id);
				const file = await eventually(() => fileOf(files, `resumed-${job.id}`), 'the resumed video');
				expect(sha256(fs.readFileSync(file))).toBe(sim.contentFor(job.id, 0).sha256);
				await sim.waitForDeliveries((all) => all.filter((delivery) => delivery.jobId === job.id).length >= 3, 30000);
				await new Promise((resolve) => setTimeout(resolve, 1500));
				// Three copies of the callback arrived together: the nodes after Generate ran once, the video was downloaded once.
				expect(done.data.resultData.runData['Save MP4']).toHaveLength(1);
				expect(sim.requests().filter((request) => request.path === `/v1/videos/${job.id}/content`)).toHaveLength(1);
				expect((await webhookEndpoints(sim)).filter((entry) => entry.id === endpoint.id)).toHaveLength(0);
			} finally {
				sim.setOptions({ holdWebhooks: false, webhookCopies: 1 });
			}
		});

		it('a photo upload becomes the first frame: the simulator fetched it through n8n\'s signed link', async () => {
			const { body, contentType } = multipart({ motion: 'the camera pushes in' }, { field: 'photo', name: 'photo.png', type: 'image/png', data: PNG });
			const response = await fetch(`${instance.url}/webhook/e2e-photo`, { method: 'POST', headers: { 'content-type': contentType }, body });
			expect(response.status).toBe(200);
			const done = await eventually(async () => (await executionsOf('e2ePhotoToVideo1')).find((execution) => execution.status !== 'running' && execution.status !== 'new'), 'the photo execution', 60000);
			expect(done.status).toBe('success');
			const [item] = n8n.nodeOutput(done.data, 'Animate photo');
			const fetched = sim.references().find((reference) => reference.url.includes('/rest/binary-data/signed'));
			expect(fetched).toMatchObject({ status: 200, bytes: PNG.length, sha256: sha256(PNG) });
			const file = await eventually(() => fileOf(files, `photo-${item.json.id}`), 'the video');
			expect(fs.statSync(file).size).toBe(sim.contentFor(item.json.id, 0).bytes);
		});

		it('no API key or signing secret appears in anything n8n printed or stored', async () => {
			const executions = await instance.executions();
			const everything = [...transcripts, instance.logs(), JSON.stringify(executions)].join('\n');
			expect(everything.length).toBeGreaterThan(10000);
			for (const secret of [...Object.values(sim.keys), WEBHOOK_SECRET]) expect(everything.includes(secret)).toBe(false);
			// Signed links only where the workflow asked for one: Get Download Link's output, and the
			// HTTP Request node that fetched it (n8n keeps the URL as the binary's "directory").
			const linkContexts = [...everything.matchAll(/[^\n]{0,900}download_sig=[0-9a-f]{16}/g)].map((match) => match[0]);
			for (const context of linkContexts) expect(context).toMatch(/"download_url":|"directory":|"Get download link"|expires_at_iso/);
		});
	});
});
