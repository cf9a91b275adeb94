/**
 * Type declarations for the AI Stats (Phaseo) Gateway simulator (simulator/index.js).
 * See simulator/README.md for behaviour details.
 */

import type { Server } from 'node:http';
import type { Readable } from 'node:stream';

export type VideoStatus = 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled' | 'expired';
export type OutputAccess = 'bytes' | 'signed_url' | 'both';
/** Failure categories the simulator can produce with the provider's own error text (see lib/failures.js). */
export type FailureCategory = 'content_filter' | 'invalid_input' | 'provider_error' | 'provider_unavailable' | 'insufficient_funds';
export type Outcome = 'complete' | 'fail' | 'expire' | 'cancel' | 'stuck' | 'upstream-error-string' | `fail:${FailureCategory}`;
/**
 * `production` (default): the gateway as its newest server code behaves (gateway-api.md, "The production
 * gateway today"). `docs`: the published contract (inline webhooks, checksums, GET-shaped create response).
 */
export type SimulatorProfile = 'production' | 'docs';
/** `model`: per provider as in production (see README); `always` / `never`: for every job. */
export type AssetFactMode = 'model' | 'always' | 'never';

/** The behaviour switches a profile sets (explicit options win); `getOptions().effectiveProfile`. */
export interface EffectiveProfile {
	name: SimulatorProfile;
	/** Per-job `{url, secret}` webhooks accepted (docs) or refused with 400 (production). */
	acceptInlineWebhooks: boolean;
	/** `asset.sha256` filled (docs) or always null (production). */
	assetSha256: boolean;
	assetBytes: AssetFactMode;
	contentLength: AssetFactMode;
	/** `job`: create answers with the GET shape (docs); `openai`: the OpenAI-style object (production). */
	createResponse: 'job' | 'openai';
	/** openai/* jobs speak the OpenAI dialect on GET (production). */
	openaiDialect: boolean;
	/** Create accepts `seconds`, `input_reference`, a blank prompt with an image, a missing model (→ sora-2) (production). */
	openaiCreateFields: boolean;
}

/** Optional values accept null to restore their default (unset) behaviour at run time. */
export interface SimulatorOptions {
	/** Listen address. Default '127.0.0.1'. */
	host?: string;
	/** Listen port; 0 = random free port. Default 0. */
	port?: number;
	/** Which gateway to play. Default 'production'. Tests about the documented form ask for 'docs'. */
	profile?: SimulatorProfile;
	/** The workspace's Batch API feature; off → every /webhook-endpoints call answers 403 `batch_api_feature_flag_disabled`. Default true. */
	batchApi?: boolean;
	/** POST /pricing/calculate answers; off → 404 `{ok:false, error:'pricing_not_found'}` for every model. Default true. */
	pricingApi?: boolean;
	/** Whether GET shows `asset.bytes`. Default by profile: production 'model', docs 'always'. Per job: `[sim:asset-bytes=none|known]`. */
	assetBytes?: AssetFactMode | null;
	/** Whether /content sends Content-Length. Default by profile: production 'model', docs 'always'. Per job: `[sim:content-length=none|sent]`. */
	contentLength?: AssetFactMode | null;
	/** Wallet balance (USD) behind GET /credits; a create whose estimate exceeds what is available answers 402. Default 1,000,000. */
	walletBalanceUsd?: number;
	/** Origin used in polling_url/content_url/download_url (e.g. when reached through a proxy). Default: the listen origin. */
	publicUrl?: string | null;
	/** Time a job stays `queued`. Default 300. */
	queuedMs?: number;
	/** Processing time until the terminal state. Default 3000. */
	jobMs?: number;
	/** Progress tick while processing. Default max(10, processingMs / 20). */
	progressStepMs?: number | null;
	/** Value of `poll_after_seconds`. Default 20. */
	pollAfterSeconds?: number;
	/** When set, every output is synthetic deterministic bytes of this size (number or "1GiB"), streamed. Default: real MP4 clips. */
	contentBytes?: number | string | null;
	/** Delay before attempt 1, 2, …; length = max attempts. Default [0, 60000, 300000, 900000]. */
	webhookRetryDelaysMs?: number[];
	/** Hold every first delivery attempt until `releaseWebhooks()` sends them all at once. Default false. */
	holdWebhooks?: boolean;
	/** Each delivery attempt is sent this many times at once (duplicates, as at-least-once delivery allows). Default 1. */
	webhookCopies?: number;
	/** Webhook request timeout. Default 30000. */
	webhookTimeoutMs?: number;
	/** HMAC secret for signed download URLs. Default random per instance. */
	signedUrlSecret?: string;
	/** Only public https webhook URLs (production rule). Default false (http://127.0.0.1 allowed). */
	requireHttpsWebhooks?: boolean;
	/**
	 * Accept the documented inline `{url, secret, events}` webhook form. Default by profile: docs true,
	 * production false (400 validation_error: `webhook.endpoint_id` Required + `unrecognized_keys`). null = profile.
	 */
	acceptInlineWebhooks?: boolean | null;
	/** GET every input reference URL on create, like a provider. Default false. */
	fetchReferences?: boolean;
	/** Accept http:// input reference URLs (the gateway requires https). Default false. */
	allowHttpReferences?: boolean;
	/** Timeout for reference fetches. Default 30000. */
	referenceTimeoutMs?: number;
	/** Skip TLS verification for webhook and reference requests. Default false. */
	insecureTls?: boolean;
	/** GET /videos only considers this many newest jobs. Default 101. */
	listWindow?: number;
	/** Request body limit (413 above). Default 16 MiB. */
	maxBodyBytes?: number;
	/** Record API requests for `requests()`. Default true. */
	logRequests?: boolean;
	/** Legacy `aistats_` keys stop working at this instant. Default '2027-01-01T00:00:00Z' (as the gateway). */
	legacyKeysRetireAt?: string;
	/** Outcomes for the next created jobs (consumed in order); prompt directives take precedence. */
	nextOutcomes?: Outcome[];
	/** Receives one line per finished API request (no secrets). */
	logger?: ((line: string) => void) | null;
}

