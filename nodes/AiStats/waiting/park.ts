import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readWebhookSecret } from '../../shared/credentials';
import { TERMINAL_EVENTS } from '../../shared/events';
import { saveBatch } from './batchStore';
import { createdItems, type CreatedJob } from './items';
import { pollBatch } from './poll';
import type { WaitSettings } from './settings';

/**
 * Webhook (resume) mode: the jobs are created with this execution's resume URL as their webhook,
 * the execution is parked (no worker held), and the gateway's signed terminal events resume it
 * (resume.ts).
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

export interface ResumeCallback {
	url: string;
	secret: string;
	events: string[];
}

/** The inline webhook every job of the batch is created with; refuses to start without a secret or a resume URL. */
export async function resumeCallback(ctx: IExecuteFunctions): Promise<ResumeCallback> {
	const secret = await readWebhookSecret(ctx);
	if (!secret) {
		throw new NodeOperationError(ctx.getNode(), 'Webhook (Resume) mode needs a Webhook Signing Secret in the AI Stats credential', {
			description:
				'The gateway signs its callback with this secret and the node refuses unsigned callbacks. Add a long random secret to the credential, or use Poll mode.',
		});
	}
	const resumeUrl = String(ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0) ?? '');
	if (!/^https?:\/\//i.test(resumeUrl)) {
		throw new NodeOperationError(ctx.getNode(), 'Webhook (Resume) mode needs n8n\'s resume URL, but none is available here', {
			description: 'Run the workflow on an n8n instance whose webhook URL the gateway can reach (WEBHOOK_URL), or use Poll mode.',
		});
	}
	return { url: withPathSuffix(resumeUrl, RESUME_WEBHOOK_PATH), secret, events: [...TERMINAL_EVENTS] };
}

/**
 * Parks the execution until the batch's callbacks resume it; the created jobs are the node's
 * output meanwhile. When the batch does not fit in custom execution data, the jobs exist and
 * are billed: wait for them here by polling rather than lose them.
 */
export async function parkBatch(ctx: IExecuteFunctions, created: CreatedJob[], settings: WaitSettings): Promise<INodeExecutionData[]> {
	const items = createdItems(created, false);
	if (!created.some((entry) => 'job' in entry)) return items;
	if (!saveBatch(ctx, created)) {
		ctx.logger.warn('AI Stats: the batch is too large to park the execution; waiting by polling instead', { jobs: created.length });
		return await pollBatch(ctx, created, settings);
	}
	await ctx.putExecutionToWait(new Date(Date.now() + settings.maxWaitMs));
	return items;
}
