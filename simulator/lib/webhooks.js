'use strict';
/**
 * Webhook deliveries, as the gateway sends them.
 *
 * - POST, body = JSON.stringify(event), headers: content-type, user-agent Phaseo-Async-Webhook/1.0,
 *   x-phaseo-event-id (stable across retries), x-phaseo-event-type, x-phaseo-delivery-key,
 *   x-phaseo-attempt, x-phaseo-max-attempts, x-phaseo-timestamp and x-phaseo-signature (fresh per attempt).
 * - Any 2xx = delivered; 3xx = failure (redirects are never followed); timeout = failure.
 * - Attempt n+1 is scheduled `webhookRetryDelaysMs[n]` after a failed attempt n; attempt 1 waits
 *   `webhookRetryDelaysMs[0]` (0 = immediately). Max attempts = the array length (4 by default).
 * - Every (job, delivery key) is dispatched once; the event body is rebuilt from the job's current
 *   state on each attempt (as the server does), with the same event id and delivery key.
 */

const http = require('node:http');
const https = require('node:https');
const { signPayload } = require('./signing');

const USER_AGENT = 'Phaseo-Async-Webhook/1.0';
const RESPONSE_PREVIEW_BYTES = 64 * 1024;
const STALE_TIMESTAMP_OFFSET_SECONDS = 600;

const TAMPERS = ['bad-signature', 'stale-timestamp', 'missing-signature', 'missing-timestamp', 'uppercase-hex', 'sha256-prefix', 'tampered-body'];

/**
 * @typedef {{url: string, eventId: string, type: string, deliveryKey: string, attempt: number, maxAttempts: number,
 *   headers: Record<string, string>, body: string, status: number|undefined, error: string|undefined, ok: boolean,
 *   time: number, durationMs: number, jobId: string|undefined, manual: boolean, responseBody: string|undefined}} DeliveryAttempt
 */

/** Event id the gateway derives from the job and delivery key. */
function eventIdFor(jobId, deliveryKey) {
	return ['evt', 'video', jobId, deliveryKey].join('_').replace(/[^a-zA-Z0-9_-]+/g, '_').slice(0, 160);
}

/** True when normalised subscriptions include `job.<phase>` or `video.<phase>`. */
function isSubscribed(events, phase) {
	return events.includes(`job.${phase}`) || events.includes(`video.${phase}`);
}

class WebhookEngine {
	/**
	 * @param {{options: () => Record<string, any>, faults: import('./faults').FaultRegistry,
	 *   resolveTarget: (job: any) => ({url: string, secret: string, events: string[]} | null),
	 *   buildEvent: (job: any, type: string, extra: Record<string, any>) => Record<string, any>,
	 *   schedule: (fn: () => void, ms: number) => unknown}} deps
	 */
	constructor(deps) {
		this.deps = deps;
		/** @type {DeliveryAttempt[]} */
		this.log = [];
		/** @type {Set<import('node:http').ClientRequest>} */
		this.inflight = new Set();
		/** @type {Set<{check: () => void}>} */
		this.waiters = new Set();
		this.generation = 0;
		/** Attempts held back while `holdWebhooks` is on, released together by `releaseHeld()`. */
		this.held = [];
	}

	/** Sends every held attempt at once (the "all callbacks of a batch arrive together" case). */
	releaseHeld() {
		const held = this.held;
		this.held = [];
		for (const run of held) run();
		return held.length;
	}

	reset() {
		this.generation += 1;
		this.log = [];
		this.held = [];
		for (const request of this.inflight) request.destroy(new Error('simulator reset'));
		this.inflight.clear();
	}

	close() {
		this.reset();
		for (const waiter of this.waiters) waiter.fail(new Error('simulator closed'));
		this.waiters.clear();
	}

	/**
	 * Starts delivery of one lifecycle event for a job (no-op when the job has no webhook, the event is
	 * not subscribed, or this delivery key was already dispatched).
	 * @param {any} job internal job record (must have `webhook` and `dispatchedKeys`)
	 * @param {string} phase created|status_changed|progress|completed|failed|cancelled|expired
	 * @param {{deliveryKey: string, progress?: number|null, previousStatus?: string, currentStatus?: string}} extra
	 */
	dispatch(job, phase, extra) {
		if (!job.webhook || job.dispatchedKeys.has(extra.deliveryKey)) return;
		const target = this.deps.resolveTarget(job);
		if (!target || !isSubscribed(target.events, phase)) return;
		job.dispatchedKeys.add(extra.deliveryKey);
		const delays = this.deps.options().webhookRetryDelaysMs;
		this.scheduleAttempt(job, phase, extra, 1, delays.length, delays[0] ?? 0);
	}