export interface SimulatorKeys {
	/** phaseo_v1_sk_… inference key, primary workspace. */
	inference: string;
	/** aistats_v1_sk_… legacy inference key, primary workspace (retired from legacyKeysRetireAt). */
	legacyInference: string;
	/** phaseo_v1_mk_… management key, primary workspace. */
	management: string;
	/** Inference key of a second workspace (cannot see the primary workspace's jobs/endpoints). */
	otherInference: string;
	/** Management key of the second workspace. */
	otherManagement: string;
	/** Create → 402 insufficient_funds. */
	noFunds: string;
	/** Video routes → 501 not_implemented_yet / video_api_feature_disabled. */
	videoDisabled: string;
	/** 401 key_expired. */
	expired: string;
	/** 401 key_not_found_or_revoked. */
	revoked: string;
}

export interface RequestLogEntry {
	method: string;
	path: string;
	query: Record<string, string | string[]>;
	/** Lower-case header names, values as received (kept in memory only, never printed). */
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON, raw text when not JSON, undefined when empty or over the size limit. */
	body: unknown;
	bodyBytes: number;
	/** Epoch milliseconds when the request arrived. */
	time: number;
	/** Response status; 0 when the connection was reset by a fault; undefined until answered. */
	status: number | undefined;
	requestId: string;
}

export interface VideoOutput {
	index: number;
	mime_type: string;
	bytes_available: boolean;
	content_url?: string;
	download_url?: string;
	expires_at?: number;
}

export interface VideoAsset {
	id: string;
	mime_type: string;
	/** null in production for providers that do not report it (see README), or with `[sim:asset-bytes=none]`. */
	bytes: number | null;
	/** Always null in production; the sha256 of the served bytes in the docs profile. */
	sha256: string | null;
	width: number | null;
	height: number | null;
	duration_seconds: number | null;
}

export interface ProviderError {
	code: string;
	message: string;
	provider: string;
	type?: string;
	param?: string;
	status?: number;
	[key: string]: unknown;
}

