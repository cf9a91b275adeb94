import type { INode } from 'n8n-workflow';

import { GatewayApiError } from './errors';
import { DROPPED_CODES, NOT_SENT_CODES } from './network';
import { ExecutionCancelledError, sleepUnlessCancelled } from './wait';

/**
 * The one definition of when a gateway call is repeated. Each caller names its policy; the
 * runner below (and the poll loop, which waits until a deadline instead of counting attempts)
 * apply it.
 */
export interface RetryPolicy {
	name: 'read' | 'create' | 'none' | 'poll';
	maxAttempts: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** HTTP statuses of an error answer worth another attempt. */
	retryStatuses: readonly number[];
	/** Network error codes worth another attempt. */
	retryNetworkCodes: readonly string[];
	/** Whether a 2xx answer that is not JSON may be asked for again. */
	retryGarbledAnswer: boolean;
}

/** Reads, delete and the download link: safe to repeat on 429/502/503/504 and dropped connections. */
export const readPolicy: RetryPolicy = {
	name: 'read',
	maxAttempts: 4,
	baseDelayMs: 500,
	maxDelayMs: 8000,
	retryStatuses: [429, 502, 503, 504],
	retryNetworkCodes: [...NOT_SENT_CODES, ...DROPPED_CODES],
	retryGarbledAnswer: true,
};

/**
 * POST /videos has no idempotency key, so a repeat may bill a second job. Repeated only when the
 * gateway certainly did not start it: 429, or a connection refused before sending.
 */
export const createPolicy: RetryPolicy = {
	...readPolicy,
	name: 'create',
	retryStatuses: [429],
	retryNetworkCodes: ['ECONNREFUSED'],
	retryGarbledAnswer: false,
};

/** Never repeated (other POSTs, e.g. registering a webhook endpoint). */
export const noRetryPolicy: RetryPolicy = {
	...readPolicy,
	name: 'none',
	maxAttempts: 1,
	retryStatuses: [],
	retryNetworkCodes: [],
	retryGarbledAnswer: false,
};

/**
 * Status checks while waiting: also 500, and any failure without a gateway answer; the poll loop
 * keeps going until its deadline, backing off from the poll interval up to a minute.
 */
export const pollPolicy: RetryPolicy = {
	name: 'poll',
	maxAttempts: Infinity,
	/** The poll loop backs off from the job's own poll interval; this is the gateway's default. */
	baseDelayMs: 20_000,
	maxDelayMs: 60_000,
	retryStatuses: [429, 500, 502, 503, 504],
	retryNetworkCodes: [...NOT_SENT_CODES, ...DROPPED_CODES],
	retryGarbledAnswer: true,
};

/** Whether a call that failed with `error` (already mapped to a node error) may be repeated under `policy`. */
export function isRetryableError(error: unknown, policy: RetryPolicy): boolean {
	if (error instanceof GatewayApiError) return policy.retryStatuses.includes(error.gateway.httpStatus);
	// Transport errors without a gateway answer (connection refused/reset, garbled body).
	return policy.retryNetworkCodes.length > 0 && error instanceof Error && !(error instanceof ExecutionCancelledError) && (error as { httpCode?: unknown }).httpCode == null;
}

/** Exponential backoff with full jitter between half and all of the step, capped. */
export function backoffDelayMs(retryNumber: number, baseMs: number, capMs: number): number {
	const step = Math.min(capMs, baseMs * 2 ** retryNumber);
	return Math.round(step / 2 + Math.random() * (step / 2));
}

/** One attempt's result: its value, or its error and whether the caller's classification allows another. */
export type Attempt<T> = { ok: true; value: T } | { ok: false; error: Error; retry: boolean };

/**
 * Runs `attempt` until it succeeds, its error is not retryable, or the policy's attempts are
 * spent (then its last error is thrown), with backoff between attempts.
 */
export async function runWithRetries<T>(
	policy: RetryPolicy,
	node: INode,
	signal: AbortSignal | undefined,
	attempt: (number: number) => Promise<Attempt<T>>,
): Promise<T> {
	for (let number = 1; ; number++) {
		const result = await attempt(number);
		if (result.ok) return result.value;
		if (!result.retry || number >= policy.maxAttempts) throw result.error;
		await sleepUnlessCancelled(backoffDelayMs(number - 1, policy.baseDelayMs, policy.maxDelayMs), node, signal);
	}
}
