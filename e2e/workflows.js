'use strict';
/**
 * The workflows the e2e suite runs: the example workflows from examples/ with paths pointed at
 * the instance's file folder and third-party services swapped for local steps, plus a few
 * scenario workflows of its own.
 */
const fs = require('node:fs');
const path = require('node:path');

const EXAMPLES = path.join(__dirname, '..', 'examples');
const CREDENTIAL = { aiStatsApi: { id: 'ai-stats-credential', name: 'AI Stats account' } };

function example(file, id) {
	const workflow = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'));
	return { ...workflow, id, name: `e2e: ${workflow.name}` };
}

function node(name, type, typeVersion, position, parameters, extra = {}) {
	return { id: `${name}-${type}`.replace(/[^A-Za-z0-9-]/g, '-'), name, type, typeVersion, position, parameters, ...extra };
}

function writeFile(name, position, fileName, property = 'data') {
	return node(name, 'n8n-nodes-base.readWriteFile', 1, position, { operation: 'write', fileName, dataPropertyName: property, options: {} });
}

function chain(...names) {
	const connections = {};
	for (let index = 0; index < names.length - 1; index++) {
		connections[names[index]] = { main: [[{ node: names[index + 1], type: 'main', index: 0 }]] };
	}
	return connections;
}

/** Poll every second against the simulator's fast clock. */
function fastPoll(parameters) {
	return { ...parameters, waitOptions: { ...(parameters.waitOptions || {}), pollIntervalSeconds: 1 } };
}

function withNode(workflow, name, change) {
	workflow.nodes = workflow.nodes.map((entry) => (entry.name === name ? change(entry) : entry));
	return workflow;
}

/** Example 1: manual start → Generate (poll, download) → MP4 on disk. */
function generateAndSave(files) {
	const workflow = example('generate-and-save.json', 'e2eGenerateAndSave1');
	withNode(workflow, 'Generate video', (entry) => ({ ...entry, parameters: fastPoll(entry.parameters) }));
	return withNode(workflow, 'Save MP4', (entry) => ({ ...entry, parameters: { ...entry.parameters, fileName: `=${files}/{{ $binary.data.fileName }}` } }));
}

/** Example: Get Download Link → n8n's HTTP Request node (no credential) → disk. */
function downloadLink(files) {
	const workflow = example('download-link-http-request.json', 'e2eDownloadLink1');
	withNode(workflow, 'Generate video', (entry) => ({ ...entry, parameters: fastPoll(entry.parameters) }));
	return withNode(workflow, 'Save MP4', (entry) => ({
		...entry,
		parameters: { ...entry.parameters, fileName: `=${files}/{{ $('Get download link').item.json.video_id }}-via-link.mp4` },
	}));
}

/** Example: AI Stats Trigger → Telegram / Slack, with the messengers swapped for a file write and a no-op. */
function triggerNotify(files) {
	const workflow = example('trigger-notify.json', 'e2eTriggerNotify1');
	withNode(workflow, 'Send video on Telegram', (entry) => writeFile(entry.name, entry.position, `=${files}/trigger-{{ $json.video_id }}.mp4`));
	return withNode(workflow, 'Report failure in Slack', (entry) => node(entry.name, 'n8n-nodes-base.noOp', 1, entry.position, {}));
}

/** A create the node must refuse before sending anything (Size with Resolution). */
function invalidCombination() {
	return {
		id: 'e2eInvalidCombination1',
		name: 'e2e: invalid combination',
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, [0, 0], {}),
			node('Generate video', 'n8n-nodes-ai-stats.aiStats', 1, [220, 0], {
				resource: 'video',
				operation: 'generate',
				model: { __rl: true, mode: 'id', value: 'google/veo-3.1-lite' },
				prompt: 'A red fox',
				waitForCompletion: 'none',
				options: { size: '1280x720', resolution: '720p' },
			}, { credentials: CREDENTIAL }),
		],
		connections: chain('Start', 'Generate video'),
		settings: { executionOrder: 'v1' },
	};
}

/** A create with a key that has no funds: the gateway's 402 reason must reach the user. */
function noFunds() {
	const workflow = invalidCombination();
	workflow.id = 'e2eNoFunds1';
	workflow.name = 'e2e: insufficient funds';
	workflow.nodes[1].parameters.options = {};
	workflow.nodes[1].credentials = { aiStatsApi: { id: 'ai-stats-no-funds', name: 'AI Stats (no funds)' } };
	return workflow;
}

/** Webhook start → Generate in Webhook (Resume) mode → MP4 on disk. */
function resume(files, { maxWaitMinutes = 10 } = {}) {
	return {
		id: 'e2eResume1',
		name: 'e2e: generate and resume',
		nodes: [
			node('Start', 'n8n-nodes-base.webhook', 2, [0, 0], { httpMethod: 'POST', path: 'e2e-resume', responseMode: 'onReceived', options: {} }, { webhookId: '7a2b6a9e-0b47-4b8e-9d8d-2b1f5b8f0e11' }),
			node('Generate video', 'n8n-nodes-ai-stats.aiStats', 1, [220, 0], {
				resource: 'video',
				operation: 'generate',
				model: { __rl: true, mode: 'id', value: 'google/veo-3.1-lite' },
				prompt: '={{ $json.body.prompt }}',
				waitForCompletion: 'webhook',
				waitOptions: { maxWaitMinutes },
			}, { credentials: CREDENTIAL }),
			writeFile('Save MP4', [440, 0], `=${files}/resumed-{{ $binary.data.fileName }}`),
		],
		connections: chain('Start', 'Generate video', 'Save MP4'),
		settings: { executionOrder: 'v1' },
	};
}

/** Form-like upload (multipart photo) → Generate with the photo as first frame (binary reference) → MP4 on disk. */
function photoToVideo(files) {
	return {
		id: 'e2ePhotoToVideo1',
		name: 'e2e: photo upload to video',
		nodes: [
			node('Photo upload', 'n8n-nodes-base.webhook', 2, [0, 0], { httpMethod: 'POST', path: 'e2e-photo', responseMode: 'onReceived', options: {} }, { webhookId: '3c9d1f0e-4c55-4a77-8f5e-6d2c1b0a9e22' }),
			node('Animate photo', 'n8n-nodes-ai-stats.aiStats', 1, [220, 0], {
				resource: 'video',
				operation: 'generate',
				model: { __rl: true, mode: 'id', value: 'google/veo-3.1-lite' },
				prompt: '={{ $json.body.motion }}',
				waitForCompletion: 'poll',
				inputReferences: { reference: [{ source: 'binary', binaryPropertyName: 'photo', mediaType: 'image', role: 'first_frame', delivery: 'link' }] },
				// The instance listens on http://127.0.0.1: only a self-hosted gateway (the simulator) can fetch that.
				options: { allowPrivateReferenceUrls: true },
				waitOptions: { pollIntervalSeconds: 1 },
			}, { credentials: CREDENTIAL }),
			writeFile('Save MP4', [440, 0], `=${files}/photo-{{ $binary.data.fileName }}`),
		],
		connections: chain('Photo upload', 'Animate photo', 'Save MP4'),
		settings: { executionOrder: 'v1' },
	};
}

module.exports = { generateAndSave, downloadLink, triggerNotify, invalidCombination, noFunds, resume, photoToVideo };