/** A job exactly as GET /v1/videos/{id} serves it. */
export interface Job {
	id: string;
	object: 'video';
	/** openai/* jobs in production say `in_progress` for processing. */
	status: VideoStatus | 'in_progress';
	lifecycle_status: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'expired';
	output_access: OutputAccess;
	progress: number;
	progress_source: 'none' | 'provider' | 'estimated';
	polling_url: string;
	websocket_url: string;
	poll_after_seconds: number;
	cancel_url: string | null;
	request_id: string;
	session_id: string | null;
	generation_id: string;
	native_video_id: string | null;
	/** Unix seconds. */
	created_at: number;
	/** ISO 8601 string (the gateway mixes unix and ISO timestamps). */
	started_at: string | number | null;
	/** ISO 8601 string. */
	completed_at: string | number | null;
	provider: string;
	model: string;
	/** A string for openai/* jobs in production. */
	seconds: number | string;
	size: string;
	audio: boolean;
	asset: VideoAsset | null;
	outputs: VideoOutput[];
	usage: { cost: number; cost_usd: number; is_byok: boolean; [key: string]: unknown };
	billing: Record<string, unknown> & { currency: string; state: string };
	/** Only when failed: a provider object, or a plain string. */
	/** openai/* jobs in production: `{code, message}` only. */
	error?: ProviderError | string | { code: string; message: string };
	webhook?: { endpoint_id: string | null; url: string | null; events: string[]; has_secret: boolean };
	/** Present when output_access is bytes|both. */
	content_url?: string;
	/** Present (null until completed) when output_access is signed_url|both. */
	download_url?: string | null;
	expires_at?: number | null;
}

/** The webhook event body (JSON.stringify of this is the raw POST body). */
export interface WebhookEvent {
	id: string;
	type: string;
	/** Unix seconds. */
	created_at: number;
	delivery: { key: string; attempt: number; max_attempts: number };
	/** The job without outputs/asset/error/poll_after_seconds, with duration_seconds, content_url, upstream_error, … */
	data: Record<string, unknown> & {
		id: string;
		status: VideoStatus;
		content_url: string;
		download_url: string | null;
		expires_at: number | null;
		duration_seconds: number;
		upstream_error: { code: string | null; type: string | null; message: string | null; [key: string]: unknown } | null;
	};
	/** Only on video.status_changed; raw statuses (`in_progress` for processing). */
	status_change?: { previous_status: string | null; status: string };
}

export interface DeliveryAttempt {
	url: string;
	eventId: string;
	type: string;
	deliveryKey: string;
	attempt: number;
	maxAttempts: number;
	/** Headers sent (lower-case names). */
	headers: Record<string, string>;
	/** Raw body sent. */
	body: string;
	/** Receiver's HTTP status; undefined on network error/timeout. */
	status: number | undefined;
	/** Why the attempt failed (non-2xx, redirect, timeout, network); undefined when delivered. */
	error: string | undefined;
	ok: boolean;
	/** Epoch milliseconds when the attempt started. */
	time: number;
	durationMs: number;
	jobId: string | undefined;
	/** True for sim.deliverEvent / POST /__sim/deliver. */
	manual: boolean;
	/** First 64 KiB of the receiver's response body. */
	responseBody: string | undefined;
}

export type Tamper =
	| 'bad-signature'
	| 'stale-timestamp'
	| 'missing-signature'
	| 'missing-timestamp'
	| 'uppercase-hex'
	| 'sha256-prefix'
	| 'tampered-body';

export interface DeliverEventOptions {
	url: string;
	secret: string;
	event: WebhookEvent | Record<string, unknown>;
	/** Overrides x-phaseo-attempt and event.delivery.attempt. */
	attempt?: number;
	/** Overrides x-phaseo-max-attempts and event.delivery.max_attempts. */
	maxAttempts?: number;
	tamper?: Tamper;
	/** Unix seconds for x-phaseo-timestamp (signed). Default now. */
	timestamp?: number;
}

export interface DeliverEventResult {
	status: number;
	body: string;
	headers: Record<string, string | string[] | undefined>;
	/** The exact raw body that was POSTed. */
	rawBody: string;
	/** The exact headers that were sent. */
	requestHeaders: Record<string, string>;
}

export interface BuildEventExtra {
	/** For video.progress: progress value (bucketed like the gateway). */
	progress?: number;
	/** For video.status_changed: raw previous status (default derived from the job). */
	previousStatus?: string;
	/** For video.status_changed: raw current status (default the job's, `in_progress` for processing). */
	currentStatus?: string;
	attempt?: number;
	maxAttempts?: number;
	deliveryKey?: string;
}

export interface ReferenceFetch {
	url: string;
	status: number | undefined;
	bytes: number;
	sha256: string | undefined;
	contentType: string | undefined;
	error: string | undefined;
	jobId: string;
	time: number;
}

export interface ContentInfo {
	bytes: number;
	sha256: string;
	mimeType: string;
}

