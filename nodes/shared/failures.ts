import type { IDataObject } from 'n8n-workflow';

/**
 * Why a video job did not complete, in words a workflow can branch on. The gateway has no
 * moderation category: it passes the provider's own code and message through, so the category
 * is read from those with the table below. Add a provider's code or phrase to its row.
 */

export type FailureCategory =
	| 'content_filtered'
	| 'invalid_input'
	| 'provider_error'
	| 'provider_unavailable'
	| 'insufficient_funds'
	| 'timed_out'
	| 'expired'
	| 'cancelled'
	| 'unknown';

interface FailureRule {
	category: FailureCategory;
	/**
	 * Provider codes, compared exactly (case-insensitive); numbers as text: MiniMax's four-digit
	 * codes, and Google's gRPC numbers (a Veo operation error is `{code: 3, status: "INVALID_ARGUMENT"}`).
	 */
	codes: string[];
	/** Patterns on the code (families like Runway's `SAFETY.*`) or on the message. */
	patterns: RegExp[];
	reason: string;
}

/**
 * First matching row wins, so the specific rows come first: a moderation block or an empty wallet
 * must not read as a generic provider error. Sources: the gateway's executors (MiniMax 1002/2056
 * rate limit, 1008 balance, 1026/1027 sensitive, 2013 params) and each provider's published codes
 * (Veo RAI filters, OpenAI `moderation_blocked`, BytePlus `*SensitiveContentDetected`, Runway
 * `SAFETY.*` / `ASSET.*` / `INTERNAL.*`).
 */
const RULES: FailureRule[] = [
	{
		category: 'content_filtered',
		codes: ['RAI_MEDIA_FILTERED', 'moderation_blocked', 'content_policy_violation', '1026', '1027'],
		patterns: [/SensitiveContentDetected/i, /^SAFETY\./i, /responsible ai/i, /raiMediaFiltered/i, /moderation/i, /safety polic/i, /sensitive (prompt|content|information)/i, /content polic/i],
		reason: "The provider's content filter blocked the prompt, an input or the generated video.",
	},
	{
		category: 'insufficient_funds',
		codes: ['insufficient_quota', 'insufficient_funds', 'AccountOverdueError', '1008', 'INSUFFICIENT_CREDITS'],
		patterns: [/insufficient (balance|credit|funds|quota)/i, /overdue/i, /exceeded your current quota/i, /not have enough credits/i],
		reason: 'The provider account behind the gateway has no funds or quota left for this job.',
	},
	{
		category: 'invalid_input',
		codes: ['INVALID_ARGUMENT', '3', 'invalid_value', 'invalid_parameter', 'InvalidParameter', '2013', 'invalid_input_reference'],
		patterns: [/^ASSET\./i, /^INPUT\./i, /^InvalidParameter/i, /invalid (argument|param|value|asset)/i, /could not be (decoded|processed)/i, /not supported/i],
		reason: 'The provider rejected the request: a parameter or an input file is not valid for this model.',
	},
	{
		category: 'provider_unavailable',
		codes: ['UNAVAILABLE', '14', 'RESOURCE_EXHAUSTED', '8', 'service_unavailable', 'rate_limit_exceeded', 'ServerOverloaded', 'ServiceUnavailable', '1002', '2056', 'THROTTLED'],
		patterns: [/overloaded/i, /unavailable/i, /rate limit/i, /throttl/i, /at capacity/i, /service busy/i, /try again later/i],
		reason: 'The provider was overloaded or unavailable; the same request may work later or on another model.',
	},
	{
		category: 'timed_out',
		codes: ['DEADLINE_EXCEEDED', '4', 'timeout', 'TIMEOUT'],
		patterns: [/timed? ?out/i, /deadline exceeded/i],
		reason: 'The provider did not finish the video in time.',
	},
	{
		category: 'provider_error',
		codes: ['INTERNAL', '13', 'server_error', 'InternalServiceError', '1000', 'upstream_error'],
		patterns: [/^INTERNAL\./i, /internal (server )?error/i, /unknown error/i, /unexpected/i],
		reason: 'The provider failed while generating the video.',
	},
];

