'use strict';
/**
 * AI Stats (Phaseo) Gateway simulator: a faithful local implementation of the video API and its
 * webhook deliveries, served over real HTTP. Plain Node.js, no dependencies.
 *
 *   const { createSimulator } = require('./simulator');
 *   const sim = await createSimulator({ jobMs: 300 });
 *   // … point the client at sim.baseUrl with sim.keys.inference …
 *   await sim.close();
 *
 * See simulator/README.md for options, keys, prompt directives, faults and the /__sim control API.
 */

const http = require('node:http');
const { newId } = require('./lib/util');
const { defaultOptions, applyOptions, STARTUP_ONLY, publicOptions } = require('./lib/options');
const { keyMap } = require('./lib/keys');
const { flatError } = require('./lib/errors');
const { ContentService, MIME_TYPE } = require('./lib/content');
const { FaultRegistry } = require('./lib/faults');
const { EndpointStore } = require('./lib/endpoints');
const { ReferenceFetcher } = require('./lib/references');
const { JobStore, rawStatus } = require('./lib/jobs');
const { WebhookEngine } = require('./lib/webhooks');
const { Api, matchRoute, classifySigned } = require('./lib/api');
const { handleControl } = require('./lib/control');
const { readBody, sendReply, replacementReply, resetSocket, delay } = require('./lib/http');
const { signPayload } = require('./lib/signing');
const { parseMultipart, MULTIPART_BODY_LIMIT } = require('./lib/inline');

const REPLACING_FAULTS = new Set(['status', 'reset', 'malformed', 'html', 'empty', 'huge']);
const STREAM_FAULTS = new Set(['drop', 'truncate', 'corrupt', 'stall', 'no-length']);
const PHASES = ['created', 'status_changed', 'progress', 'completed', 'failed', 'cancelled', 'expired'];

/**
 * Starts a simulator listening on `options.host:options.port` (port 0 = random free port).
 * @param {Record<string, any>} [userOptions]
 */