export type FaultRoute =
	| 'POST /videos'
	| 'GET /videos'
	| 'GET /videos/models'
	| 'GET /videos/:id'
	| 'GET /videos/:id/content'
	| 'signed-content'
	| 'POST /videos/:id/download_url'
	| 'DELETE /videos/:id'
	| 'POST /videos/:id/cancel'
	| 'GET /webhook-endpoints'
	| 'POST /webhook-endpoints'
	| 'GET /webhook-endpoints/:id'
	| 'PATCH /webhook-endpoints/:id'
	| 'DELETE /webhook-endpoints/:id'
	| 'POST /webhook-endpoints/:id/rotate-secret'
	| 'POST /pricing/calculate'
	| 'GET /credits'
	| 'GET /generations'
	| 'webhook';

export type HttpFaultKind = 'status' | 'reset' | 'drop' | 'truncate' | 'malformed' | 'html' | 'empty' | 'huge' | 'delay' | 'corrupt' | 'stall' | 'no-length';
export type WebhookFaultKind = 'duplicate' | 'bad-signature' | 'stale-timestamp' | 'delay';

export interface Fault {
	/** Route key; omitted = any API route (never webhooks). */
	route?: FaultRoute;
	kind: HttpFaultKind | WebhookFaultKind;
	/** How many matching requests it hits (default 1). Ignored when probability is set. */
	count?: number;
	/** 0..1: hit each matching request at random, forever (until clearFaults). */
	probability?: number;
	/** status/html/empty/huge/malformed: HTTP status (defaults: status 500, html/empty/huge 502, malformed 200). */
	status?: number;
	/** status: flat `error` code (default derived from the status). */
	error?: string;
	/** status: `reason` (default 'simulated_fault'). */
	reason?: string;
	/** status: extra fields merged into the flat error body, e.g. `{upstream_error: {code: 1000, message: '…'}}`. */
	extra?: Record<string, unknown>;
	/** status: `message`. */
	message?: string;
	/** delay: milliseconds before the normal response (default 1000). */
	delayMs?: number;
	/** drop/truncate: bytes of body sent before stopping (default half); huge: body size (default 64 MiB). */
	bytes?: number;
	/** Only requests for this video id. */
	videoId?: string;
	/** webhook faults: only this event type, e.g. 'video.completed'. */
	eventType?: string;
	/** POST /videos only: create the job first, then apply the fault (the "did my create go through?" case). */
	commit?: boolean;
	/** Only when the targeted job exists and is not terminal (e.g. GET /videos/:id 502 while processing). */
	nonTerminalOnly?: boolean;
}

/** What the simulator received as a production `input_reference` (sim.receivedReferences()). */
export interface ReceivedReference {
	jobId: string;
	requestId: string;
	model: string;
	/** `data_url` and `multipart` were decoded; `https` and `file_id` were only recorded. */
	source: 'data_url' | 'multipart' | 'https' | 'file_id';
	/** Checked against the bytes' signature: image/png, image/jpeg or image/webp. null for https/file_id. */
	mimeType: string | null;
	/** Decoded byte count (null for https/file_id). */
	bytes: number | null;
	/** sha256 hex of the decoded bytes (null for https/file_id). */
	sha256: string | null;
	/** Length of the data URL text (data_url only). */
	dataUrlChars?: number;
	/** Multipart file name. */
	filename?: string | null;
	url?: string;
	fileId?: string;
	/** Epoch milliseconds. */
	time: number;
}

/** The production create response (profile production): the OpenAI-style video object. */
export interface CreateResponse {
	id: string;
	object: 'video';
	model: string;
	status: 'queued' | 'in_progress';
	progress: number;
	/** Unix seconds. */
	created_at: number;
	completed_at: null;
	expires_at: null;
	error: null;
	prompt: string;
	/** String, OpenAI style. */
	seconds: string;
	size: string;
	remixed_from_video_id: null;
	quality: string;
	usage: { cost: number; cost_usd: number; is_byok: boolean };
	meta: { request_id: string; provider: string };
}

