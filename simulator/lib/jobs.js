'use strict';
/**
 * Video jobs: creation, the fast-clock lifecycle, public serialisation, and webhook event payloads.
 *
 * Lifecycle: queued (queuedMs) → processing (progress rising every progressStepMs) → terminal after
 * the processing time. Outcome per job, in priority order: a model capability problem (provider
 * rejects → failed right after queueing), a prompt directive (`[sim:fail]` …), the next entry of
 * `options.nextOutcomes`, else completed. Internally "processing" is stored as the provider's raw
 * `in_progress`, which is what status_changed events carry (the public `status` says `processing`).
 */

const { newId, isoTime, unixSeconds, fnv1a, clone } = require('./util');
const { checkSupport, resolveGeometry, estimateCostUsd, hasAudio, PRODUCTION_ASSET_FACTS } = require('./models');
const { progressStep, profileOf } = require('./options');
const { providerFailure, DIAGNOSTIC_CATEGORY, CATEGORIES } = require('./failures');
const { contentUrl, issueDownloadUrl } = require('./signing');
const { normalizeWebhookEvents } = require('./validate');
const { eventIdFor } = require('./webhooks');
const { MIME_TYPE } = require('./content');

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'expired']);
const DEFAULT_WEBHOOK_EVENTS = ['job.status_changed', 'job.completed', 'job.failed', 'job.cancelled', 'job.expired'];
const STUCK_PROGRESS = 50;

/** Public status → raw provider/DB status (what status_changed events and delivery keys carry). */
const rawStatus = (status) => (status === 'processing' ? 'in_progress' : status);
const lifecycleStatus = (status) =>
	({ queued: 'pending', processing: 'running', completed: 'completed', failed: 'failed', cancelled: 'cancelled', expired: 'expired' })[status];

/** Gateway progress buckets: 10 % steps, clamped into [5, 95]; null outside (0, 100). */
function progressBucket(progress) {
	if (typeof progress !== 'number' || progress <= 0 || progress >= 100) return null;
	return Math.max(5, Math.min(95, Math.round(Math.round(progress) / 10) * 10));
}

/**
 * Prompt directives, e.g. "A cat [sim:fail]" or "[sim:ms=1500]".
 * @returns {{outcome?: string, processingMs?: number, queuedMs?: number, errorAsString: boolean, guardrail: boolean}}
 */
function parseDirectives(prompt) {
	const out = { errorAsString: false, guardrail: false, insufficientFunds: false, minimaxContentError: false };
	const pattern = /\[sim:([a-z-]+)(?:=([^\]]*))?\]/gi;
	let match;
	while ((match = pattern.exec(String(prompt ?? ''))) !== null) {
		const name = match[1].toLowerCase();
		const value = match[2];
		if (name === 'fail' && value !== undefined && CATEGORIES.includes(value)) {
			out.outcome = 'fail';
			out.failureCategory = value;
		} else if (name === 'fail' || name === 'expire' || name === 'cancel' || name === 'stuck' || name === 'complete') out.outcome = name;
		else if (name === 'upstream-error-string') {
			out.outcome = 'fail';
			out.errorAsString = true;
		} else if (name === 'ms' && Number.isFinite(Number(value))) out.processingMs = Math.max(0, Number(value));
		else if (name === 'queued-ms' && Number.isFinite(Number(value))) out.queuedMs = Math.max(0, Number(value));
		else if (name === 'guardrail') out.guardrail = true;
		else if (name === 'insufficient-funds') out.insufficientFunds = true;
		else if (name === 'asset-bytes' && (value === 'none' || value === 'known')) out.assetBytes = value === 'known';
		else if (name === 'content-length' && (value === 'none' || value === 'sent')) out.contentLength = value === 'sent';
		else if (name === 'minimax-api-error') out.minimaxContentError = true;
		else if (name === 'delete-error') out.deleteErrorStatus = Number.isInteger(Number(value)) && Number(value) >= 400 ? Number(value) : 500;
	}
	return out;
}

