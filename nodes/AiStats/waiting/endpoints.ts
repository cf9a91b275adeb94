import type { IExecuteFunctions } from 'n8n-workflow';

import { GatewayApiError, asNodeError } from '../../shared/errors';
import { deleteWebhookEndpoint, listWebhookEndpoints } from '../../shared/gateway';

/**
 * The temporary endpoints Generate registers for parked executions. Each one's name marks it as
 * ours and says until when it is needed; the sweep removes those whose time has passed (their
 * execution timed out, failed or was deleted before a callback resumed it), and never touches an
 * endpoint without our mark.
 */

export const ENDPOINT_NAME_PREFIX = 'n8n-nodes-ai-stats resume';
/** Kept this long past the wait's end (late callbacks, a resume still running). */
const EXPIRY_MARGIN_MS = 10 * 60_000;
const SWEEP_PAGE = 100;
const SWEEP_MAX_DELETES = 25;

/** `n8n-nodes-ai-stats resume · exec 123 · until 2026-12-02T19:00:00.000Z` (≤ 120 characters). */
export function endpointName(executionId: string, waitTill: Date): string {
	const until = new Date(waitTill.getTime() + EXPIRY_MARGIN_MS).toISOString();
	return `${ENDPOINT_NAME_PREFIX} · exec ${String(executionId).slice(0, 40)} · until ${until}`;
}

/** When an endpoint of ours may be removed; undefined for any endpoint that is not ours. */
export function endpointExpiry(name: unknown): number | undefined {
	if (typeof name !== 'string' || !name.startsWith(`${ENDPOINT_NAME_PREFIX} · `)) return undefined;
	const until = / · until (\S+)$/.exec(name)?.[1];
	const time = until ? Date.parse(until) : NaN;
	return Number.isFinite(time) ? time : undefined;
}

/** Removes expired endpoints of ours (one page, a bounded number); never fails the park. */
export async function sweepExpiredEndpoints(ctx: IExecuteFunctions, managementKey: string): Promise<number> {
	let removed = 0;
	try {
		const page = await listWebhookEndpoints(ctx, { limit: SWEEP_PAGE }, managementKey);
		const now = Date.now();
		const expired = (page.data ?? []).filter((endpoint) => {
			const expiry = endpointExpiry(endpoint.name);
			return expiry !== undefined && expiry < now && endpoint.status !== 'deleted';
		});
		for (const endpoint of expired.slice(0, SWEEP_MAX_DELETES)) {
			try {
				await deleteWebhookEndpoint(ctx, endpoint.id, managementKey);
				removed++;
			} catch (error) {
				if (!(error instanceof GatewayApiError && error.gateway.httpStatus === 404)) throw asNodeError(ctx.getNode(), error);
			}
		}
	} catch (error) {
		// A 403 (no Batch API feature) is handled by the registration that follows.
		ctx.logger.debug('AI Stats: sweeping expired resume endpoints failed', { error: (error as Error).message });
	}
	if (removed > 0) ctx.logger.info('AI Stats: removed expired resume endpoints', { removed });
	return removed;
}
