'use strict';
/**
 * Provider-style failure texts, one per failure category and provider, so a client's classifier can be
 * tested against what each provider says. The gateway has no moderation category: a content-filter
 * failure shows only in the provider's own code and message, which the gateway passes through.
 *
 * Sources: MiniMax `1026 sensitive prompt` and `1008 insufficient balance` are the fixtures in the
 * gateway's executor tests (apps/api/src/providers/minimax/endpoints/images.test.ts,
 * apps/api/src/executors/minimax/video-generate/index.test.ts); the others follow the providers'
 * published error codes (OpenAI `moderation_blocked`, Google `raiMediaFiltered…`, BytePlus ModelArk
 * `…SensitiveContentDetected`, Runway `SAFETY.*` failure codes) and are marked unconfirmed in README.
 */

/** @typedef {{code: string|number, type: string, message: string, status: number, retryable?: boolean}} ProviderFailure */

/** @type {Record<string, Record<string, ProviderFailure>>} category → provider → failure */
const FAILURES = {
	content_filter: {
		'google-ai-studio': {
			code: 'RAI_MEDIA_FILTERED',
			type: 'invalid_request_error',
			status: 400,
			message:
				"Veo could not generate videos because the input prompt violates Google's Responsible AI practices (raiMediaFilteredCount: 1, raiMediaFilteredReasons: [\"The prompt contains content that may violate our safety policies. Support codes: 58061214\"]).",
		},
		openai: {
			code: 'moderation_blocked',
			type: 'invalid_request_error',
			status: 400,
			message: 'Your request was blocked by our moderation system.',
		},
		byteplus: {
			code: 'OutputVideoSensitiveContentDetected',
			type: 'invalid_request_error',
			status: 400,
			message: 'The request failed because the output video may contain sensitive information.',
		},
		minimax: { code: 1026, type: 'minimax_1026', status: 400, message: 'sensitive prompt' },
		runway: {
			code: 'SAFETY.INPUT.TEXT',
			type: 'task_failed',
			status: 400,
			message: 'Content moderation: the text prompt did not pass our content moderation policy.',
		},
	},
	invalid_input: {
		'google-ai-studio': { code: 'INVALID_ARGUMENT', type: 'invalid_request_error', status: 400, message: 'Request contains an invalid argument: the input image could not be decoded.' },
		openai: { code: 'invalid_value', type: 'invalid_request_error', status: 400, message: "Invalid value for 'input_reference': the image must match the requested size 1280x720." },
		byteplus: { code: 'InvalidParameter', type: 'invalid_request_error', status: 400, message: 'The parameter `content.image_url` specified in the request is not valid: image format not supported.' },
		minimax: { code: 2013, type: 'minimax_2013', status: 400, message: 'invalid params, first_frame_image: image format not supported' },
		runway: { code: 'ASSET.INVALID', type: 'task_failed', status: 400, message: 'Invalid asset: the reference image could not be processed.' },
	},
	provider_error: {
		'google-ai-studio': { code: 'INTERNAL', type: 'provider_error', status: 500, message: 'Internal error encountered.' },
		openai: { code: 'server_error', type: 'server_error', status: 500, message: 'The video generation failed due to an internal error.' },
		byteplus: { code: 'InternalServiceError', type: 'provider_error', status: 500, message: 'The service encountered an unexpected internal error.' },
		minimax: { code: 1000, type: 'minimax_1000', status: 500, message: 'unknown error' },
		runway: { code: 'INTERNAL.BAD_OUTPUT', type: 'task_failed', status: 500, message: 'An internal error occurred: the generated output failed quality checks.' },
	},
	provider_unavailable: {
		'google-ai-studio': { code: 'UNAVAILABLE', type: 'provider_error', status: 503, message: 'The model is overloaded. Please try again later.' },
		openai: { code: 'service_unavailable', type: 'server_error', status: 503, message: 'The server is overloaded or not ready yet.' },
		byteplus: { code: 'ServerOverloaded', type: 'provider_error', status: 503, message: 'The service is currently overloaded, please try again later.' },
		minimax: { code: 1002, type: 'minimax_1002', status: 503, message: 'rate limit triggered, service busy' },
		runway: { code: 'THROTTLED', type: 'task_failed', status: 503, message: 'The task was throttled because the service is at capacity.' },
	},
	insufficient_funds: {
		'google-ai-studio': { code: 'RESOURCE_EXHAUSTED', type: 'provider_error', status: 429, message: 'Quota exceeded for the project: billing account has insufficient credit.' },
		openai: { code: 'insufficient_quota', type: 'insufficient_quota', status: 429, message: 'You exceeded your current quota, please check your plan and billing details.' },
		byteplus: { code: 'AccountOverdueError', type: 'provider_error', status: 403, message: 'The request failed because your account has an overdue balance.' },
		minimax: { code: 1008, type: 'minimax_1008', status: 402, message: 'insufficient balance' },
		runway: { code: 'INSUFFICIENT_CREDITS', type: 'task_failed', status: 402, message: 'You do not have enough credits to run this task.' },
	},
};

const CATEGORIES = Object.keys(FAILURES);

/** `provider_failure_diagnostics.category` the gateway would attach (it has no moderation category). */
const DIAGNOSTIC_CATEGORY = {
	content_filter: 'server_error',
	invalid_input: 'server_error',
	provider_error: 'server_error',
	provider_unavailable: 'server_error',
	insufficient_funds: 'credentials_not_configured',
};

/**
 * The provider failure for a category; providers without their own entry use the OpenAI-style text.
 * @returns {ProviderFailure & {category: string}}
 */
function providerFailure(category, provider) {
	const table = FAILURES[category];
	if (!table) throw new TypeError(`Unknown failure category '${category}'; expected one of ${CATEGORIES.join(', ')}`);
	return { ...(table[provider] ?? table.openai), category };
}

module.exports = { FAILURES, CATEGORIES, DIAGNOSTIC_CATEGORY, providerFailure };