	scheduleAttempt(job, phase, extra, attempt, maxAttempts, delayMs) {
		const generation = this.generation;
		const run = () => {
			if (generation !== this.generation) return;
			this.attempt(job, phase, extra, attempt, maxAttempts).catch(() => {
				/* attempt() records its own failures */
			});
		};
		if (attempt === 1 && this.deps.options().holdWebhooks) this.held.push(run);
		else if (delayMs <= 0) setImmediate(run);
		else this.deps.schedule(run, delayMs);
	}

	async attempt(job, phase, extra, attempt, maxAttempts) {
		const target = this.deps.resolveTarget(job);
		if (!target || !isSubscribed(target.events, phase)) return;
		const type = `video.${phase}`;
		const event = this.deps.buildEvent(job, type, { ...extra, attempt, maxAttempts });
		const fault = this.deps.faults.take('webhook', { isApiRoute: false, eventType: type, videoId: job.id });
		if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1000));
		const tamper = fault && (fault.kind === 'bad-signature' || fault.kind === 'stale-timestamp') ? fault.kind : undefined;
		const timestamp = Math.floor(Date.now() / 1000) - (tamper === 'stale-timestamp' ? STALE_TIMESTAMP_OFFSET_SECONDS : 0);
		const send = () =>
			this.send({ url: target.url, secret: target.secret, event, timestamp, tamper, attempt, maxAttempts, jobId: job.id, manual: false });
		// `webhookCopies` > 1: the same attempt sent several times at once (at-least-once delivery).
		const copies = Math.max(1, Math.floor(this.deps.options().webhookCopies ?? 1));
		const sent = await Promise.all(Array.from({ length: copies }, () => send()));
		let result = sent.find((entry) => entry.ok) ?? sent[0];
		if (fault?.kind === 'duplicate') {
			const second = await send();
			result = result.ok ? result : second;
		}
		if (result.ok) return;
		if (attempt < maxAttempts) {
			const delays = this.deps.options().webhookRetryDelaysMs;
			this.scheduleAttempt(job, phase, extra, attempt + 1, maxAttempts, delays[attempt] ?? delays[delays.length - 1]);
		}
	}

	/**
	 * One signed POST. Used by automatic deliveries and by `sim.deliverEvent`.
	 * @param {{url: string, secret: string, event: Record<string, any>, timestamp?: number, tamper?: string,
	 *   attempt?: number, maxAttempts?: number, jobId?: string, manual: boolean}} args
	 * @returns {Promise<DeliveryAttempt & {responseHeaders: Record<string, string|string[]|undefined>}>}
	 */
	async send(args) {
		if (args.tamper !== undefined && !TAMPERS.includes(args.tamper)) throw new TypeError(`Unknown tamper '${args.tamper}'`);
		const attempt = args.attempt ?? args.event?.delivery?.attempt ?? 1;
		const maxAttempts = args.maxAttempts ?? args.event?.delivery?.max_attempts ?? this.deps.options().webhookRetryDelaysMs.length;
		const rawBody = JSON.stringify(args.event);
		const timestamp = args.timestamp ?? Math.floor(Date.now() / 1000) - (args.tamper === 'stale-timestamp' ? STALE_TIMESTAMP_OFFSET_SECONDS : 0);
		let signature = signPayload(args.tamper === 'bad-signature' ? `${args.secret}_wrong` : args.secret, timestamp, rawBody);
		if (args.tamper === 'uppercase-hex') signature = signature.toUpperCase();
		if (args.tamper === 'sha256-prefix') signature = `sha256=${signature}`;
		const body = args.tamper === 'tampered-body' ? rawBody.replace(/}$/, ',"tampered":true}') : rawBody;
		const deliveryKey = args.event?.delivery?.key ?? String(args.event?.type ?? 'video.event');
		/** @type {Record<string, string>} */
		const headers = {
			'content-type': 'application/json',
			'user-agent': USER_AGENT,
			'x-phaseo-event-id': String(args.event?.id ?? ''),
			'x-phaseo-event-type': String(args.event?.type ?? ''),
			'x-phaseo-delivery-key': deliveryKey,
			'x-phaseo-attempt': String(attempt),
			'x-phaseo-max-attempts': String(maxAttempts),
		};
		if (args.tamper !== 'missing-timestamp') headers['x-phaseo-timestamp'] = String(timestamp);
		if (args.tamper !== 'missing-signature') headers['x-phaseo-signature'] = signature;

		const started = Date.now();
		const outcome = await this.post(args.url, headers, body);
		/** @type {DeliveryAttempt} */
		const entry = {
			url: args.url,
			eventId: headers['x-phaseo-event-id'],
			type: headers['x-phaseo-event-type'],
			deliveryKey,
			attempt,
			maxAttempts,
			headers,
			body,
			status: outcome.status,
			error: outcome.error,
			ok: outcome.error === undefined && outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300,
			time: started,
			durationMs: Date.now() - started,
			jobId: args.jobId,
			manual: args.manual,
			responseBody: outcome.body,
		};
		if (entry.error === undefined && !entry.ok && entry.status !== undefined) {
			entry.error = entry.status >= 300 && entry.status < 400 ? 'Webhook redirects are not allowed' : `Webhook returned HTTP ${entry.status}`;
		}
		this.record(entry);
		return { ...entry, responseHeaders: outcome.headers ?? {} };
	}

	/** @returns {Promise<{status?: number, body?: string, headers?: Record<string, any>, error?: string}>} */
	post(url, headers, body) {
		const options = this.deps.options();
		return new Promise((resolve) => {
			let parsed;
			try {
				parsed = new URL(url);
			} catch {
				resolve({ error: 'Webhook URL rejected: webhook_url_invalid' });
				return;
			}
			if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
				resolve({ error: 'Webhook URL rejected: webhook_url_must_use_https' });
				return;
			}
			const transport = parsed.protocol === 'https:' ? https : http;
			const payload = Buffer.from(body);
			let settled = false;
			const finish = (value) => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				this.inflight.delete(request);
				resolve(value);
			};
			const request = transport.request(parsed, {
				method: 'POST',
				headers: { ...headers, 'content-length': payload.length },
				agent: false,
				rejectUnauthorized: !options.insecureTls,
			});
			this.inflight.add(request);
			const timeoutMs = options.webhookTimeoutMs;
			const timer = setTimeout(() => {
				request.destroy();
				finish({ error: `Webhook request timed out after ${timeoutMs}ms` });
			}, timeoutMs);
			timer.unref?.();
			request.on('response', (response) => {
				const chunks = [];
				let size = 0;
				response.on('data', (chunk) => {
					if (size < RESPONSE_PREVIEW_BYTES) chunks.push(chunk);
					size += chunk.length;
					if (size >= RESPONSE_PREVIEW_BYTES) response.destroy();
				});
				const done = () =>
					finish({
						status: response.statusCode,
						body: Buffer.concat(chunks).subarray(0, RESPONSE_PREVIEW_BYTES).toString('utf8'),
						headers: response.headers,
					});
				response.on('end', done);
				response.on('close', done);
				response.on('error', done);
			});
			request.on('error', (error) => finish({ error: error.message || String(error) }));
			request.end(payload);
		});
	}

	record(entry) {
		this.log.push(entry);
		for (const waiter of [...this.waiters]) waiter.check();
	}

	/**
	 * Resolves once `predicate` accepts the delivery log. The predicate is first given the whole list
	 * (resolve with the list), then each attempt (resolve with the matching attempts), so both
	 * `list => list.some(…)` and `attempt => attempt.type === …` work.
	 */
	waitFor(predicate, timeoutMs) {
		return new Promise((resolve, reject) => {
			const waiter = {
				check: () => {
					const snapshot = [...this.log];
					let whole = false;
					try {
						whole = Boolean(predicate(snapshot));
					} catch {
						whole = false;
					}
					if (whole) return settle(() => resolve(snapshot));
					const matching = snapshot.filter((entry) => {
						try {
							return Boolean(predicate(entry));
						} catch {
							return false;
						}
					});
					if (matching.length > 0) settle(() => resolve(matching));
				},
				fail: (error) => settle(() => reject(error)),
			};
			const timer = setTimeout(() => {
				const seen = this.log.map((entry) => `${entry.type}#${entry.attempt}→${entry.status ?? entry.error}`).join(', ');
				settle(() => reject(new Error(`waitForDeliveries timed out after ${timeoutMs}ms; deliveries so far: [${seen}]`)));
			}, timeoutMs);
			timer.unref?.();
			const settle = (fn) => {
				clearTimeout(timer);
				this.waiters.delete(waiter);
				fn();
			};
			this.waiters.add(waiter);
			waiter.check();
		});
	}
}

module.exports = { WebhookEngine, eventIdFor, isSubscribed, USER_AGENT, TAMPERS };