async function createSimulator(userOptions = {}) {
	const options = applyOptions(defaultOptions(), userOptions);
	const getOptions = () => options;

	/** Every timer the simulator owns: unref'd so test runners can exit, cleared on reset/close. */
	const timers = new Set();
	const schedule = (fn, ms) => {
		const timer = setTimeout(() => {
			timers.delete(timer);
			fn();
		}, ms);
		timer.unref?.();
		timers.add(timer);
		return timer;
	};
	const cancel = (timer) => {
		clearTimeout(timer);
		timers.delete(timer);
	};

	let origin = '';
	const publicOrigin = () => options.publicUrl ?? origin;
	const content = new ContentService();
	const faults = new FaultRegistry();
	const endpoints = new EndpointStore();
	const references = new ReferenceFetcher({ options: getOptions });
	const jobs = new JobStore({ options: getOptions, publicOrigin, content, endpoints, references, schedule, cancel });
	const webhooks = new WebhookEngine({
		options: getOptions,
		faults,
		resolveTarget: (job) => jobs.resolveTarget(job),
		buildEvent: (job, type, extra) => jobs.buildEvent(job, type, extra),
		schedule,
	});
	jobs.webhooks = webhooks;
	/** Inline input references the simulator received and decoded (production `input_reference`). */
	let received = [];
	const api = new Api({ options: getOptions, jobs, endpoints, content, received: { push: (entry) => received.push(entry) } });

	/** @type {Array<Record<string, any>>} */
	let requestLog = [];
	const sockets = new Set();
	let closed = false;

	const server = http.createServer((req, res) => {
		handleRequest(req, res).catch((error) => {
			if (!res.headersSent && !res.destroyed) {
				const reply = flatError('gateway_error', { requestId: newId('req', 20), message: `Simulator error: ${error.message}` });
				res.writeHead(reply.status, { 'content-type': 'application/json' });
				res.end(JSON.stringify(reply.json));
			} else {
				res.destroy();
			}
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	server.on('clientError', (_error, socket) => {
		if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
		else socket.destroy();
	});

	async function handleRequest(req, res) {
		res.on('error', () => undefined);
		const started = Date.now();
		const requestId = newId('req', 20);
		const url = new URL(req.url ?? '/', 'http://simulator.local');
		let bodyResult;
		const contentType = String(req.headers['content-type'] ?? '');
		const multipart = /^multipart\/form-data/i.test(contentType);
		try {
			// The server reads multipart bodies up to 32 MiB, JSON up to 16 MiB (maxBodyBytes).
			bodyResult = await readBody(req, multipart ? Math.max(options.maxBodyBytes, MULTIPART_BODY_LIMIT) : options.maxBodyBytes);
		} catch {
			return; // client went away mid-upload
		}
		const body = multipart ? parseMultipartBody(bodyResult, contentType) : parseBody(bodyResult);

		if (url.pathname === '/__sim' || url.pathname.startsWith('/__sim/')) {
			let segments;
			try {
				segments = url.pathname.split('/').slice(2).filter(Boolean).map(decodeURIComponent);
			} catch {
				await sendReply({ req, res, requestId }, { status: 400, json: { error: 'Malformed path' } });
				return;
			}
			const reply = await handleControl(sim, { method: req.method ?? 'GET', segments, query: url.searchParams, body });
			await sendReply({ req, res, requestId }, reply);
			return;
		}

		const route = matchRoute(req.method ?? 'GET', url.pathname);
		const logEntry = options.logRequests
			? {
					method: req.method,
					path: url.pathname,
					query: queryObject(url.searchParams),
					headers: { ...req.headers },
					body: body.logged,
					bodyBytes: bodyResult.size,
					time: started,
					status: undefined,
					requestId,
				}
			: undefined;
		if (logEntry) requestLog.push(logEntry);
		res.on('close', () => {
			options.logger?.(`${req.method} ${url.pathname}${url.search ? redactQuery(url) : ''} → ${logEntry?.status ?? res.statusCode} ${Date.now() - started}ms`);
		});
		const ctx = { req, res, requestId, url, query: url.searchParams, route, body, logEntry, signed: undefined, createdJobId: undefined };

		if (!route) {
			const reply = flatError('not_found', { reason: 'route_not_found', message: `No route for ${req.method} ${url.pathname}`, requestId });
			await sendReply(ctx, reply);
			return;
		}
		if (route.handler === 'getContent') ctx.signed = classifySigned(url, options.signedUrlSecret);
		const routeKey = ctx.signed !== undefined ? 'signed-content' : route.key;
		const fault = faults.take(routeKey, {
			isApiRoute: true,
			videoId: route.id,
			jobIsTerminal: (id) => {
				const job = jobs.get(id);
				return job ? jobs.isTerminal(job) : undefined;
			},
		});
		const commitFirst = fault?.commit === true && route.key === 'POST /videos';
		if (fault?.kind === 'delay') await delay(fault.delayMs ?? 1000);
		if (fault && REPLACING_FAULTS.has(fault.kind) && !commitFirst) {
			await applyReplacement(ctx, fault);
			return;
		}
		let reply;
		try {
			reply = await api[route.handler](ctx);
		} catch (error) {
			reply = flatError('gateway_error', { requestId, message: `Simulator error: ${error.message}` });
		}
		if (!reply) reply = flatError('not_found', { reason: 'route_not_found', requestId });
		if (fault && REPLACING_FAULTS.has(fault.kind)) {
			reply.stream?.destroy();
			await applyReplacement(ctx, fault);
			return;
		}
		await sendReply(ctx, reply, fault && STREAM_FAULTS.has(fault.kind) ? fault : undefined);
	}

	async function applyReplacement(ctx, fault) {
		const replacement = replacementReply(fault, ctx.requestId);
		if (replacement === 'reset') {
			if (ctx.logEntry) ctx.logEntry.status = 0;
			resetSocket(ctx.req.socket);
			return;
		}
		await sendReply(ctx, replacement);
	}

	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port, options.host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const address = server.address();
	const host = ['0.0.0.0', '::', ''].includes(options.host) ? '127.0.0.1' : options.host.includes(':') ? `[${options.host}]` : options.host;
	origin = `http://${host}:${address.port}`;

	const resolveJob = (jobOrId) => {
		const id = typeof jobOrId === 'string' ? jobOrId : jobOrId?.id;
		const job = id ? jobs.get(id) : undefined;
		if (!job) throw Object.assign(new Error(`Unknown video id ${id}`), { code: 'not_found' });
		return job;
	};

	const sim = {
		origin,
		get baseUrl() {
			return `${publicOrigin()}/v1`;
		},
		port: address.port,
		keys: keyMap(),
		startedAt: Date.now(),
		server,

		async close() {
			if (closed) return;
			closed = true;
			for (const timer of timers) clearTimeout(timer);
			timers.clear();
			jobs.reset();
			webhooks.close();
			references.reset();
			const done = new Promise((resolve) => server.close(() => resolve()));
			for (const socket of sockets) socket.destroy();
			await done;
		},

		reset() {
			for (const timer of timers) clearTimeout(timer);
			timers.clear();
			jobs.reset();
			requestLog = [];
			faults.clear();
			endpoints.reset();
			webhooks.reset();
			references.reset();
			received = [];
		},

		setOptions(partial) {
			for (const name of STARTUP_ONLY) {
				if (partial && partial[name] !== undefined && partial[name] !== options[name]) {
					throw new TypeError(`Option ${name} cannot change after the simulator started`);
				}
			}
			const { host: _host, port: _port, ...rest } = partial ?? {};
			applyOptions(options, rest);
		},
		getOptions: () => publicOptions(options),

		injectFault: (fault) => {
			faults.add(fault);
		},
		clearFaults: () => faults.clear(),
		faults: () => faults.list(),

		requests: () => requestLog.map((entry) => ({ ...entry, headers: { ...entry.headers }, query: { ...entry.query } })),
		clearRequests() {
			requestLog = [];
		},

		jobs: () => jobs.all().sort((a, b) => a.createdMs - b.createdMs || a.seq - b.seq).map((job) => jobs.toPublic(job)),
		getJob(id) {
			const job = jobs.get(id);
			return job ? jobs.toPublic(job) : undefined;
		},
		async completeJob(id) {
			return jobs.toPublic(await jobs.forceComplete(id));
		},
		failJob: (id, error) => jobs.toPublic(jobs.forceFail(id, error)),
		expireJob: (id) => jobs.toPublic(jobs.forceTerminate(id, 'expired')),
		cancelJob: (id) => jobs.toPublic(jobs.forceTerminate(id, 'cancelled')),

		deliveries: () => webhooks.log.map((entry) => ({ ...entry, headers: { ...entry.headers } })),
		clearDeliveries() {
			webhooks.log = [];
		},
		waitForDeliveries: (predicate, timeoutMs = 5000) => webhooks.waitFor(predicate, timeoutMs),
		releaseWebhooks: () => webhooks.releaseHeld(),
		heldWebhooks: () => webhooks.held.length,
		webhookEndpointSecret(id) {
			const endpoint = endpoints.endpoints.get(id);
			return endpoint ? endpoint.secret : undefined;
		},

		buildEvent(jobOrId, type, extra = {}) {
			const job = resolveJob(jobOrId);
			const phase = String(type).replace(/^(video|job)\./, '');
			if (!PHASES.includes(phase)) throw new TypeError(`Unknown event type '${type}'; expected one of ${PHASES.map((p) => `video.${p}`).join(', ')}`);
			const derived = { ...extra };
			if (phase === 'status_changed' && derived.previousStatus === undefined) {
				derived.previousStatus = job.status === 'processing' || !job.startedMs ? 'queued' : 'in_progress';
				derived.currentStatus ??= rawStatus(job.status);
			}
			return jobs.buildEvent(job, `video.${phase}`, derived);
		},
		signPayload: (secret, timestamp, rawBody) => signPayload(secret, timestamp, rawBody),

		async deliverEvent(args) {
			if (!args || typeof args.url !== 'string' || typeof args.secret !== 'string' || !args.event) {
				throw new TypeError('deliverEvent needs {url, secret, event}');
			}
			let event = args.event;
			if (args.attempt !== undefined || args.maxAttempts !== undefined) {
				event = { ...event, delivery: { ...(event.delivery ?? {}) } };
				if (args.attempt !== undefined) event.delivery.attempt = args.attempt;
				if (args.maxAttempts !== undefined) event.delivery.max_attempts = args.maxAttempts;
			}
			const result = await webhooks.send({
				url: args.url,
				secret: args.secret,
				event,
				timestamp: args.timestamp,
				tamper: args.tamper,
				attempt: args.attempt,
				maxAttempts: args.maxAttempts,
				jobId: event?.data?.id,
				manual: true,
			});
			if (result.status === undefined) throw new Error(result.error ?? 'delivery failed');
			return { status: result.status, body: result.responseBody ?? '', headers: result.responseHeaders, rawBody: result.body, requestHeaders: result.headers };
		},

		references: () => references.log.map((entry) => ({ ...entry })),
		receivedReferences: () => received.map((entry) => ({ ...entry })),
		clearReceivedReferences() {
			received = [];
		},

		contentFor(id, index = 0) {
			const job = resolveJob(id);
			const spec = job.content[index];
			if (!spec) throw Object.assign(new Error(`Video ${id} has no output index ${index}`), { code: 'not_found' });
			return { bytes: content.length(spec), sha256: content.sha256Sync(spec), mimeType: MIME_TYPE };
		},

		/** Readable stream of exactly the bytes the content route serves (for byte-level comparisons). */
		contentStream(id, index = 0) {
			const job = resolveJob(id);
			const spec = job.content[index];
			if (!spec) throw Object.assign(new Error(`Video ${id} has no output index ${index}`), { code: 'not_found' });
			return content.createStream(spec);
		},
	};
	return sim;
}

/** Parsed JSON, the raw text for logging, and whether the body was invalid JSON. */
function parseBody(result) {
	if (result.tooLarge) return { tooLarge: true, invalid: false, parsed: undefined, logged: undefined, size: result.size };
	if (result.buffer.length === 0) return { tooLarge: false, invalid: false, parsed: undefined, logged: undefined, size: 0 };
	const text = result.buffer.toString('utf8');
	try {
		const parsed = JSON.parse(text);
		return { tooLarge: false, invalid: false, parsed, logged: parsed, size: result.size };
	} catch {
		return { tooLarge: false, invalid: true, parsed: undefined, logged: text, size: result.size };
	}
}

/** A multipart/form-data body parsed the way the server's parseFormBody does. */
function parseMultipartBody(result, contentType) {
	if (result.tooLarge) return { tooLarge: true, invalid: false, multipart: true, parsed: undefined, logged: undefined, size: result.size };
	const parsed = parseMultipart(result.buffer, contentType);
	if (!parsed) return { tooLarge: false, invalid: true, multipart: true, parsed: undefined, logged: '[invalid multipart body]', size: result.size };
	return { tooLarge: false, invalid: false, multipart: true, parsed, logged: JSON.parse(JSON.stringify(parsed)), size: result.size };
}

/** URLSearchParams → object (repeated keys become arrays). */
function queryObject(params) {
	const out = {};
	for (const [name, value] of params) {
		if (name in out) out[name] = Array.isArray(out[name]) ? [...out[name], value] : [out[name], value];
		else out[name] = value;
	}
	return out;
}

/** Query string for console logs with signatures elided. */
function redactQuery(url) {
	const copy = new URLSearchParams(url.searchParams);
	for (const name of ['download_sig', 'download_token']) if (copy.has(name)) copy.set(name, '…');
	return `?${copy.toString()}`;
}

module.exports = { createSimulator };
