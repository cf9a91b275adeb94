'use strict';
/**
 * The gateway's public routes under /v1: routing, auth, and one handler per route.
 * Handlers return Replies (see http.js); they never write to the socket themselves.
 */

const { flatError } = require('./errors');
const { authenticateInference, authenticateManagement } = require('./keys');
const { validateCreate } = require('./validate');
const { findModel, listModels } = require('./models');
const { hasSignedParams, verifyDownloadQuery, issueDownloadUrl } = require('./signing');
const { parseDirectives, webhookConfigFromBody } = require('./jobs');
const { MIME_TYPE } = require('./content');
const { profileOf } = require('./options');
const { inspectInputReference } = require('./inline');
const { Account } = require('./account');

/**
 * Maps method + path to a route. `key` is the fault route key; `id`/`action` are path parameters.
 * @returns {{key: string, handler: string, id?: string, action?: string} | null}
 */
function matchRoute(method, pathname) {
	const segments = pathname.split('/').slice(1);
	if (segments[0] !== 'v1') return null;
	const [, resource, rawId, action, ...extra] = segments;
	if (extra.length > 0) return null;
	let id;
	try {
		id = rawId === undefined ? undefined : decodeURIComponent(rawId);
	} catch {
		return null;
	}
	const verb = method === 'HEAD' ? 'GET' : method;
	if (resource === 'videos') {
		if (id === undefined) {
			if (verb === 'POST') return { key: 'POST /videos', handler: 'createVideo' };
			if (verb === 'GET') return { key: 'GET /videos', handler: 'listVideos' };
			return null;
		}
		if (id === '') return null;
		if (action === undefined) {
			if (id === 'models' && verb === 'GET') return { key: 'GET /videos/models', handler: 'listModels' };
			if (verb === 'GET') return { key: 'GET /videos/:id', handler: 'getVideo', id };
			if (verb === 'DELETE') return { key: 'DELETE /videos/:id', handler: 'deleteVideo', id };
			return null;
		}
		if (action === 'content' && verb === 'GET') return { key: 'GET /videos/:id/content', handler: 'getContent', id };
		if (action === 'download_url' && verb === 'POST') return { key: 'POST /videos/:id/download_url', handler: 'createDownloadUrl', id };
		if (action === 'cancel' && verb === 'POST') return { key: 'POST /videos/:id/cancel', handler: 'cancelVideo', id };
		return null;
	}
	if (resource === 'pricing' && id === 'calculate' && action === undefined && verb === 'POST') return { key: 'POST /pricing/calculate', handler: 'pricingCalculate' };
	if (resource === 'credits' && id === undefined && verb === 'GET') return { key: 'GET /credits', handler: 'credits' };
	if (resource === 'generations' && id === undefined && verb === 'GET') return { key: 'GET /generations', handler: 'generation' };
	if (resource === 'webhook-endpoints') {
		if (id === undefined) {
			if (verb === 'GET') return { key: 'GET /webhook-endpoints', handler: 'endpoints' };
			if (verb === 'POST') return { key: 'POST /webhook-endpoints', handler: 'endpoints' };
			return null;
		}
		if (id === '') return null;
		if (action === undefined && ['GET', 'PATCH', 'DELETE'].includes(verb)) return { key: `${verb} /webhook-endpoints/:id`, handler: 'endpoints', id };
		if (action === 'rotate-secret' && verb === 'POST') return { key: 'POST /webhook-endpoints/:id/rotate-secret', handler: 'endpoints', id, action };
		return null;
	}
	return null;
}