const STATUS_REASONS: Record<string, { category: FailureCategory; reason: string }> = {
	expired: { category: 'expired', reason: 'The job expired before it finished (or its video is no longer available).' },
	cancelled: { category: 'cancelled', reason: 'The job was cancelled.' },
};

const UNKNOWN_REASON = 'The job failed and the provider gave no reason we recognise; see error_detail.';

/** The fields of the failure insight added to every failed, expired or cancelled job. */
export interface FailureInsight {
	failure_category: FailureCategory;
	failure_reason: string;
	/** true: money was kept; false: the hold was released; null: the gateway has not said. */
	charged: boolean | null;
}

/**
 * The provider's error object (or text) of a job: `error`, else the webhook's `upstream_error`.
 * Codes: `code`, `type`, and a textual `status` (Google's canonical name; a number there is HTTP).
 */
function providerError(job: IDataObject): { codes: string[]; message?: string } {
	const source = job.error ?? job.upstream_error;
	if (typeof source === 'string') return { codes: [], message: source };
	if (!source || typeof source !== 'object') return { codes: [] };
	const entry = source as IDataObject;
	const codes = [entry.code, entry.type, typeof entry.status === 'string' ? entry.status : undefined]
		.filter((code) => typeof code === 'string' || typeof code === 'number')
		.map(String);
	const message = entry.message ?? entry.detail ?? entry.error;
	return { codes, message: typeof message === 'string' ? message : undefined };
}

/** The category of a provider's code(s) and message; `unknown` when nothing matches. */
export function classifyProviderError(code: string | string[] | undefined, message: string | undefined): { category: FailureCategory; reason: string } {
	const codes = code === undefined ? [] : Array.isArray(code) ? code : [code];
	const lowerCodes = codes.map((entry) => entry.toLowerCase());
	for (const rule of RULES) {
		const byCode = rule.codes.some((candidate) => lowerCodes.includes(candidate.toLowerCase()));
		const byPattern = rule.patterns.some((pattern) => codes.some((entry) => pattern.test(entry)) || (message !== undefined && pattern.test(message)));
		if (byCode || byPattern) return { category: rule.category, reason: rule.reason };
	}
	return { category: 'unknown', reason: UNKNOWN_REASON };
}

/** Whether money was kept for a job, from its `billing` (`charged`, else its state). */
export function chargedFrom(billing: unknown): boolean | null {
	if (!billing || typeof billing !== 'object') return null;
	const entry = billing as IDataObject;
	if (typeof entry.charged === 'boolean') return entry.charged;
	const state = String(entry.state ?? entry.reservation_status ?? '').toLowerCase();
	if (state === 'settled' || state === 'charged' || state === 'captured') return true;
	if (state === 'void' || state === 'voided' || state === 'released' || state === 'refunded') return false;
	return null;
}

/**
 * The insight for a job that ended without a video (failed, expired, cancelled); undefined for
 * others. `status` is the normalised status.
 */
export function failureInsight(job: IDataObject, status: string): FailureInsight | undefined {
	const byStatus = STATUS_REASONS[status];
	if (!byStatus && status !== 'failed') return undefined;
	const { codes, message } = providerError(job);
	const classified = byStatus ?? classifyProviderError(codes, message);
	const reason = message && classified.category !== 'unknown' ? `${classified.reason} The provider said: ${message}` : classified.reason;
	return { failure_category: classified.category, failure_reason: reason, charged: chargedFrom(job.billing) };
}

/** The insight for a job this node stopped waiting for (it keeps running on the gateway). */
export function timedOutInsight(job: IDataObject): FailureInsight {
	return {
		failure_category: 'timed_out',
		failure_reason: 'The wait for the video ran past Max Wait; the job may still finish on the gateway.',
		charged: chargedFrom(job.billing),
	};
}

/** Categories after which the same request may work on another model (fallback). */
export const RETRYABLE_ELSEWHERE: readonly FailureCategory[] = ['provider_error', 'provider_unavailable'];
