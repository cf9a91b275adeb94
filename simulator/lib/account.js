'use strict';
/**
 * Money routes beside the video API, shaped like the gateway's control routes:
 * - `POST /v1/pricing/calculate` (inference key): `{provider, model, endpoint, usage}` → `{ok, pricing}`
 *   computed from a price card (apps/api/src/routes/v1/control/pricing.ts + pipeline/pricing/engine.ts).
 * - `GET /v1/credits` (management key): the workspace wallet (control/credits.ts).
 * - `GET /v1/generations?id=<request_id>` (any key of the workspace): the request's gateway_requests row.
 * Errors here use the control routes' `{ok: false, error, message?}` shape; auth failures stay flat.
 */

const { flatError } = require('./errors');
const { authenticateInference, authenticateManagement } = require('./keys');
const { findModel, MODELS, resolveGeometry, estimateCostUsd } = require('./models');
const { isPlainObject, isoTime } = require('./util');

const NANOS = 1_000_000_000;
const ENDPOINT = 'video.generate';

/**
 * The simulator's price card for a model, in the catalogue's rule format (packages/data/catalog/…/
 * video.generate/pricing.json): meter `output_video_seconds`, matched on `video_params.resolution`
 * (the size string for size-based models such as Sora), audio surcharges as higher-priority rules
 * matched on `video_params.generate_audio`.
 */
function priceCard(model) {
	const rules = [];
	const sizes = model.params.size?.values;
	for (const [resolution, price] of Object.entries(model.usdPerSecond)) {
		const match =
			resolution === 'default'
				? sizes
					? [{ path: 'video_params.resolution', op: 'in', value: [...sizes] }]
					: []
				: [{ path: 'video_params.resolution', op: 'eq', value: resolution }];
		const id = `${model.model}:${resolution}`;
		rules.push({ id, meter: 'output_video_seconds', unit: 'second', unit_size: 1, price_per_unit: price, currency: 'USD', pricing_plan: 'standard', match, priority: 100 });
		if (model.audioSurchargePerSecond) {
			rules.push({
				id: `${id}:audio`,
				meter: 'output_video_seconds',
				unit: 'second',
				unit_size: 1,
				price_per_unit: Math.round((price + model.audioSurchargePerSecond) * 1e6) / 1e6,
				currency: 'USD',
				pricing_plan: 'standard',
				match: [...match, { path: 'video_params.generate_audio', op: 'eq', value: true }],
				priority: 110,
			});
		}
	}
	return { provider: model.provider, model: model.model, endpoint: ENDPOINT, rules };
}

function readPath(object, path) {
	return path.split('.').reduce((value, key) => (value && typeof value === 'object' ? value[key] : undefined), object);
}

function matches(rule, context) {
	return rule.match.every((condition) => {
		const value = readPath(context, condition.path);
		if (condition.op === 'in') return Array.isArray(condition.value) && condition.value.includes(value);
		return value === condition.value;
	});
}

/** computeBillSummary for the meters a video card knows. */
function computeBill(usage, card) {
	const lines = [];
	for (const meter of [...new Set(card.rules.map((rule) => rule.meter))]) {
		const quantity = usage[meter];
		if (typeof quantity !== 'number' || !Number.isFinite(quantity) || quantity <= 0) continue;
		const rule = card.rules.filter((candidate) => candidate.meter === meter && matches(candidate, usage)).sort((a, b) => b.priority - a.priority)[0];
		if (!rule) continue;
		const unitNanos = Math.round(rule.price_per_unit * NANOS);
		const billableUnits = quantity / rule.unit_size;
		const lineNanos = Math.round(billableUnits * unitNanos);
		const now = Date.now();
		lines.push({
			dimension: meter,
			quantity,
			billable_units: billableUnits,
			unit_size: rule.unit_size,
			unit_price_usd: usdString(unitNanos),
			line_cost_usd: usdString(lineNanos),
			line_nanos: lineNanos,
			bill_mode: 'all',
			rule_priority: rule.priority,
			rule_id: rule.id,
			billing_timestamp_basis: 'request_start',
			billing_timestamp_basis_configured: 'request_start',
			billing_timestamp_ms: now,
			billing_timestamp_iso: new Date(now).toISOString(),
			pricing_time_window: null,
		});
	}
	const totalNanos = lines.reduce((sum, line) => sum + line.line_nanos, 0);
	return { cost_usd: totalNanos / NANOS, cost_usd_str: usdString(totalNanos), cost_cents: Math.ceil(totalNanos / 10_000_000), currency: 'USD', lines };
}

const usdString = (nanos) => String(Number((nanos / NANOS).toFixed(9)));
const nanosOf = (usd) => Math.round(usd * NANOS);

class Account {
	/** @param {{options: () => Record<string, any>, jobs: import('./jobs').JobStore}} deps */
	constructor(deps) {
		this.deps = deps;
	}