/** POST /v1/pricing/calculate 200 body (the gateway's computeBillSummary). */
export interface PricingAnswer {
	ok: true;
	pricing: {
		cost_usd: number;
		cost_usd_str: string;
		cost_cents: number;
		currency: 'USD';
		lines: Array<{
			dimension: string;
			quantity: number;
			billable_units: number;
			unit_size: number;
			unit_price_usd: string;
			line_cost_usd: string;
			line_nanos: number;
			bill_mode: 'all' | 'over';
			rule_priority: number;
			rule_id: string;
			[key: string]: unknown;
		}>;
	};
}

/** GET /v1/credits 200 body. */
export interface CreditsAnswer {
	ok: true;
	credits: { remaining: number; balance_nanos: number; reserved_nanos: number; available_nanos: number; thirty_day_usage: number; thirty_day_requests: number };
}

export interface Simulator {
	/** 'http://127.0.0.1:PORT' (the listen origin). */
	readonly origin: string;
	/** `${publicUrl ?? origin}/v1`. */
	readonly baseUrl: string;
	readonly port: number;
	readonly keys: SimulatorKeys;
	readonly startedAt: number;
	readonly server: Server;

	/** Stops listening, destroys open sockets, cancels timers and in-flight deliveries. */
	close(): Promise<void>;
	/** Clears jobs, request log, faults, webhook endpoints, deliveries and reference fetches; keeps options. */
	reset(): void;
	/** Changes options at run time (host/port excluded). Throws TypeError on invalid values. */
	setOptions(partial: SimulatorOptions): void;
	/** Current options (signing secret masked). */
	getOptions(): Record<string, unknown> & { profile: SimulatorProfile; effectiveProfile: EffectiveProfile };

	injectFault(fault: Fault): void;
	clearFaults(): void;
	/** Active faults with their remaining count (null = probabilistic). */
	faults(): Array<Fault & { remaining: number | null }>;

	/** Every API request received (control /__sim requests excluded). */
	requests(): RequestLogEntry[];
	clearRequests(): void;

	/** All jobs (public shape), oldest first; deleted jobs included. */
	jobs(): Job[];
	getJob(id: string): Job | undefined;
	/** Forces completion now (queued jobs pass through processing). Throws if unknown or terminal. */
	completeJob(id: string): Promise<Job>;
	/** Forces failure now with `error` (string or provider object), a FailureCategory name (the provider's text for it), or a default provider error. */
	failJob(id: string, error?: string | Record<string, unknown>): Job;
	expireJob(id: string): Job;
	cancelJob(id: string): Job;

	/** Every finished webhook POST attempt (automatic and manual), in completion order. */
	deliveries(): DeliveryAttempt[];
	clearDeliveries(): void;
	/**
	 * Resolves when `predicate` matches: it is called with the whole list first (resolves with the list
	 * when truthy), then with each attempt (resolves with the matching attempts). Rejects after timeoutMs (default 5000).
	 */
	/** `holdWebhooks`: sends every held first attempt at once; returns how many. */
	releaseWebhooks(): number;
	/** How many first attempts are held. */
	heldWebhooks(): number;
	/** The current signing secret of a registered endpoint (test control; the API returns it only on create). */
	webhookEndpointSecret(id: string): string | undefined;
	waitForDeliveries(predicate: ((all: DeliveryAttempt[]) => unknown) | ((attempt: DeliveryAttempt) => unknown), timeoutMs?: number): Promise<DeliveryAttempt[]>;

	/** The exact event object the gateway would send for this job now. `type` may be `video.x`, `job.x` or `x`. */
	buildEvent(job: string | { id: string }, type: string, extra?: BuildEventExtra): WebhookEvent;
	/** Lowercase hex HMAC-SHA256(secret, `${timestamp}.${rawBody}`). */
	signPayload(secret: string, timestamp: number | string, rawBody: string): string;
	/** One signed POST through the same code path as automatic deliveries. Rejects on network errors/timeouts. */
	deliverEvent(options: DeliverEventOptions): Promise<DeliverEventResult>;

	/** fetchReferences mode: what the simulated provider fetched. */
	references(): ReferenceFetch[];
	/** Inline input references received on create (production `input_reference`), decoded; also GET /__sim/received-references. */
	receivedReferences(): ReceivedReference[];
	clearReceivedReferences(): void;
	/** What the content route serves for output `index` of a job (sha256 computed if needed). */
	contentFor(id: string, index?: number): ContentInfo;
	/** A stream of exactly those bytes. */
	contentStream(id: string, index?: number): Readable;
}

export function createSimulator(options?: SimulatorOptions): Promise<Simulator>;
