import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readApiKey, readManagementKey } from '../../shared/credentials';
import { GatewayApiError, asNodeError } from '../../shared/errors';
import { TERMINAL_EVENTS } from '../../shared/events';
import { createWebhookEndpoint, deleteWebhookEndpoint } from '../../shared/gateway';
import { clearBatch, saveBatch } from './batchStore';
import { sweepExpiredEndpoints, endpointName } from './endpoints';
import { createdItems, type CreatedJob } from './items';
import { pollBatch } from './poll';
import { newCallbackSecret, sealSecret } from './sealedSecret';
import type { WaitSettings } from './settings';

/**
 * Webhook (Resume) mode: the jobs are created with a callback to this execution's resume URL,
 * the execution is parked (no worker held), and the gateway's signed terminal events resume it
 * (resume.ts). With a management key the callback is a temporary endpoint registered for this
 * wait (the only form the production gateway accepts); without one, the documented inline
 * `{url, secret}` with a secret made for this wait. Where neither works, the node polls and says why.
 */

/** Suffix of the resume URL (`<resumeUrl>/<path>`), matched by the node's webhook description. */
export const RESUME_WEBHOOK_PATH = 'ai-stats-callback';

/** n8n's resume URL carries `?signature=…`: the webhook path goes before the query string. */
export function withPathSuffix(url: string, suffix: string): string {
	const queryStart = url.search(/[?#]/);
	const base = queryStart === -1 ? url : url.slice(0, queryStart);
	const rest = queryStart === -1 ? '' : url.slice(queryStart);
	return `${base.replace(/\/+$/, '')}/${suffix}${rest}`;
}

export type CallbackWebhook = { url: string; secret: string; events: string[] } | { endpointId: string; events: string[] };

/** How this wait is to be resumed; made before the jobs are created. */
export interface ResumePlan {
	waitTill: Date;
	webhook: CallbackWebhook;
	/** The secret the callbacks are signed with: the endpoint's, or the inline one made here. */
	secret: string;
	endpointId?: string;
	managementKey: string;
	/** Why no endpoint was registered: said if the gateway then refuses the inline callback. */
	noEndpointReason?: string;
}

function resumeUrl(ctx: IExecuteFunctions): string {
	const url = String(ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0) ?? '');
	if (!/^https?:\/\//i.test(url)) {
		throw new NodeOperationError(ctx.getNode(), 'Webhook (Resume) mode needs n8n\'s resume URL, but none is available here', {
			description: 'Run the workflow on an n8n instance whose webhook URL the gateway can reach (WEBHOOK_URL), or use Poll mode.',
		});
	}
	return withPathSuffix(url, RESUME_WEBHOOK_PATH);
}

const NO_MANAGEMENT_KEY =
	'The gateway accepts only registered webhook endpoints and the AI Stats credential has no Management Key to register one, so Generate waited by polling (holding a worker). Add a Management Key to the credential to park the execution instead.';
const NO_BATCH_API =
	'The gateway accepts only registered webhook endpoints, and registering one was refused because the workspace lacks the Batch API feature (403 batch_api_feature_flag_disabled), so Generate waited by polling (holding a worker).';
export const BATCH_TOO_LARGE =
	'The batch was too large to keep in the execution\'s custom data (10 keys of 255 characters, shared with other nodes), so Generate waited by polling (holding a worker). Use smaller batches (e.g. Loop Over Items) to park the execution.';

/**
 * Registers this wait's endpoint when a management key is set (sweeping our expired ones first),
 * or prepares an inline callback with a secret of its own.
 */
export async function planResume(ctx: IExecuteFunctions, settings: WaitSettings): Promise<ResumePlan> {
	const url = resumeUrl(ctx);
	const waitTill = new Date(Date.now() + settings.maxWaitMs);
	const events = [...TERMINAL_EVENTS];
	const managementKey = await readManagementKey(ctx);
	if (managementKey) {
		await sweepExpiredEndpoints(ctx, managementKey);
		try {
			const endpoint = await createWebhookEndpoint(ctx, { name: endpointName(ctx.getExecutionId(), waitTill), url, events }, managementKey);
			if (!endpoint.id || !endpoint.signing_secret) {
				throw new NodeOperationError(ctx.getNode(), 'The gateway registered the resume endpoint but returned no ID or signing secret');
			}
			return { waitTill, webhook: { endpointId: endpoint.id, events }, secret: endpoint.signing_secret, endpointId: endpoint.id, managementKey };
		} catch (error) {
			if (!(error instanceof GatewayApiError && error.gateway.reason === 'batch_api_feature_flag_disabled')) {
				const failure = asNodeError(ctx.getNode(), error);
				failure.description = `Registering the resume endpoint with the credential's Management Key failed, before any job was created. ${failure.description ?? ''}`.trim();
				throw failure;
			}
			ctx.logger.warn('AI Stats: the workspace lacks the Batch API feature; trying an inline callback');
			const secret = newCallbackSecret();
			return { waitTill, webhook: { url, secret, events }, secret, managementKey, noEndpointReason: NO_BATCH_API };
		}
	}
	const secret = newCallbackSecret();
	return { waitTill, webhook: { url, secret, events }, secret, managementKey, noEndpointReason: NO_MANAGEMENT_KEY };
}

/** Deletes the plan's endpoint (no callback is wanted any more); a failure is only logged (the sweep retries). */
export async function releaseEndpoint(ctx: IExecuteFunctions, plan: ResumePlan): Promise<void> {
	if (!plan.endpointId) return;
	try {
		await deleteWebhookEndpoint(ctx, plan.endpointId, plan.managementKey);
	} catch (error) {
		if (!(error instanceof GatewayApiError && error.gateway.httpStatus === 404)) {
			ctx.logger.warn('AI Stats: could not delete the resume endpoint; the next park removes it once expired', { endpointId: plan.endpointId });
		}
	}
}

/** Polling instead of parking: said in an execution hint and in every output item (`waited_by`). */
export async function pollInstead(ctx: IExecuteFunctions, created: CreatedJob[], settings: WaitSettings, reason: string): Promise<INodeExecutionData[]> {
	ctx.logger.warn(`AI Stats: ${reason}`);
	ctx.addExecutionHints?.({ message: reason, type: 'warning', location: 'outputPane' });
	const items = await pollBatch(ctx, created, settings);
	for (const item of items) Object.assign(item.json, { waited_by: 'polling', waited_by_reason: reason });
	return items;
}

/**
 * Parks the execution until the batch's callbacks resume it; the created jobs are the node's
 * output meanwhile (and what n8n passes on if Max Wait ends the wait). When the batch does not
 * fit in custom execution data, the jobs exist and are billed: wait for them here by polling.
 */
export async function parkBatch(ctx: IExecuteFunctions, created: CreatedJob[], settings: WaitSettings, plan: ResumePlan): Promise<INodeExecutionData[]> {
	if (!created.some((entry) => 'job' in entry)) {
		await releaseEndpoint(ctx, plan);
		clearBatch(ctx);
		return createdItems(created, false);
	}
	const sealedSecret = sealSecret(plan.secret, await readApiKey(ctx), ctx.getExecutionId());
	if (!saveBatch(ctx, { endpointId: plan.endpointId, sealedSecret, created })) {
		await releaseEndpoint(ctx, plan);
		clearBatch(ctx);
		return await pollInstead(ctx, created, settings, BATCH_TOO_LARGE);
	}
	await ctx.putExecutionToWait(plan.waitTill);
	return createdItems(created, false);
}