	/** Wallet of a workspace: balance minus settled spend; holds of running jobs are reserved. */
	wallet(workspaceId, funds = true) {
		let settled = 0;
		let reserved = 0;
		let requests = 0;
		for (const job of this.deps.jobs.all()) {
			if (job.workspaceId !== workspaceId) continue;
			requests += 1;
			if (job.status === 'completed') settled += nanosOf(job.estimatedUsd);
			else if (!this.deps.jobs.isTerminal(job)) reserved += nanosOf(job.estimatedUsd);
		}
		const balance = funds ? nanosOf(this.deps.options().walletBalanceUsd) - settled : 0;
		return { balance, reserved, available: Math.max(0, balance - reserved), settled, requests };
	}

	/** Whether the wallet can hold the estimate of a new job (create answers 402 otherwise). */
	canHold(workspaceId, model, body) {
		const estimate = nanosOf(estimateCostUsd(model, body, resolveGeometry(model, body)));
		return this.wallet(workspaceId).available >= estimate;
	}

	pricingCalculate(ctx, authOptions) {
		const auth = authenticateInference(ctx.req.headers.authorization, authOptions);
		if (!auth.ok) return flatError('unauthorised', { reason: auth.reason, requestId: ctx.requestId });
		const body = ctx.body.parsed;
		if (ctx.body.invalid || !isPlainObject(body)) return failed(500, 'calculation_failed', 'Request body is not valid JSON.');
		const { provider, model, endpoint, usage } = body;
		if (!provider || !model || !endpoint || !usage) return failed(400, 'missing_required_fields', 'provider, model, endpoint, and usage are required');
		const spec = findModel(model);
		if (!this.deps.options().pricingApi || !spec || spec.provider !== provider || endpoint !== ENDPOINT) {
			return failed(404, 'pricing_not_found', 'No pricing data found for this model');
		}
		if (!isPlainObject(usage)) return failed(500, 'calculation_failed', 'usage must be an object');
		return { status: 200, headers: { 'cache-control': 'no-store' }, json: { ok: true, pricing: computeBill(usage, priceCard(spec)) } };
	}

	credits(ctx, authOptions) {
		const auth = authenticateManagement(ctx.req.headers.authorization, authOptions);
		if (!auth.ok) return flatError('unauthorised', { reason: auth.reason, requestId: ctx.requestId });
		const requested = ctx.query.get('workspace_id')?.trim();
		if (requested && requested !== auth.key.workspaceId) {
			return { status: 403, json: { ok: false, error: 'forbidden', message: 'workspace_id must match authenticated team' } };
		}
		const wallet = this.wallet(auth.key.workspaceId);
		return {
			status: 200,
			headers: { 'cache-control': 'no-store' },
			json: {
				ok: true,
				credits: {
					remaining: wallet.available,
					balance_nanos: wallet.balance,
					reserved_nanos: wallet.reserved,
					available_nanos: wallet.available,
					thirty_day_usage: -wallet.settled,
					thirty_day_requests: wallet.requests,
				},
			},
		};
	}

	generation(ctx, authOptions) {
		const id = ctx.query.get('id');
		if (!id) return failed(400, 'missing_id');
		let auth = authenticateInference(ctx.req.headers.authorization, authOptions);
		if (!auth.ok && auth.reason === 'management_key_not_valid_for_gateway') auth = authenticateManagement(ctx.req.headers.authorization, authOptions);
		if (!auth.ok) return { status: 401, headers: { 'cache-control': 'no-store' }, json: { ok: false, error: 'unauthorised', reason: auth.reason } };
		const job = this.deps.jobs.all().find((candidate) => candidate.requestId === id && candidate.workspaceId === auth.key.workspaceId);
		if (!job) return failed(404, 'not_found');
		const terminal = this.deps.jobs.isTerminal(job);
		const completed = job.status === 'completed';
		const costNanos = completed ? nanosOf(job.estimatedUsd) : terminal ? 0 : null;
		return {
			status: 200,
			headers: { 'cache-control': 'no-store' },
			json: {
				id: `gr_${job.id.replace(/^vid_/, '')}`,
				request_id: job.requestId,
				workspace_id: job.workspaceId,
				endpoint: 'video.generation',
				model_id: job.model.model,
				provider: job.model.provider,
				native_response_id: job.nativeId,
				success: job.status !== 'failed',
				status_code: 202,
				cost_nanos: costNanos,
				currency: 'USD',
				usage: completed ? { output_video_seconds: job.seconds * job.sampleCount, resolution: job.resolution ?? job.size, video_resolution: job.resolution ?? job.size, cost_usd: job.estimatedUsd } : {},
				pricing_lines: completed ? computeBill({ output_video_seconds: job.seconds * job.sampleCount, video_params: { resolution: job.resolution ?? job.size, generate_audio: job.audio } }, priceCard(job.model)).lines : [],
				generation_ms: job.startedMs !== null && job.completedMs !== null ? job.completedMs - job.startedMs : null,
				created_at: isoTime(job.createdMs),
				replay_supported: false,
				replay_request: null,
				io_log: null,
			},
		};
	}
}

const failed = (status, error, message) => ({ status, headers: { 'cache-control': 'no-store' }, json: { ok: false, error, ...(message ? { message } : {}) } });

module.exports = { Account, priceCard, computeBill, MODELS_WITH_PRICES: MODELS.map((model) => model.model) };
