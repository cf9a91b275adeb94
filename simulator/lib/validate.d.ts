/** Type declarations for simulator/lib/validate.js (create-request shape validation). */

export interface Problem {
	/** Path into the body, e.g. ['input_references', 0, 'image_url', 'url']; [] for the body itself. */
	path: Array<string | number>;
	message: string;
	/** 'unrecognized_key' | 'model_required' | 'required' | 'invalid_type' | 'invalid_string' | 'invalid_enum_value' | 'invalid_union' | 'too_small' | 'too_big' | 'custom' */
	code: string;
}

export interface ValidateOptions {
	/** Only public https webhook URLs. Default false. */
	requireHttpsWebhooks?: boolean;
	/** Accept the inline {url, secret, events} webhook form. Default true. */
	acceptInlineWebhooks?: boolean;
	/** Accept http:// input reference URLs. Default false. */
	allowHttpReferences?: boolean;
}

/** Problems with a POST /videos body; [] when it is shape-valid (model support is not checked here). */
export function validateCreate(body: unknown, options?: ValidateOptions): Problem[];
/** Gateway normalisation of one webhook subscription name (`completed` → `job.completed`); null if unsupported. */
export function normalizeWebhookEvent(value: unknown): string | null;
export function normalizeWebhookEvents(list: unknown): string[];
/** Problem message for a webhook URL, or null when acceptable. */
export function webhookUrlProblem(value: unknown, options: { requireHttps: boolean }): string | null;
export function isPrivateOrLocalHost(hostname: string): boolean;
export const RESOLUTIONS: string[];
export const ROLES: string[];
export const OUTPUT_ACCESS: string[];
export const TOP_LEVEL_KEYS: Set<string>;
export const TOP_LEVEL_OVERRIDE_KEYS: Set<string>;
export const PROVIDER_CONTROLLED_KEYS: Set<string>;
