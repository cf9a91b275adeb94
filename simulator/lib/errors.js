'use strict';
/**
 * The gateway's two error shapes.
 * - Flat envelope (every route except /webhook-endpoints): `{error, reason, message, request_id,
 *   status_code, error_type, error_origin, details?, …extra}`.
 * - Nested envelope (/webhook-endpoints validation and not-found): `{error: {type, message, details?}}`.
 */

/** HTTP status for each flat `error` code (from the gateway's error table). */
const ERROR_STATUS = Object.freeze({
	invalid_json: 400,
	validation_error: 400,
	model_required: 400,
	unsupported_model_or_endpoint: 400,
	not_supported: 400,
	unauthorised: 401,
	insufficient_funds: 402,
	guardrail_blocked: 403,
	forbidden: 403,
	not_found: 404,
	not_ready: 409,
	payload_too_large: 413,
	key_limit_exceeded: 429,
	gateway_error: 500,
	not_implemented_yet: 501,
	upstream_error: 502,
});

const DEFAULT_MESSAGES = Object.freeze({
	invalid_json: 'Request body is not valid JSON.',
	validation_error: 'Request validation failed.',
	model_required: 'A model is required.',
	unsupported_model_or_endpoint: 'Unsupported model or endpoint.',
	not_supported: 'This operation is not supported.',
	unauthorised: 'Authentication failed.',
	insufficient_funds: 'Insufficient funds to run this request.',
	guardrail_blocked: 'The request was blocked by a workspace guardrail.',
	forbidden: 'Access to this resource is forbidden.',
	not_found: 'Resource not found.',
	not_ready: 'The resource is not ready yet.',
	payload_too_large: 'Request body is too large.',
	key_limit_exceeded: 'This API key has reached its configured limit.',
	gateway_error: 'The gateway failed to process the request.',
	not_implemented_yet: 'This feature is not implemented yet.',
	upstream_error: 'The upstream provider returned an error.',
});

/** Fallback `error` code for an arbitrary HTTP status (used by injected status faults). */
function errorCodeForStatus(status) {
	const byStatus = {
		400: 'validation_error',
		401: 'unauthorised',
		402: 'insufficient_funds',
		403: 'guardrail_blocked',
		404: 'not_found',
		409: 'not_ready',
		413: 'payload_too_large',
		429: 'key_limit_exceeded',
		500: 'gateway_error',
		501: 'not_implemented_yet',
		502: 'upstream_error',
	};
	if (byStatus[status]) return byStatus[status];
	return status >= 500 ? 'gateway_error' : 'validation_error';
}

/**
 * Builds a flat error reply.
 * @param {string} code flat `error` code
 * @param {{reason?: string|null, message?: string, requestId: string, details?: unknown, status?: number, extra?: Record<string, unknown>}} args
 * @returns {{status: number, json: Record<string, unknown>}}
 */
function flatError(code, args) {
	const status = args.status ?? ERROR_STATUS[code] ?? 500;
	const body = {
		error: code,
		reason: args.reason ?? null,
		message: args.message ?? DEFAULT_MESSAGES[code] ?? 'Request failed.',
		request_id: args.requestId,
		status_code: status,
		error_type: status >= 500 ? 'system' : 'user',
		error_origin: status === 502 ? 'provider' : status >= 500 ? 'gateway' : 'user',
		...(args.extra ?? {}),
	};
	if (code === 'unsupported_model_or_endpoint') {
		body.description =
			'Unsupported model or endpoint. Please check https://ai-stats.phaseo.app/models for your model id, or the API Reference at https://docs.ai-stats.phaseo.app/v1/api-reference for valid endpoints.';
	}
	if (args.details !== undefined) body.details = args.details;
	return { status, json: body };
}

/**
 * Builds a nested error reply (webhook endpoint routes).
 * @returns {{status: number, json: {error: {type: string, message: string, details?: unknown}}}}
 */
function nestedError(status, type, message, details) {
	const error = { type, message };
	if (details !== undefined) error.details = details;
	return { status, json: { error } };
}

module.exports = { ERROR_STATUS, DEFAULT_MESSAGES, errorCodeForStatus, flatError, nestedError };
