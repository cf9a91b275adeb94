'use strict';
/**
 * A small OpenAI-compatible chat-completions server for the AI Agent e2e suite: n8n's OpenAI Chat
 * Model node (credential Base URL pointed here) talks to it as it would to OpenAI.
 *
 * What the model "says" comes from a script, `(request, index) => reply`, where a reply is
 * `{ content: 'text' }` or `{ toolCalls: [{ name, arguments: {...} }] }`. Every request is
 * recorded with the time it arrived and the time its reply was sent, so a test can read exactly
 * what the agent handed to the model — the tool results above all — and how long a tool took
 * (the next request's arrival minus the reply that asked for the tool).
 *
 * Routes: POST /v1/chat/completions (JSON, or server-sent events when `stream: true`),
 * GET /v1/models. Anything else is a 404 in OpenAI's error shape.
 */
const http = require('node:http');

const MODEL = 'gpt-4o-mini';

/** The tool names a request offers the model. */
function toolNames(body) {
	return (body.tools || []).map((tool) => tool.function?.name).filter(Boolean);
}

/**
 * The tool results in a request's conversation, oldest first:
 * [{ id, name, arguments, content }] (name and arguments from the assistant message that asked).
 */
function toolResults(body) {
	const calls = new Map();
	for (const message of body.messages || []) {
		for (const call of message.tool_calls || []) calls.set(call.id, call.function);
	}
	return (body.messages || [])
		.filter((message) => message.role === 'tool')
		.map((message) => {
			const call = calls.get(message.tool_call_id) || {};
			const content = Array.isArray(message.content) ? message.content.map((part) => part.text ?? '').join('') : String(message.content ?? '');
			return { id: message.tool_call_id, name: call.name, arguments: call.arguments, content };
		});
}

function completion(reply, index) {
	const toolCalls = (reply.toolCalls || []).map((call, position) => ({
		id: `call_${index}_${position}`,
		type: 'function',
		function: { name: call.name, arguments: JSON.stringify(call.arguments ?? {}) },
	}));
	const message = toolCalls.length ? { role: 'assistant', content: null, tool_calls: toolCalls } : { role: 'assistant', content: reply.content ?? '' };
	return {
		id: `chatcmpl-e2e-${index}`,
		object: 'chat.completion',
		created: Math.floor(Date.now() / 1000),
		model: MODEL,
		choices: [{ index: 0, message, logprobs: null, finish_reason: toolCalls.length ? 'tool_calls' : 'stop' }],
		usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
	};
}

/** The same completion as the chunks a streaming client expects. */
function chunks(result) {
	const { message, finish_reason } = result.choices[0];
	const base = { id: result.id, object: 'chat.completion.chunk', created: result.created, model: MODEL };
	const delta = message.tool_calls
		? { role: 'assistant', content: null, tool_calls: message.tool_calls.map((call, index) => ({ index, ...call })) }
		: { role: 'assistant', content: message.content };
	return [
		{ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] },
		{ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason }], usage: result.usage },
	];
}

function readBody(request) {
	return new Promise((resolve, reject) => {
		const parts = [];
		request.on('data', (part) => parts.push(part));
		request.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
		request.on('error', reject);
	});
}

/**
 * Starts the mock on 127.0.0.1 (free port). Resolves { baseUrl (…/v1, what the credential's Base
 * URL takes), requests (the record), close() }.
 */
async function createOpenAiMock({ script }) {
	const requests = [];
	const server = http.createServer(async (request, response) => {
		const send = (status, value) => {
			response.writeHead(status, { 'content-type': 'application/json' });
			response.end(JSON.stringify(value));
		};
		try {
			const path = new URL(request.url, 'http://mock').pathname;
			if (request.method === 'GET' && path === '/v1/models') {
				return send(200, { object: 'list', data: [{ id: MODEL, object: 'model', created: 0, owned_by: 'e2e' }] });
			}
			if (request.method !== 'POST' || path !== '/v1/chat/completions') {
				return send(404, { error: { message: `the e2e mock does not serve ${request.method} ${path}`, type: 'invalid_request_error' } });
			}
			const record = { at: Date.now(), headers: request.headers, body: JSON.parse(await readBody(request)) };
			requests.push(record);
			const index = requests.length - 1;
			record.reply = await script(record.body, index);
			const result = completion(record.reply, index);
			record.repliedAt = Date.now();
			if (!record.body.stream) return send(200, result);
			response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
			for (const chunk of chunks(result)) response.write(`data: ${JSON.stringify(chunk)}\n\n`);
			response.end('data: [DONE]\n\n');
		} catch (error) {
			send(500, { error: { message: `e2e mock: ${error.message}`, type: 'server_error' } });
		}
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address();
	return {
		baseUrl: `http://127.0.0.1:${port}/v1`,
		requests,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}

module.exports = { createOpenAiMock, toolNames, toolResults, MODEL };
