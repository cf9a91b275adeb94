import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/** What the gateway said about a failed call, reduced to fields that are safe to show. */
export interface GatewayErrorInfo {
	httpStatus: number;
	error?: string;
	reason?: string;
	message?: string;
	requestId?: string;
	details?: unknown;
	diagnostics?: IDataObject;
	/** The provider's own error passed through (e.g. MiniMax `upstream_error`, OpenAI's `{error: {type, param}}`). */
	upstream?: { code?: string; message?: string };
	/** The body is a provider's error passed through unchanged (OpenAI shape), not the gateway's envelope. */
	fromProvider?: boolean;
	/** A sentence on what to do, added to the description. */
	hint?: string;
}

const ERROR_TITLES: Record<string, string> = {
	invalid_json: 'Invalid request body',
	validation_error: 'The gateway rejected the request',
	model_required: 'A model is required',
	unsupported_model_or_endpoint: 'Unsupported model',
	not_supported: 'Not supported',
	unauthorised: 'Authorization failed',
	unauthorized: 'Authorization failed',
	insufficient_funds: 'Insufficient funds',
	guardrail_blocked: 'Blocked by the gateway guardrails',
	not_found: 'Video not found',
	not_ready: 'Video not ready',
	payload_too_large: 'Request too large',
	key_limit_exceeded: 'Rate limit exceeded',
	gateway_error: 'Gateway error',
	not_implemented_yet: 'Not available',
	upstream_error: 'Provider error',
};

const STATUS_TITLES: Record<number, string> = {
	400: 'Bad request',
	401: 'Authorization failed',
	402: 'Insufficient funds',
	403: 'Forbidden',
	404: 'Not found',
	409: 'Conflict',
	413: 'Request too large',
	429: 'Rate limit exceeded',
	500: 'Gateway error',
	501: 'Not available',
	502: 'Bad gateway',
	503: 'Service unavailable',
	504: 'Gateway timeout',
};

/** Reasons that deserve a sentence a workflow builder can act on. */
const REASON_HINTS: Record<string, string> = {
	video_api_feature_disabled: 'The video API is not enabled for this workspace.',
	video_api_temporarily_disabled: 'The video API is temporarily disabled. Try again later.',
	video_cancellation_disabled: 'The gateway does not support cancelling video jobs.',
	key_not_found_or_revoked: 'The API key does not exist or was revoked.',
	invalid_key_format: 'The API key is malformed: inference keys look like phaseo_v1_sk_….',
	key_expired: 'The API key has expired.',
	video_not_found_or_not_owned: 'No video with this ID exists for this key’s workspace.',
	video_deleted: 'This video was deleted.',
	video_not_ready: 'The video is not finished yet.',
	video_submission_pending: 'The job is still being submitted to the provider.',
	video_cancelled: 'The job was cancelled.',
	video_download_requires_completed_status: 'A download link can only be made for a completed video.',
	batch_api_feature_flag_disabled:
		"Webhook endpoints need the workspace's Batch API feature, which is not enabled. Ask AI Stats (Phaseo) support to enable the Batch API (feature gate gateway_batch_api) for the workspace, or wait with Poll instead of registered endpoints.",
	minimax_api_error: 'MiniMax reported an error for this video although the job completed: the file cannot be fetched from the provider.',
};