class JobStore {
	/**
	 * @param {{options: () => Record<string, any>, publicOrigin: () => string, content: import('./content').ContentService,
	 *   endpoints: import('./endpoints').EndpointStore, references: import('./references').ReferenceFetcher,
	 *   schedule: (fn: () => void, ms: number) => any, cancel: (handle: any) => void}} deps
	 */
	constructor(deps) {
		this.deps = deps;
		/** @type {Map<string, any>} */
		this.jobs = new Map();
		/** @type {import('./webhooks').WebhookEngine|undefined} set by the simulator after construction */
		this.webhooks = undefined;
		this.sequence = 0;
	}

	reset() {
		for (const job of this.jobs.values()) this.clearTimers(job);
		this.jobs.clear();
	}

	get(id) {
		return this.jobs.get(id);
	}

	all() {
		return [...this.jobs.values()];
	}

	/**
	 * Creates and starts a job from a validated body.
	 * @param {{key: {workspaceId: string}, body: Record<string, any>, model: any, requestId: string, directives: ReturnType<typeof parseDirectives>,
	 *   webhook: {endpointId?: string, url?: string, secret?: string, events: string[]}|null}} args
	 */
	create(args) {
		const options = this.deps.options();
		const { body, model, directives } = args;
		const geometry = resolveGeometry(model, body);
		const sampleCount = body.sample_count ?? 1;
		const now = Date.now();
		let outcome = directives.outcome;
		let errorAsString = directives.errorAsString;
		let failureCategory = directives.failureCategory;
		if (!outcome && options.nextOutcomes.length > 0) {
			const next = options.nextOutcomes.shift();
			if (next.startsWith('fail:')) {
				outcome = 'fail';
				failureCategory = next.slice(5);
			} else outcome = next === 'upstream-error-string' ? 'fail' : next;
			errorAsString = errorAsString || next === 'upstream-error-string';
		}
		const profile = profileOf(options);
		const facts = PRODUCTION_ASSET_FACTS[model.provider] ?? { assetBytes: true, contentLength: true };
		const fact = (mode, fromModel) => (mode === 'always' ? true : mode === 'never' ? false : fromModel);
		const id = newId('vid');
		const prompt = String(body.prompt ?? '');
		const contentBytes = options.contentBytes;
		const firstClip = fnv1a(prompt);
		const job = {
			id,
			seq: this.sequence++,
			workspaceId: args.key.workspaceId,
			requestId: args.requestId,
			nativeId: `${model.provider === 'openai' ? 'video' : 'op'}_${newId('n', 20).slice(2)}`,
			reservationId: newId('res', 20),
			createdMs: now,
			startedMs: null,
			completedMs: null,
			updatedMs: now,
			status: 'queued',
			progress: 0,
			progressSource: 'none',
			model,
			seconds: geometry.seconds,
			width: geometry.width,
			height: geometry.height,
			size: geometry.size,
			resolution: geometry.resolution,
			audio: hasAudio(model, body),
			sampleCount,
			outputAccess: body.output?.access ?? 'both',
			body: clone(body),
			plan: {
				outcome: outcome ?? 'complete',
				errorAsString,
				queuedMs: directives.queuedMs ?? options.queuedMs,
				processingMs: directives.processingMs ?? options.jobMs,
				unsupported: checkSupport(model, body),
				failureCategory,
			},
			profileName: profile.name,
			openaiDialect: profile.openaiDialect && model.provider === 'openai',
			assetSha256: profile.assetSha256,
			assetBytesKnown: directives.assetBytes ?? fact(profile.assetBytes, facts.assetBytes),
			sendContentLength: directives.contentLength ?? fact(profile.contentLength, facts.contentLength),
			minimaxContentError: directives.minimaxContentError,
			deleteErrorStatus: model.provider === 'openai' ? directives.deleteErrorStatus : undefined,
			inputReference: args.inputReference ?? null,
			estimatedUsd: estimateCostUsd(model, body, geometry),
			error: null,
			tombstoned: false,
			webhook: args.webhook,
			dispatchedKeys: new Set(),
			content: Array.from({ length: sampleCount }, (_, index) =>
				contentBytes !== undefined ? { kind: 'synthetic', bytes: contentBytes, index } : { kind: 'clip', clip: (firstClip + index) % 4 },
			),
			timers: new Set(),
			referencesPromise: null,
			completion: null,
		};
		this.jobs.set(id, job);
		// Start hashing big synthetic outputs now so completion does not wait for it.
		for (const spec of job.content) this.deps.content.sha256(spec).catch(() => undefined);
		if (options.fetchReferences && Array.isArray(body.input_references) && body.input_references.length > 0) {
			const urls = body.input_references.map((ref) => (ref.image_url ?? ref.media_url).url);
			job.referencesPromise = this.deps.references.fetchAll(id, urls);
		}
		this.emit(job, 'created', { deliveryKey: 'video.created' });
		this.later(job, job.plan.queuedMs, () => this.afterQueue(job));
		return job;
	}