const CONTENT_HEADERS = { 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' };

class Api {
	/**
	 * @param {{options: () => Record<string, any>, jobs: import('./jobs').JobStore, endpoints: import('./endpoints').EndpointStore,
	 *   content: import('./content').ContentService}} deps
	 */
	constructor(deps) {
		this.deps = deps;
		this.account = new Account(deps);
	}

	pricingCalculate(ctx) {
		return this.account.pricingCalculate(ctx, this.authOptions());
	}

	credits(ctx) {
		return this.account.credits(ctx, this.authOptions());
	}

	generation(ctx) {
		return this.account.generation(ctx, this.authOptions());
	}

	authOptions() {
		return { legacyKeysRetireAtMs: Date.parse(this.deps.options().legacyKeysRetireAt) };
	}

	/** Inference auth + video feature gate; returns the key or an error Reply. */
	videoAuth(ctx) {
		const auth = authenticateInference(ctx.req.headers.authorization, this.authOptions());
		if (!auth.ok) return { reply: flatError('unauthorised', { reason: auth.reason, requestId: ctx.requestId, message: unauthorisedMessage(auth.reason) }) };
		if (!auth.key.videoEnabled) {
			return {
				reply: flatError('not_implemented_yet', {
					reason: 'video_api_feature_disabled',
					message: 'Video API access is not enabled for this workspace.',
					requestId: ctx.requestId,
					extra: { feature_gate: 'video_api' },
				}),
			};
		}
		return { key: auth.key };
	}

	/** Owned, non-deleted job or an error Reply. */
	ownedJob(ctx, workspaceId, id) {
		const job = this.deps.jobs.get(id);
		if (!job || job.workspaceId !== workspaceId) {
			return {
				reply: flatError('not_found', {
					reason: 'video_not_found_or_not_owned',
					message: 'Video not found.',
					requestId: ctx.requestId,
					extra: { video_id: id },
				}),
			};
		}
		if (job.tombstoned) {
			return { reply: flatError('not_found', { reason: 'video_deleted', message: 'Video was deleted.', requestId: ctx.requestId, extra: { video_id: id } }) };
		}
		return { job };
	}

	// ── POST /videos ─────────────────────────────────────────────────────────
	createVideo(ctx) {
		const auth = this.videoAuth(ctx);
		if (auth.reply) return auth.reply;
		const options = this.deps.options();
		if (ctx.body.tooLarge) {
			return flatError('payload_too_large', {
				requestId: ctx.requestId,
				message: `Request body exceeds ${options.maxBodyBytes} bytes.`,
				extra: { max_bytes: options.maxBodyBytes, endpoint: 'video.generation' },
			});
		}
		if (ctx.body.invalid) return flatError('invalid_json', { requestId: ctx.requestId });
		const profile = profileOf(options);
		if (ctx.body.multipart && !profile.openaiCreateFields) return flatError('invalid_json', { requestId: ctx.requestId, message: 'Request body must be JSON.' });
		const body = ctx.body.parsed;
		const problems = validateCreate(body, {
			requireHttpsWebhooks: options.requireHttpsWebhooks,
			acceptInlineWebhooks: profile.acceptInlineWebhooks,
			allowHttpReferences: options.allowHttpReferences,
			openaiCreateFields: profile.openaiCreateFields,
		});
		if (problems.length > 0) {
			// `code` as the simulator always had it; `keyword`/`params` as the server's formatZodErrors writes them.
			const details = problems.map(({ path, message, code }) => ({ path, message, code, keyword: code, params: {} }));
			if (problems.some((problem) => problem.code === 'model_required')) {
				return flatError('model_required', { requestId: ctx.requestId, details });
			}
			return flatError('validation_error', { requestId: ctx.requestId, reason: 'invalid_request_body', details });
		}
		if (body.webhook?.endpoint_id && !this.deps.endpoints.get(auth.key.workspaceId, body.webhook.endpoint_id)) {
			return flatError('validation_error', {
				requestId: ctx.requestId,
				reason: 'webhook_endpoint_not_found',
				message: 'The webhook endpoint does not exist in this workspace.',
				details: [{ path: ['webhook', 'endpoint_id'], message: 'Unknown webhook endpoint', code: 'custom' }],
			});
		}
		// Production: a missing model silently becomes "sora-2" (the server schema's default).
		if (profile.openaiCreateFields && body.model === undefined) body.model = 'sora-2';
		const model = findModel(body.model);
		if (!model) {
			return flatError('unsupported_model_or_endpoint', { requestId: ctx.requestId, reason: 'model_not_found_or_inactive', extra: { model: body.model } });
		}
		const directives = parseDirectives(body.prompt);
		if (directives.guardrail) {
			return flatError('guardrail_blocked', { requestId: ctx.requestId, reason: 'prompt_blocked_by_guardrail', message: 'The prompt was blocked by a workspace guardrail.' });
		}
		let inputReference = null;
		if (body.input_reference !== undefined) {
			const inspected = inspectInputReference(body.input_reference);
			if (!inspected.ok) {
				return flatError('validation_error', {
					requestId: ctx.requestId,
					reason: 'invalid_input_reference',
					message: inspected.message,
					details: [{ path: inspected.path, message: inspected.message, code: 'custom', keyword: 'custom', params: {} }],
				});
			}
			inputReference = inspected.info;
		}
		if (!auth.key.funds || directives.insufficientFunds || !this.account.canHold(auth.key.workspaceId, model, body)) {
			return flatError('insufficient_funds', { requestId: ctx.requestId, reason: 'insufficient_balance', message: 'Your wallet balance is too low to hold funds for this video.' });
		}
		const stored = body.input_reference === undefined ? body : { ...body, input_reference: describeReference(inputReference) };
		const job = this.deps.jobs.create({ key: auth.key, body: stored, model, requestId: ctx.requestId, directives, webhook: webhookConfigFromBody(body.webhook), inputReference });
		if (inputReference) this.deps.received.push({ jobId: job.id, requestId: ctx.requestId, model: model.model, ...inputReference, time: Date.now() });
		ctx.createdJobId = job.id;
		return { status: 202, json: profile.createResponse === 'openai' ? this.deps.jobs.toCreateResponse(job) : this.deps.jobs.toPublic(job) };
	}

	// ── GET /videos ──────────────────────────────────────────────────────────
	listVideos(ctx) {
		const auth = this.videoAuth(ctx);
		if (auth.reply) return auth.reply;
		const query = ctx.query;
		const parsedLimit = Number(query.get('limit') ?? '');
		const limit = query.get('limit') === null || !Number.isFinite(parsedLimit) ? 50 : Math.max(1, Math.min(200, Math.trunc(parsedLimit)));
		const statuses = [
			...new Set(
				query
					.getAll('status')
					.flatMap((value) => value.split(','))
					.map((value) => normalizeStatusFilter(value.trim()))
					.filter(Boolean),
			),
		];
		const order = query.get('order') === 'asc' ? 'asc' : 'desc';
		const after = query.get('after')?.trim() || undefined;
		const { page, hasMore } = this.deps.jobs.list(auth.key.workspaceId, { limit, statuses, order, after, window: this.deps.options().listWindow });
		const data = page.map((job) => this.deps.jobs.toPublic(job));
		return {
			status: 200,
			json: { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: hasMore },
		};
	}

	// ── GET /videos/models ───────────────────────────────────────────────────
	listModels(ctx) {
		const auth = this.videoAuth(ctx);
		if (auth.reply) return auth.reply;
		const params = [...new Set(ctx.query.getAll('params').flatMap((value) => value.split(',').map((part) => part.trim()).filter(Boolean)))];
		return { status: 200, json: { object: 'list', data: listModels(params) } };
	}

	// ── GET /videos/{id} ─────────────────────────────────────────────────────
	getVideo(ctx) {
		const auth = this.videoAuth(ctx);
		if (auth.reply) return auth.reply;
		const owned = this.ownedJob(ctx, auth.key.workspaceId, ctx.route.id);
		if (owned.reply) return owned.reply;
		return { status: 200, json: this.deps.jobs.toPublic(owned.job) };
	}

	// ── GET /videos/{id}/content ─────────────────────────────────────────────
	getContent(ctx) {
		const id = ctx.route.id;
		let workspaceId;
		let index;
		let disposition = null;
		const signed = ctx.signed;
		if (signed?.ok) {
			if (signed.videoId !== id) {
				return flatError('validation_error', { reason: 'signed_download_video_mismatch', requestId: ctx.requestId, extra: { video_id: id } });
			}
			workspaceId = signed.workspaceId;
			index = signed.index;
			disposition = signed.disposition;
		} else {
			const hasBearer = typeof ctx.req.headers.authorization === 'string';
			if (signed && !hasBearer) {
				return flatError('unauthorised', {
					reason: 'missing_or_invalid_authorization_header',
					message: signed.problem === 'expired' ? 'The signed download link has expired.' : 'The signed download link is invalid.',
					requestId: ctx.requestId,
					extra: { download_link: signed.problem },
				});
			}
			const auth = this.videoAuth(ctx);
			if (auth.reply) return auth.reply;
			workspaceId = auth.key.workspaceId;
			const rawIndex = ctx.query.get('index');
			if (rawIndex !== null) {
				if (!/^\d+$/.test(rawIndex.trim())) {
					return flatError('validation_error', {
						reason: 'invalid_video_output_index',
						message: 'index must be a non-negative integer.',
						requestId: ctx.requestId,
						details: [{ path: ['index'], message: 'Expected a non-negative integer', code: 'invalid_type' }],
					});
				}
				index = Number(rawIndex.trim());
			} else index = 0;
		}
		const owned = this.ownedJob(ctx, workspaceId, id);
		if (owned.reply) return owned.reply;
		const job = owned.job;
		if (job.minimaxContentError) {
			return flatError('upstream_error', {
				reason: 'minimax_api_error',
				requestId: ctx.requestId,
				message: 'The upstream provider returned an error.',
				extra: { workspace_id: workspaceId, upstream_error: { code: 1000, message: 'unknown error' } },
			});
		}
		if (job.status === 'failed') {
			return flatError('upstream_error', { reason: 'video_generation_failed', message: 'The video generation failed.', requestId: ctx.requestId, extra: { video_id: id } });
		}
		if (job.status !== 'completed') {
			const reason = job.status === 'cancelled' ? 'video_cancelled' : job.status === 'expired' ? 'video_expired' : 'video_not_ready';
			return flatError('not_ready', { reason, message: `The video is ${job.status}.`, requestId: ctx.requestId, extra: { video_id: id, status: job.status } });
		}
		const spec = job.content[index];
		if (!spec) {
			return flatError('not_found', {
				reason: 'video_output_not_found',
				message: `This video has ${job.content.length} output(s); index ${index} does not exist.`,
				requestId: ctx.requestId,
				extra: { video_id: id, index },
			});
		}
		const headers = { 'content-type': MIME_TYPE, ...CONTENT_HEADERS };
		if (disposition) headers['content-disposition'] = `${disposition}; filename="${id}.mp4"`;
		// Production passes the provider's Content-Length through only when the provider sent one.
		const length = job.sendContentLength ? this.deps.content.length(spec) : undefined;
		return { status: 200, headers, stream: this.deps.content.createStream(spec), length };
	}

	// ── POST /videos/{id}/download_url ───────────────────────────────────────
	createDownloadUrl(ctx) {
		const auth = this.videoAuth(ctx);
		if (auth.reply) return auth.reply;
		const id = ctx.route.id;
		if (ctx.body.tooLarge) return flatError('payload_too_large', { requestId: ctx.requestId });
		if (ctx.body.invalid) return flatError('invalid_json', { reason: 'invalid_video_download_request_body', requestId: ctx.requestId, extra: { video_id: id } });
		const params = parseDownloadRequest(ctx.body.parsed);
		if (!params) return flatError('validation_error', { reason: 'invalid_video_download_request', requestId: ctx.requestId, extra: { video_id: id } });
		const owned = this.ownedJob(ctx, auth.key.workspaceId, id);
		if (owned.reply) return owned.reply;
		if (owned.job.status !== 'completed') {
			return flatError('validation_error', {
				reason: 'video_download_requires_completed_status',
				message: 'A download URL can only be issued for a completed video.',
				requestId: ctx.requestId,
				extra: { video_id: id, status: owned.job.status },
			});
		}
		const options = this.deps.options();
		const signed = issueDownloadUrl({
			secret: options.signedUrlSecret,
			origin: this.deps.jobs.origin(),
			workspaceId: owned.job.workspaceId,
			videoId: id,
			index: params.index,
			ttlSeconds: params.ttlSeconds,
			disposition: params.disposition,
		});
		return { status: 200, json: signed };
	}

	// ── DELETE /videos/{id} ──────────────────────────────────────────────────
	deleteVideo(ctx) {
		const auth = this.videoAuth(ctx);
		if (auth.reply) return auth.reply;
		const id = ctx.route.id;
		const job = this.deps.jobs.get(id);
		if (!job || job.workspaceId !== auth.key.workspaceId) return this.ownedJob(ctx, auth.key.workspaceId, id).reply;
		if (!job.tombstoned && job.status !== 'completed' && job.status !== 'failed') {
			return flatError('validation_error', {
				reason: 'video_delete_requires_terminal_status',
				message: 'Only completed or failed videos can be deleted.',
				requestId: ctx.requestId,
				extra: { video_id: id, status: job.status },
			});
		}
		if (!job.tombstoned && job.deleteErrorStatus) {
			// OpenAI jobs: the gateway calls the provider's DELETE first and passes a failure through as is.
			const status = job.deleteErrorStatus;
			const message = status === 404 ? `Video with id '${job.nativeId}' not found.` : 'The server had an error while processing your request. Sorry about that!';
			return { status, json: { error: { message, type: status === 404 ? 'invalid_request_error' : 'server_error', param: null, code: status === 404 ? 'video_not_found' : null } } };
		}
		job.tombstoned = true;
		return { status: 200, json: { id, object: 'video.deleted', deleted: true } };
	}

	// ── POST /videos/{id}/cancel ─────────────────────────────────────────────
	cancelVideo(ctx) {
		const auth = authenticateInference(ctx.req.headers.authorization, this.authOptions());
		if (!auth.ok) return flatError('unauthorised', { reason: auth.reason, requestId: ctx.requestId, message: unauthorisedMessage(auth.reason) });
		return flatError('not_implemented_yet', {
			reason: 'video_cancellation_disabled',
			message: 'Video cancellation is not supported by the Phaseo video API.',
			requestId: ctx.requestId,
			extra: { video_id: ctx.route.id },
		});
	}

	// ── /webhook-endpoints ───────────────────────────────────────────────────
	endpoints(ctx) {
		const auth = authenticateManagement(ctx.req.headers.authorization, this.authOptions());
		if (!auth.ok) return flatError('unauthorised', { reason: auth.reason, requestId: ctx.requestId, message: unauthorisedMessage(auth.reason) });
		if (!this.deps.options().batchApi) {
			// The server answers this gate with a flat body (webhook-endpoints.ts requireWebhookEndpointAccess).
			return {
				status: 403,
				json: {
					error: 'forbidden',
					reason: 'batch_api_feature_flag_disabled',
					message: 'Webhook endpoint settings are currently limited to the enabled Batch API segment.',
					feature_gate: 'gateway_batch_api',
					workspace_id: auth.key.workspaceId,
					status_code: 403,
					error_type: 'user',
					error_origin: 'gateway',
				},
			};
		}
		const method = ctx.req.method === 'HEAD' ? 'GET' : ctx.req.method;
		return this.deps.endpoints.handle({
			method,
			id: ctx.route.id,
			action: ctx.route.action,
			body: ctx.body.invalid || ctx.body.tooLarge ? null : ctx.body.parsed ?? null,
			query: ctx.query,
			workspaceId: auth.key.workspaceId,
			requireHttps: this.deps.options().requireHttpsWebhooks,
		});
	}
}

function unauthorisedMessage(reason) {
	return (
		{
			missing_or_invalid_authorization_header: 'Send your key as "Authorization: Bearer <key>".',
			invalid_key_format: 'The API key is malformed.',
			key_not_found_or_revoked: 'The API key does not exist or has been revoked.',
			key_expired: 'The API key has expired.',
			invalid_secret: 'The API key secret is wrong.',
			management_key_not_valid_for_gateway: 'Management keys cannot call gateway (inference) routes.',
			management_key_required: 'This route requires a management key.',
			legacy_key_prefix_retired: 'Legacy aistats_ keys are retired; use a phaseo_ key.',
		}[reason] ?? 'Authentication failed.'
	);
}

/** What the job keeps of an inline reference (never the data URL itself). */
function describeReference(info) {
	if (info.source === 'file_id') return { file_id: info.fileId };
	if (info.source === 'https') return { image_url: info.url };
	return { image_url: `[${info.source} ${info.mimeType}, ${info.bytes} bytes, sha256 ${info.sha256}]` };
}

/** Status filter aliases accepted by GET /videos (unknown values are ignored, as upstream). */
function normalizeStatusFilter(value) {
	const status = value.toLowerCase();
	if (status === 'queued' || status === 'pending') return 'queued';
	if (status === 'in_progress' || status === 'processing' || status === 'running') return 'processing';
	if (['completed', 'complete', 'success', 'succeeded'].includes(status)) return 'completed';
	if (status === 'failed' || status === 'error') return 'failed';
	if (status === 'cancelled' || status === 'canceled') return 'cancelled';
	if (status === 'expired') return 'expired';
	return null;
}

/** Parses the optional download_url body; null when invalid (the gateway answers 400). */
function parseDownloadRequest(value) {
	if (value === undefined || value === null) return { ttlSeconds: null, disposition: 'attachment', index: 0 };
	if (typeof value !== 'object' || Array.isArray(value)) return null;
	const toInt = (raw) => {
		if (typeof raw === 'number' && Number.isFinite(raw)) return Math.trunc(raw);
		if (typeof raw === 'string' && raw.trim() && Number.isFinite(Number(raw.trim()))) return Math.trunc(Number(raw.trim()));
		return null;
	};
	const ttlSeconds = toInt(value.ttl_seconds ?? value.ttlSeconds);
	if (ttlSeconds !== null && ttlSeconds <= 0) return null;
	const disposition = String(value.disposition ?? value.content_disposition ?? value.contentDisposition ?? '').trim().toLowerCase();
	if (disposition && disposition !== 'attachment' && disposition !== 'inline') return null;
	const index = toInt(value.index);
	if (index !== null && index < 0) return null;
	return { ttlSeconds, disposition: disposition === 'inline' ? 'inline' : 'attachment', index: index ?? 0 };
}

/** Signed-download check done before auth/faults so requests can be classified as `signed-content`. */
function classifySigned(url, secret) {
	if (!hasSignedParams(url.searchParams)) return undefined;
	return verifyDownloadQuery(url.searchParams, secret);
}

module.exports = { Api, matchRoute, classifySigned, normalizeStatusFilter, parseDownloadRequest };
