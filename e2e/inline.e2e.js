'use strict';
/**
 * Issue 17 in real n8n (2.41.1 and 1.123.81), in the default (memory) and filesystem binary modes:
 * - an upload to a production Webhook workflow becomes an inline reference whose decoded bytes equal
 *   the upload (PNG and JPEG, 1 KB as a data URL, 15 MB as a multipart file for a model on OpenAI),
 *   with Reference Delivery "Auto" and an n8n nobody can reach;
 * - 15 MB for a model that takes data URLs only: Auto falls back to the signed link (filesystem) or
 *   says why not (memory); 25 MB sent "Inline" is refused before anything is sent, naming the limit;
 * - a signed link made in a production execution still serves the photo minutes after the
 *   execution ended (Don't Wait) or parked (Webhook (Resume));
 * - no data URL appears in anything n8n printed or stored.
 *
 * n8n is served at an https URL: a local TLS proxy with a self-signed certificate (made with
 * openssl) in front of n8n's http port, set as n8n's WEBHOOK_URL / N8N_EDITOR_BASE_URL. The
 * simulator fetches through it with TLS verification off (`insecureTls`), and the link workflows
 * set "Allow Private Reference URLs" because that https address is on 127.0.0.1.
 */
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');
const http = require('node:http');
const path = require('node:path');

const n8n = require('../tooling/n8n');
const { eventually, multipart, parkedExecutionId, webhookEndpoints, prepareUserFolder, sha256, sleep, startSimulator } = require('./support');

const VERSIONS = (process.env.AI_STATS_E2E_VERSIONS || 'v2,v1').split(',').map((version) => version.trim());
// Both binary modes by default (executions holding 15–25 MB in memory are read one at a time by tooling/n8n).
const MODES = (process.env.AI_STATS_E2E_BINARY_MODES || 'default,filesystem').split(',').map((mode) => mode.trim());
/** How long after the execution ended or parked the link is fetched again. */
const LINK_DELAY_MS = Number(process.env.AI_STATS_E2E_LINK_DELAY_S || 120) * 1000;
const CREDENTIAL = { aiStatsApi: { id: 'ai-stats-credential', name: 'AI Stats account' } };
const DATA_URL = /data:image\/[a-z]+;base64,[A-Za-z0-9+/]{40}/;

const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
const image = (head, bytes) => Buffer.concat([head, crypto.randomBytes(bytes - head.length)]);
const KB = 1024;
const MB = 1_000_000;

function node(name, type, typeVersion, position, parameters, extra = {}) {
	return { id: `${name}-${type}`.replace(/[^A-Za-z0-9-]/g, '-'), name, type, typeVersion, position, parameters, ...extra };
}

/** Webhook (multipart upload, field "photo") → Generate; the request's fields choose model, delivery, wait mode. */
function uploadWorkflow(id, pathName, generate) {
	return {
		id,
		name: `e2e: ${id}`,
		nodes: [
			node('Photo upload', 'n8n-nodes-base.webhook', 2, [0, 0], { httpMethod: 'POST', path: pathName, responseMode: 'onReceived', options: {} }, { webhookId: crypto.randomUUID() }),
			node('Animate photo', 'n8n-nodes-ai-stats.aiStats', 1, [220, 0], {
				resource: 'video',
				operation: 'generate',
				model: { __rl: true, mode: 'id', value: '={{ $json.body.model }}' },
				prompt: '={{ $json.body.prompt }}',
				inputReferences: { reference: [{ source: 'binary', binaryPropertyName: 'photo', mediaType: 'image', role: 'first_frame', delivery: '={{ $json.body.delivery }}' }] },
				...generate,
			}, { credentials: CREDENTIAL }),
		],
		connections: { 'Photo upload': { main: [[{ node: 'Animate photo', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

const WORKFLOWS = [
	uploadWorkflow('e2eInlineUpload1', 'e2e-inline', {
		waitForCompletion: 'none',
		options: { allowPrivateReferenceUrls: '={{ $json.body.allowPrivate === "true" }}' },
	}),
	uploadWorkflow('e2eLinkDontWait1', 'e2e-link-none', { waitForCompletion: 'none', options: { allowPrivateReferenceUrls: true } }),
	uploadWorkflow('e2eLinkResume1', 'e2e-link-resume', { waitForCompletion: 'webhook', downloadVideo: false, options: { allowPrivateReferenceUrls: true } }),
];

/** A self-signed certificate for 127.0.0.1, and an https proxy in front of n8n's http port. */
function startTlsProxy(targetPort) {
	const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'ai-stats-tls-'));
	const key = path.join(dir, 'key.pem');
	const cert = path.join(dir, 'cert.pem');
	execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
	const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (request, response) => {
		const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: request.method, path: request.url, headers: { ...request.headers, 'x-forwarded-proto': 'https' } }, (answer) => {
			response.writeHead(answer.statusCode, answer.headers);
			answer.pipe(response);
		});
		upstream.on('error', () => response.destroy());
		request.pipe(upstream);
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port, close: () => new Promise((done) => server.close(done)) })));
}