	// ── lifecycle ────────────────────────────────────────────────────────────

	later(job, ms, fn) {
		const handle = this.deps.schedule(() => {
			job.timers.delete(handle);
			fn();
		}, ms);
		job.timers.add(handle);
		return handle;
	}

	clearTimers(job) {
		for (const handle of job.timers) this.deps.cancel(handle);
		job.timers.clear();
	}

	afterQueue(job) {
		if (job.status !== 'queued') return;
		if (job.plan.unsupported) {
			this.fail(job, providerError(job, 'invalid_request', job.plan.unsupported.message, job.plan.unsupported.param));
			return;
		}
		this.startProcessing(job);
		if (job.plan.outcome === 'stuck') return;
		this.later(job, job.plan.processingMs, () => this.finishProcessing(job));
	}

	startProcessing(job) {
		if (job.status !== 'queued') return;
		job.startedMs = Date.now();
		this.transition(job, 'processing');
		job.progressSource = 'provider';
		const step = progressStep(this.deps.options(), job.plan.processingMs);
		const tick = () => {
			if (job.status !== 'processing') return;
			const elapsed = Date.now() - job.startedMs;
			const cap = job.plan.outcome === 'stuck' ? STUCK_PROGRESS : 99;
			const ratio = job.plan.processingMs > 0 ? elapsed / job.plan.processingMs : 1;
			const progress = Math.min(cap, Math.max(1, Math.floor(ratio * 100)));
			if (progress > job.progress) {
				job.progress = progress;
				job.updatedMs = Date.now();
				const bucket = progressBucket(progress);
				if (bucket !== null) this.emit(job, 'progress', { deliveryKey: `video.progress:${bucket}`, progress: bucket });
			}
			if (progress < cap) this.later(job, step, tick);
		};
		this.later(job, Math.min(step, job.plan.processingMs), tick);
	}

	finishProcessing(job) {
		if (job.status !== 'processing') return;
		switch (job.plan.outcome) {
			case 'fail':
				if (job.plan.failureCategory) this.fail(job, categoryError(job, job.plan.failureCategory), job.plan.failureCategory);
				else this.fail(job, job.plan.errorAsString ? 'The provider failed to generate the video.' : providerError(job, 'generation_failed', 'The provider failed to generate the video.'));
				break;
			case 'expire':
				this.terminate(job, 'expired');
				break;
			case 'cancel':
				this.terminate(job, 'cancelled');
				break;
			default:
				this.complete(job).catch(() => undefined);
		}
	}

	/**
	 * Completes once output hashes (and fetched references) are ready. Concurrent callers share one
	 * completion, so a forced completion during an automatic one resolves when the job is terminal.
	 */
	complete(job) {
		if (TERMINAL.has(job.status)) return Promise.resolve();
		if (!job.completion) {
			job.completion = this.finalize(job).finally(() => {
				job.completion = null;
			});
		}
		return job.completion;
	}

	async finalize(job) {
		job.hashes = await Promise.all(job.content.map((spec) => this.deps.content.sha256(spec)));
		if (job.referencesPromise) {
			const fetched = await job.referencesPromise;
			const broken = fetched.find((entry) => entry.error !== undefined);
			if (broken) {
				this.fail(job, providerError(job, 'invalid_input_reference', `The provider could not fetch input reference ${broken.url}: ${broken.error}.`, 'input_references'));
				return;
			}
		}
		if (TERMINAL.has(job.status) || !this.jobs.has(job.id)) return;
		job.progress = 100;
		this.transition(job, 'completed');
	}