function asString(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Reads both envelopes: flat `{error, reason, …}` and nested `{error: {type, message, details}}`. */
export function parseGatewayError(
	httpStatus: number,
	body: unknown,
	headerRequestId?: string,
): GatewayErrorInfo {
	const info: GatewayErrorInfo = { httpStatus, requestId: headerRequestId };
	if (!body || typeof body !== 'object' || Array.isArray(body)) return info;
	const envelope = body as IDataObject;
	if (envelope.error && typeof envelope.error === 'object' && !Array.isArray(envelope.error)) {
		const nested = envelope.error as IDataObject;
		info.error = asString(nested.type) ?? asString(nested.code);
		info.message = asString(nested.message);
		info.details = nested.details;
		// OpenAI's own error object ({message, type, param, code}), passed through by the gateway.
		if ('param' in nested && envelope.request_id === undefined) {
			info.fromProvider = true;
			info.upstream = { code: asString(nested.code), message: info.message };
		}
	} else {
		info.error = asString(envelope.error);
		info.reason = asString(envelope.reason);
		info.message = asString(envelope.message);
		info.details = envelope.details;
	}
	info.requestId = asString(envelope.request_id) ?? info.requestId;
	const upstream = envelope.upstream_error;
	if (upstream && typeof upstream === 'object' && !Array.isArray(upstream)) {
		const code = (upstream as IDataObject).code;
		info.upstream = {
			code: typeof code === 'number' ? String(code) : asString(code),
			message: asString((upstream as IDataObject).message),
		};
	}
	if (envelope.provider_failure_diagnostics && typeof envelope.provider_failure_diagnostics === 'object') {
		info.diagnostics = envelope.provider_failure_diagnostics as IDataObject;
	}
	return info;
}

function describeDetails(details: unknown): string | undefined {
	if (!Array.isArray(details) || details.length === 0) return undefined;
	const lines = details.slice(0, 10).map((detail) => {
		if (!detail || typeof detail !== 'object') return String(detail);
		const entry = detail as IDataObject;
		const path = Array.isArray(entry.path) ? entry.path.join('.') : asString(entry.path);
		const message = asString(entry.message) ?? JSON.stringify(entry);
		return path ? `${path}: ${message}` : message;
	});
	return lines.join('; ');
}

/**
 * The gateway's current server accepts only `webhook: {endpoint_id}`; the documented inline form
 * `{url, secret}` is refused there with a validation error on the webhook fields.
 */
function refusesInlineWebhook(info: GatewayErrorInfo): boolean {
	if (info.httpStatus !== 400 || !Array.isArray(info.details)) return false;
	return info.details.some((detail) => {
		const path = (detail as IDataObject)?.path;
		return Array.isArray(path) && path[0] === 'webhook' && (path[1] === 'url' || path[1] === 'secret' || path[1] === 'endpoint_id');
	});
}

export function isInlineWebhookRefused(error: unknown): boolean {
	return error instanceof GatewayApiError && refusesInlineWebhook(error.gateway);
}

/** The headline: "Insufficient funds (402): <reason or message>". */
export function gatewayErrorMessage(info: GatewayErrorInfo): string {
	const title =
		(info.error && ERROR_TITLES[info.error]) ?? STATUS_TITLES[info.httpStatus] ?? 'Request failed';
	const hint = info.reason ? REASON_HINTS[info.reason] : undefined;
	const detail = describeDetails(info.details);
	const explanation = hint ?? info.message ?? detail ?? info.reason ?? info.error;
	return explanation ? `${title} (${info.httpStatus}): ${explanation}` : `${title} (${info.httpStatus})`;
}

function gatewayErrorDescription(info: GatewayErrorInfo): string {
	const lines: string[] = [];
	if (info.error) lines.push(`Gateway error: ${info.error}${info.reason ? ` (${info.reason})` : ''}`);
	if (info.message) lines.push(`Gateway message: ${info.message}`);
	const detail = describeDetails(info.details);
	if (detail) lines.push(`Details: ${detail}`);
	if (info.upstream && !info.fromProvider && (info.upstream.message || info.upstream.code)) {
		lines.push(`Provider error: ${[info.upstream.message, info.upstream.code ? `code ${info.upstream.code}` : undefined].filter(Boolean).join(', ')}`);
	}
	if (info.hint) lines.push(info.hint);
	if (info.diagnostics) {
		const { category, hint, provider } = info.diagnostics;
		lines.push(`Provider diagnostics: ${[provider, category, hint].filter(Boolean).join(' – ')}`);
	}
	if (refusesInlineWebhook(info)) {
		lines.push(
			'This gateway only accepts registered webhook endpoints: use Notify Webhook → Endpoint ID (an AI Stats Trigger in "Registered Endpoint" mode shows it) instead of a URL.',
		);
	}
	lines.push(`HTTP status: ${info.httpStatus}`);
	if (info.requestId) lines.push(`Request ID: ${info.requestId}`);
	return lines.join('\n');
}

/** The gateway's fields, as they should appear on an error item or in `NodeApiError.errorResponse`. */
export function gatewayErrorFields(info: GatewayErrorInfo): JsonObject {
	const fields: JsonObject = { http_status: info.httpStatus };
	if (info.error) fields.error = info.error;
	if (info.reason) fields.reason = info.reason;
	if (info.message) fields.gateway_message = info.message;
	if (info.requestId) fields.request_id = info.requestId;
	if (info.details !== undefined) fields.details = info.details as JsonObject;
	if (info.diagnostics) fields.provider_failure_diagnostics = info.diagnostics as JsonObject;
	if (info.upstream) fields.upstream_error = info.upstream as JsonObject;
	return fields;
}

export class GatewayApiError extends NodeApiError {
	readonly gateway: GatewayErrorInfo;

	constructor(node: INode, info: GatewayErrorInfo, itemIndex?: number, message?: string) {
		super(node, gatewayErrorFields(info), {
			message: message ?? gatewayErrorMessage(info),
			description: gatewayErrorDescription(info),
			httpCode: String(info.httpStatus),
			itemIndex,
		});
		this.gateway = info;
	}
}

/** A failure with no gateway answer (connection refused/reset, timeout, malformed body). */
export function transportError(
	node: INode,
	message: string,
	description: string,
	itemIndex?: number,
	fields: JsonObject = {},
): NodeApiError {
	return new NodeApiError(node, { ...fields, message }, { message, description, itemIndex });
}

/** Fields for a `continueOnFail` item: the message plus whatever the gateway said. */
export function errorItemFields(error: Error): IDataObject {
	const fields: IDataObject = { error: error.message };
	const description = (error as { description?: unknown }).description;
	if (typeof description === 'string' && description) fields.error_description = description;
	if (error instanceof GatewayApiError) {
		Object.assign(fields, {
			http_status: error.gateway.httpStatus,
			gateway_error: error.gateway.error ?? null,
			reason: error.gateway.reason ?? null,
			request_id: error.gateway.requestId ?? null,
		});
	}
	return fields;
}

/** Any error as an n8n node error: node errors pass unchanged, others are wrapped. */
export function asNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error instanceof Error ? error : String(error), { itemIndex });
}