/** GET over https without verifying the self-signed certificate; resolves status and body. */
function fetchInsecure(url) {
	return new Promise((resolve, reject) => {
		https
			.get(url, { rejectUnauthorized: false }, (response) => {
				const chunks = [];
				response.on('data', (chunk) => chunks.push(chunk));
				response.on('end', () => resolve({ status: response.statusCode, body: Buffer.concat(chunks) }));
			})
			.on('error', reject);
	});
}

/**
 * POSTs on a connection of its own. fetch reuses kept-alive connections, and after a 25 MB upload
 * n8n 1.x closed one just as the next upload was sent on it ("other side closed"); a POST that may
 * have arrived cannot simply be sent again.
 */
function postOnNewConnection(url, headers, body) {
	return new Promise((resolve, reject) => {
		const request = http.request(url, { method: 'POST', agent: false, headers: { ...headers, 'content-length': body.length } }, (response) => {
			response.resume();
			response.on('end', () => resolve({ status: response.statusCode }));
			response.on('error', reject);
		});
		request.on('error', reject);
		request.end(body);
	});
}

describe.each(VERSIONS)('n8n %s: reference images from an upload', (version) => {
	describe.each(MODES)('binary mode %s', (mode) => {
		let sim;
		let proxy;
		let instance;
		const transcripts = [];
		const ENV = { N8N_DEFAULT_BINARY_DATA_MODE: mode };

		beforeAll(async () => {
			sim = await startSimulator({ insecureTls: true });
			const { userFolder } = await prepareUserFolder(version, sim, { extraEnv: ENV });
			await n8n.importWorkflow(version, userFolder, WORKFLOWS, { extraEnv: ENV });
			for (const { id } of WORKFLOWS) await n8n.publishWorkflow(version, userFolder, id, { extraEnv: ENV });
			const port = await n8n.freePort();
			proxy = await startTlsProxy(port);
			const publicUrl = `https://127.0.0.1:${proxy.port}/`;
			instance = await n8n.startN8n({
				version,
				userFolder,
				port,
				env: { ...ENV, N8N_EDITOR_BASE_URL: publicUrl, [version === 'v2' ? 'N8N_WEBHOOK_URL' : 'WEBHOOK_URL']: publicUrl },
			});
			await instance.waitForWebhook('/webhook/e2e-inline');
		});

		afterAll(async () => {
			await instance?.stop();
			await proxy?.close();
			await sim?.close();
		});

		const posts = () => sim.requests().filter((request) => request.method === 'POST' && request.path === '/v1/videos');

		/** Uploads `data` to a workflow's production webhook and waits for its execution to end. */
		const upload = async (workflowId, pathName, fields, data, type) => {
			const tag = crypto.randomUUID();
			const { body, contentType } = multipart({ ...fields, tag }, { field: 'photo', name: type === 'image/png' ? 'photo.png' : 'photo.jpg', type, data });
			const response = await postOnNewConnection(`${instance.url}/webhook/${pathName}`, { 'content-type': contentType }, body);
			expect(response.status).toBe(200);
			// A parked execution is found through its job (n8n 1.x does not list waiting executions).
			if (workflowId === 'e2eLinkResume1') return undefined;
			return await instance.waitForExecution((execution) => n8n.nodeOutput(execution.data, 'Photo upload')?.[0]?.json.body?.tag === tag, {
				query: { workflowId, limit: 5 },
				timeoutMs: 120000,
			});
		};
		const inline = async (fields, data, type) => await upload('e2eInlineUpload1', 'e2e-inline', { prompt: 'the camera pushes in', delivery: 'auto', ...fields }, data, type);
		const errorOf = (execution) => execution.data?.resultData?.error?.message ?? '';

		for (const [type, head, model] of [
			['image/png', PNG_HEAD, 'google/veo-3.1-lite'],
			['image/jpeg', JPEG_HEAD, 'openai/sora-2'],
		]) {
			it(`Auto: a 1 KB ${type} upload reaches the gateway inline, byte for byte (${model})`, async () => {
				sim.clearReceivedReferences();
				const photo = image(head, KB);
				const execution = await inline({ model }, photo, type);
				expect(errorOf(execution)).toBe('');
				expect(execution.status).toBe('success');
				expect(sim.receivedReferences()).toEqual([expect.objectContaining({ source: 'data_url', mimeType: type, model, bytes: photo.length, sha256: sha256(photo) })]);
			});

			it(`Auto: a 15 MB ${type} upload for a model on OpenAI goes inline as a file upload, byte for byte (one create)`, async () => {
				sim.clearReceivedReferences();
				sim.clearRequests();
				const photo = image(head, 15 * MB);
				const execution = await inline({ model: 'openai/sora-2' }, photo, type);
				expect(errorOf(execution)).toBe('');
				expect(execution.status).toBe('success');
				expect(posts()).toHaveLength(1);
				expect(sim.receivedReferences()).toEqual([expect.objectContaining({ source: 'multipart', mimeType: type, model: 'openai/sora-2', bytes: photo.length, sha256: sha256(photo) })]);
			});
		}

		it(`Auto: a 15 MB upload for a model that takes data URLs only: ${mode === 'default' ? 'no link in memory mode either, said up front' : 'sent as the signed link, fetched intact'}`, async () => {
			sim.clearReceivedReferences();
			sim.clearRequests();
			const before = sim.references().length;
			const photo = image(PNG_HEAD, 15 * MB);
			const execution = await inline({ model: 'google/veo-3.1-lite', allowPrivate: 'true' }, photo, 'image/png');
			if (mode === 'default') {
				expect(errorOf(execution)).toBe(
					'Input Reference 1: binary field "photo" can be sent neither inline (the file is 15.0 MB, and model google/veo-3.1-lite takes inline images up to 12.0 MB (as a data URL); larger ones, up to 20.0 MB, go as a file upload, which only models on openai take) nor as a link (n8n cannot make a signed link for binary field "photo")',
				);
				expect(posts()).toHaveLength(0);
				return;
			}
			expect(errorOf(execution)).toBe('');
			expect(sim.receivedReferences()).toHaveLength(0);
			// The simulator fetches the reference right after the create answered: wait for it.
			await eventually(() => sim.references().length > before, 'the gateway fetching the signed link', 30000);
			const fetched = sim.references().slice(before);
			expect(fetched).toEqual([expect.objectContaining({ status: 200, bytes: photo.length, sha256: sha256(photo) })]);
			expect(fetched[0].url.startsWith(`https://127.0.0.1:${proxy.port}/rest/binary-data/signed?token=`)).toBe(true);
		});

		it('Inline: a 25 MB image is refused before anything is sent, naming the limit', async () => {
			sim.clearRequests();
			const execution = await inline({ model: 'google/veo-3.1-lite', delivery: 'inline' }, image(PNG_HEAD, 25 * MB), 'image/png');
			expect(execution.status).toBe('error');
			expect(errorOf(execution)).toBe(
				'Input Reference 1: binary field "photo" cannot be sent inline: the file is 25.0 MB, over the 20.0 MB inline limit (the gateway takes file uploads up to 32 MiB)',
			);
			expect(sim.requests().filter((request) => request.path === '/v1/videos')).toHaveLength(0);
		});

		it('Auto for a model not known to take inline images, on an n8n the gateway cannot reach: a clear error, nothing sent', async () => {
			sim.clearRequests();
			const execution = await inline({ model: 'bytedance/seedance-2.0' }, image(PNG_HEAD, KB), 'image/png');
			expect(execution.status).toBe('error');
			expect(errorOf(execution)).toMatch(
				/^Input Reference 1: binary field "photo" can be sent neither inline \(model bytedance\/seedance-2\.0 runs on byteplus, not known to accept inline images\) nor as a link \((the gateway cannot fetch binary field "photo" from https:\/\/127\.0\.0\.1:\d+\/rest\/binary-data\/signed|n8n cannot make a signed link for binary field "photo")\)$/,
			);
			expect(posts()).toHaveLength(0);
		});

		if (mode === 'filesystem') {
			it(`the signed link still serves the photo ${LINK_DELAY_MS / 1000} s after the execution ended (Don't Wait) or parked (Webhook (Resume))`, async () => {
				const photo = image(JPEG_HEAD, 200 * KB);
				sim.clearRequests();
				// Don't Wait: the execution ends right after the create.
				const ended = await upload('e2eLinkDontWait1', 'e2e-link-none', { model: 'google/veo-3.1-lite', prompt: 'link, don\'t wait', delivery: 'link' }, photo, 'image/jpeg');
				expect(errorOf(ended)).toBe('');
				const endedUrl = posts()[0].body.input_references[0].image_url.url;
				// Webhook (Resume) parks the execution; the documented inline callback needs the docs profile.
				sim.setOptions({ profile: 'docs' });
				sim.clearRequests();
				await upload('e2eLinkResume1', 'e2e-link-resume', { model: 'google/veo-3.1-lite', prompt: 'link, parked [sim:ms=600000]', delivery: 'link' }, photo, 'image/jpeg');
				// The job's callback is the execution's resume URL (n8n 1.x does not list waiting executions).
				const create = await eventually(() => posts()[0], 'the parked execution\'s create', 60000);
				const parkedJob = sim.jobs().find((job) => job.request_id === create.requestId);
				// Parked on a temporary endpoint (the credential has a management key): its URL is the resume URL.
				const endpoint = (await webhookEndpoints(sim)).find((entry) => entry.id === parkedJob.webhook?.endpoint_id);
				const parkedId = parkedExecutionId(endpoint?.url);
				expect(parkedId).toBeDefined();
				await eventually(async () => (await instance.execution(parkedId)).status === 'waiting', 'the parked execution', 60000);
				const parkedUrl = create.body.input_references[0].image_url.url;
				for (const url of [endedUrl, parkedUrl]) {
					expect(url.startsWith(`https://127.0.0.1:${proxy.port}/rest/binary-data/signed?token=`)).toBe(true);
					const now = await fetchInsecure(url);
					expect(now.status).toBe(200);
					expect(sha256(now.body)).toBe(sha256(photo));
				}
				await sleep(LINK_DELAY_MS);
				for (const url of [endedUrl, parkedUrl]) {
					const later = await fetchInsecure(url);
					expect(later.status).toBe(200);
					expect(sha256(later.body)).toBe(sha256(photo));
				}
				// The parked execution still resumes and finishes.
				await sim.completeJob(parkedJob.id);
				const done = await eventually(async () => {
					const execution = await instance.execution(parkedId);
					return execution.status === 'success' ? execution : undefined;
				}, 'the resumed execution', 60000);
				expect(n8n.nodeOutput(done.data, 'Animate photo')[0].json.id).toBe(parkedJob.id);
				sim.setOptions({ profile: 'production' });
			});
		}

		it('no data URL appears in anything n8n printed or stored', async () => {
			const executions = await instance.endedExecutions();
			transcripts.push(instance.logs());
			const everything = [...transcripts, JSON.stringify(executions)].join('\n');
			expect(everything.length).toBeGreaterThan(1000);
			expect(everything).not.toMatch(DATA_URL);
			for (const secret of Object.values(sim.keys)) expect(everything.includes(secret)).toBe(false);
		});
	});
});