	fail(job, error, category) {
		if (TERMINAL.has(job.status)) return;
		job.error = error;
		job.failureCategory = category ?? null;
		this.transition(job, 'failed');
	}

	terminate(job, status) {
		if (TERMINAL.has(job.status)) return;
		this.transition(job, status);
	}

	/** Moves a job to `next`, stamps times and emits status_changed plus the terminal event. */
	transition(job, next) {
		const previous = job.status;
		if (previous === next) return;
		job.status = next;
		job.updatedMs = Date.now();
		if (TERMINAL.has(next)) {
			job.completedMs = job.updatedMs;
			this.clearTimers(job);
			if (next === 'completed') job.progress = 100;
		}
		this.emit(job, 'status_changed', {
			deliveryKey: `video.status_changed:${rawStatus(previous)}:${rawStatus(next)}`,
			previousStatus: rawStatus(previous),
			currentStatus: rawStatus(next),
		});
		if (TERMINAL.has(next)) this.emit(job, next, { deliveryKey: `video.${next}` });
	}

	emit(job, phase, extra) {
		this.webhooks?.dispatch(job, phase, extra);
	}

	// ── forced transitions (tests / control API) ─────────────────────────────

	assertForcible(id) {
		const job = this.jobs.get(id);
		if (!job) throw Object.assign(new Error(`Unknown video id ${id}`), { code: 'not_found' });
		if (TERMINAL.has(job.status)) throw Object.assign(new Error(`Video ${id} is already ${job.status}`), { code: 'terminal' });
		return job;
	}

	async forceComplete(id) {
		const job = this.assertForcible(id);
		this.clearTimers(job);
		if (job.status === 'queued') this.startProcessing(job);
		this.clearTimers(job);
		await this.complete(job);
		return job;
	}

	/** Fails a job now with `error` (any value), or with the provider text of a failure category name. */
	forceFail(id, error) {
		const job = this.assertForcible(id);
		if (typeof error === 'string' && CATEGORIES.includes(error)) this.fail(job, categoryError(job, error), error);
		else this.fail(job, error ?? providerError(job, 'generation_failed', 'The provider failed to generate the video.'));
		return job;
	}

	forceTerminate(id, status) {
		const job = this.assertForcible(id);
		this.terminate(job, status);
		return job;
	}

	// ── listing ──────────────────────────────────────────────────────────────

	/**
	 * The gateway's list: the `window` newest (status-filtered) jobs of the workspace, sorted by
	 * `order`, then paged after the cursor. An unknown cursor pages from the start.
	 */
	list(workspaceId, { limit, statuses, order, after, window }) {
		const newestFirst = this.all()
			.filter((job) => job.workspaceId === workspaceId && !job.tombstoned && (statuses.length === 0 || statuses.includes(job.status)))
			.sort((a, b) => b.createdMs - a.createdMs || b.seq - a.seq)
			.slice(0, window);
		const ordered = order === 'asc' ? newestFirst.reverse() : newestFirst;
		const afterIndex = after ? ordered.findIndex((job) => job.id === after) : -1;
		const candidates = afterIndex >= 0 ? ordered.slice(afterIndex + 1) : ordered;
		const page = candidates.slice(0, limit);
		return { page, hasMore: candidates.length > page.length };
	}

	// ── serialisation ────────────────────────────────────────────────────────

	isTerminal(job) {
		return TERMINAL.has(job.status);
	}

	origin() {
		return this.deps.publicOrigin();
	}

	download(job, index) {
		const options = this.deps.options();
		return issueDownloadUrl({ secret: options.signedUrlSecret, origin: this.origin(), workspaceId: job.workspaceId, videoId: job.id, index });
	}

	billing(job) {
		const voided = job.status === 'failed' || job.status === 'cancelled' || job.status === 'expired';
		const completed = job.status === 'completed';
		const settled = completed ? job.estimatedUsd : voided ? 0 : null;
		const nanos = (usd) => Math.round(usd * 1e9);
		return {
			currency: 'usd',
			estimated_provider_cost: job.estimatedUsd.toFixed(2),
			estimated_user_cost: job.estimatedUsd.toFixed(2),
			settled_provider_cost: settled === null ? null : settled.toFixed(2),
			settled_user_cost: settled === null ? null : settled.toFixed(2),
			state: voided ? 'void' : completed ? 'settled' : 'estimated',
			billable: completed || (!voided && job.estimatedUsd > 0),
			total_nanos: completed ? nanos(job.estimatedUsd) : null,
			estimated_nanos: nanos(job.estimatedUsd),
			reserved_nanos: nanos(job.estimatedUsd),
			reservation_id: job.reservationId,
			reservation_status: completed ? 'settled' : voided ? 'released' : 'held',
			charge_reason: completed ? 'video_completed' : voided ? `video_${job.status}` : null,
			charged: completed ? true : voided ? false : null,
		};
	}

	usage(job) {
		const cost = job.status === 'completed' ? job.estimatedUsd : this.isTerminal(job) ? 0 : job.estimatedUsd;
		return { cost, cost_usd: cost, is_byok: false };
	}

	webhookSummary(job) {
		if (!job.webhook) return undefined;
		return {
			endpoint_id: job.webhook.endpointId ?? null,
			url: job.webhook.url ?? null,
			events: [...job.webhook.events],
			has_secret: true,
		};
	}

	/** The job exactly as GET /v1/videos/{id} serves it. */
	toPublic(job) {
		const options = this.deps.options();
		const origin = this.origin();
		const completed = job.status === 'completed';
		const bytesAccess = job.outputAccess === 'bytes' || job.outputAccess === 'both';
		const signedAccess = job.outputAccess === 'signed_url' || job.outputAccess === 'both';
		const outputs = completed
			? job.content.map((_spec, index) => {
					const output = { index, mime_type: MIME_TYPE, bytes_available: true };
					if (bytesAccess) output.content_url = contentUrl(origin, job.id, index);
					if (signedAccess) Object.assign(output, this.download(job, index));
					return output;
				})
			: [];
		const firstSpec = job.content[0];
		const out = {
			id: job.id,
			object: 'video',
			status: job.status,
			lifecycle_status: lifecycleStatus(job.status),
			output_access: job.outputAccess,
			progress: job.progress,
			progress_source: job.progressSource,
			polling_url: new URL(`/v1/videos/${encodeURIComponent(job.id)}`, origin).toString(),
			websocket_url: new URL(`/v1/async/video/${encodeURIComponent(job.id)}/ws`, origin).toString().replace(/^http/, 'ws'),
			poll_after_seconds: options.pollAfterSeconds,
			cancel_url: null,
			request_id: job.requestId,
			session_id: null,
			generation_id: job.requestId,
			native_video_id: job.nativeId,
			created_at: unixSeconds(job.createdMs),
			started_at: isoTime(job.startedMs),
			completed_at: isoTime(job.completedMs),
			provider: job.model.provider,
			model: job.model.model,
			seconds: job.seconds,
			size: job.size,
			audio: job.audio,
			asset: completed
				? {
						id: `ast_${job.id.replace(/^vid_/, '')}`,
						mime_type: MIME_TYPE,
						bytes: job.assetBytesKnown ? this.deps.content.length(firstSpec) : null,
						sha256: job.assetSha256 ? job.hashes?.[0] ?? this.deps.content.sha256IfKnown(firstSpec) ?? null : null,
						width: job.width,
						height: job.height,
						duration_seconds: job.seconds,
					}
				: null,
			outputs,
			usage: this.usage(job),
			billing: this.billing(job),
		};
		if (job.status === 'failed' && job.error !== null) out.error = clone(job.error);
		const webhook = this.webhookSummary(job);
		if (webhook) out.webhook = webhook;
		if (bytesAccess) out.content_url = contentUrl(origin, job.id, 0);
		if (signedAccess) {
			const signed = completed ? this.download(job, 0) : null;
			out.download_url = signed?.download_url ?? null;
			out.expires_at = signed?.expires_at ?? null;
		}
		if (job.openaiDialect) applyOpenAiDialect(out, job);
		return out;
	}

	/** Production create response: the OpenAI-style video object (no billing, outputs or lifecycle_status). */
	toCreateResponse(job) {
		return {
			id: job.id,
			object: 'video',
			model: job.model.model,
			status: job.status === 'processing' ? 'in_progress' : job.status,
			progress: job.progress,
			created_at: unixSeconds(job.createdMs),
			completed_at: null,
			expires_at: null,
			error: null,
			prompt: String(job.body.prompt ?? ''),
			seconds: String(job.seconds),
			size: job.size,
			remixed_from_video_id: null,
			quality: 'standard',
			usage: this.usage(job),
			meta: { request_id: job.requestId, provider: job.model.provider },
		};
	}

	/**
	 * Webhook `data`: the job without outputs/asset/error/poll_after_seconds, with duration_seconds,
	 * an unconditional content_url, a fresh 900 s download_url once completed, and upstream_error.
	 */
	eventData(job, progress) {
		const origin = this.origin();
		const completed = job.status === 'completed';
		const download = completed ? this.download(job, 0) : null;
		const failed = job.status === 'failed';
		return {
			id: job.id,
			object: 'video',
			kind: 'video',
			status: job.status,
			lifecycle_status: lifecycleStatus(job.status),
			request_id: job.requestId,
			native_id: job.nativeId,
			session_id: null,
			app_id: null,
			progress: typeof progress === 'number' ? Math.max(0, Math.min(100, Math.round(progress))) : completed ? 100 : 0,
			provider: job.model.provider,
			model: job.model.model,
			polling_url: new URL(`/v1/videos/${encodeURIComponent(job.id)}`, origin).toString(),
			websocket_url: new URL(`/v1/async/video/${encodeURIComponent(job.id)}/ws`, origin).toString().replace(/^http/, 'ws'),
			cancel_url: null,
			content_url: contentUrl(origin, job.id, 0),
			download_url: download?.download_url ?? null,
			expires_at: download?.expires_at ?? null,
			duration_seconds: job.seconds,
			duration_ms: job.completedMs !== null ? job.completedMs - job.createdMs : null,
			total_duration_ms: job.completedMs !== null ? job.completedMs - job.createdMs : null,
			latency_ms: job.startedMs !== null ? job.startedMs - job.createdMs : null,
			generation_ms: job.startedMs !== null && job.completedMs !== null ? job.completedMs - job.startedMs : null,
			resolution: job.resolution ?? job.size,
			quality: null,
			output_access: job.outputAccess,
			...(job.webhook ? { webhook: this.webhookSummary(job) } : {}),
			key_source: 'gateway',
			byok_key_id: null,
			reservation_id: job.reservationId,
			reservation_status: this.billing(job).reservation_status,
			finalized_at: isoTime(job.completedMs),
			upstream_error: failed ? upstreamError(job.error) : null,
			provider_failure_diagnostics: failed
				? { category: DIAGNOSTIC_CATEGORY[job.failureCategory] ?? 'server_error', hint: 'The provider rejected or failed the generation.', provider: job.model.provider }
				: null,
			failure_sample: null,
			routing_diagnostics: null,
			provider_enablement: null,
			provider_candidate_diagnostics: null,
			pricing_breakdown: null,
			billing: this.billing(job),
			created_at: isoTime(job.createdMs),
			updated_at: isoTime(job.updatedMs),
		};
	}

	/**
	 * The full event object the gateway would POST.
	 * @param {any} job internal record
	 * @param {string} type e.g. `video.completed`
	 * @param {{deliveryKey?: string, progress?: number|null, previousStatus?: string, currentStatus?: string,
	 *   attempt?: number, maxAttempts?: number}} extra
	 */
	buildEvent(job, type, extra = {}) {
		const phase = type.replace(/^(video|job)\./, '');
		// Dispatch passes an already-bucketed value with its delivery key; bucketing is not idempotent (5 → 10).
		const bucket =
			phase !== 'progress'
				? null
				: extra.deliveryKey !== undefined && typeof extra.progress === 'number'
					? extra.progress
					: progressBucket(extra.progress ?? job.progress);
		const deliveryKey =
			extra.deliveryKey ??
			(phase === 'progress'
				? `video.progress:${bucket ?? 5}`
				: phase === 'status_changed'
					? `video.status_changed:${extra.previousStatus ?? 'queued'}:${extra.currentStatus ?? rawStatus(job.status)}`
					: `video.${phase}`);
		const event = {
			id: eventIdFor(job.id, deliveryKey),
			type: `video.${phase}`,
			created_at: unixSeconds(),
			delivery: {
				key: deliveryKey,
				attempt: extra.attempt ?? 1,
				max_attempts: extra.maxAttempts ?? this.deps.options().webhookRetryDelaysMs.length,
			},
			data: this.eventData(job, phase === 'progress' ? bucket ?? extra.progress : extra.progress),
		};
		if (phase === 'status_changed') {
			event.status_change = {
				previous_status: extra.previousStatus ?? null,
				status: extra.currentStatus ?? rawStatus(job.status),
			};
		}
		return event;
	}

	/** Resolves where a job's deliveries go right now (endpoint lookups happen at delivery time). */
	resolveTarget(job) {
		const webhook = job.webhook;
		if (!webhook) return null;
		if (webhook.endpointId) {
			const endpoint = this.deps.endpoints.signingConfig(job.workspaceId, webhook.endpointId);
			if (!endpoint) return null;
			const events = webhook.events.length > 0 ? webhook.events : endpoint.events.length > 0 ? endpoint.events : DEFAULT_WEBHOOK_EVENTS;
			return { url: endpoint.url, secret: endpoint.secret, events };
		}
		return { url: webhook.url, secret: webhook.secret, events: webhook.events.length > 0 ? webhook.events : DEFAULT_WEBHOOK_EVENTS };
	}
}

/** A provider-style error object. */
function providerError(job, code, message, param) {
	return {
		code,
		message,
		provider: job.model.provider,
		type: code === 'invalid_request' || code === 'invalid_input_reference' ? 'invalid_request_error' : 'provider_error',
		...(param ? { param } : {}),
		status: code === 'generation_failed' ? 500 : 400,
	};
}

/** The provider's own error for a failure category (see failures.js). */
function categoryError(job, category) {
	const failure = providerFailure(category, job.model.provider);
	return { code: failure.code, message: failure.message, provider: job.model.provider, type: failure.type, status: failure.status };
}

/**
 * OpenAI-provider jobs on GET in production: `in_progress`, string `seconds`, unix-number timestamps,
 * an `{code, message}` error object, plus `prompt`, `remixed_from_video_id` and `quality`.
 */
function applyOpenAiDialect(out, job) {
	if (out.status === 'processing') out.status = 'in_progress';
	out.seconds = String(job.seconds);
	out.started_at = job.startedMs === null ? null : unixSeconds(job.startedMs);
	out.completed_at = job.completedMs === null ? null : unixSeconds(job.completedMs);
	if (out.error !== undefined) {
		const error = out.error;
		out.error = typeof error === 'string' ? { code: 'video_generation_failed', message: error } : { code: String(error.code ?? 'video_generation_failed'), message: String(error.message ?? '') };
	}
	out.prompt = String(job.body.prompt ?? '');
	out.remixed_from_video_id = null;
	out.quality = 'standard';
}

/** `data.upstream_error` as the gateway normalises it. */
function upstreamError(error) {
	if (error === null || error === undefined) return null;
	if (typeof error === 'string') {
		return { code: null, type: null, message: error, description: null, param: null, status: null };
	}
	const text = (value) => (typeof value === 'string' && value.trim() ? value.trim() : null);
	return {
		code: typeof error.code === 'number' ? String(error.code) : text(error.code),
		type: text(error.type),
		message: text(error.message),
		description: text(error.description),
		param: text(error.param),
		status: typeof error.status === 'number' ? error.status : null,
	};
}

/** Normalises a create-time webhook config into the internal form. */
function webhookConfigFromBody(webhook) {
	if (!webhook) return null;
	const events = normalizeWebhookEvents(webhook.events);
	if (webhook.endpoint_id) return { endpointId: webhook.endpoint_id, events };
	return { url: String(webhook.url).trim(), secret: String(webhook.secret).trim(), events };
}

module.exports = { JobStore, TERMINAL, DEFAULT_WEBHOOK_EVENTS, parseDirectives, progressBucket, rawStatus, webhookConfigFromBody };
