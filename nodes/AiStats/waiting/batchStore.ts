import type { IDataObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import type { CreatedJob } from './items';

/**
 * The batch (one job id per input item, `!` where creating failed) is kept in n8n's custom
 * execution data: it is stored with the execution and restored on every worker that resumes
 * it. n8n keeps the waiting node's own output from the webhook, and limits custom data to
 * 10 keys of 255 characters, hence the compact chunks.
 */
const CUSTOM_DATA_LIMITS = { keys: 10, valueLength: 255 };
const FAILED_CREATE = '!';

interface CustomData {
	getAll(): IDataObject;
	get?(key: string): unknown;
	set?(key: string, value: string): void;
}

/**
 * n8n 2.x offers custom execution data as `this.customData`; n8n 1.x only through the
 * expression proxy (`$execution.customData`), which reads the same stored values.
 */
function customDataOf(ctx: IExecuteFunctions | IWebhookFunctions): CustomData {
	const direct = (ctx as { customData?: CustomData }).customData;
	if (direct && typeof direct.getAll === 'function') return direct;
	if ('getWorkflowDataProxy' in ctx) {
		const viaProxy = (ctx.getWorkflowDataProxy(0).$execution as { customData?: CustomData } | undefined)?.customData;
		if (viaProxy && typeof viaProxy.getAll === 'function') return viaProxy;
	}
	return { getAll: () => (ctx.evaluateExpression('{{ $execution.customData.getAll() }}', 0) as IDataObject | undefined) ?? {} };
}

function batchKeyPrefix(ctx: IExecuteFunctions | IWebhookFunctions): string {
	const node = ctx.getNode();
	const nodeKey = (node.id ?? node.name).replace(/[^A-Za-z0-9]/g, '').slice(0, 12) || 'node';
	return `ai_stats_${nodeKey}_`;
}

/** Saves the batch; false when custom execution data has no room for it. */
export function saveBatch(ctx: IExecuteFunctions, created: CreatedJob[]): boolean {
	const entries = created.map((entry) => ('job' in entry ? entry.job.id : FAILED_CREATE));
	const chunks: string[] = [];
	let current = '';
	for (const entry of entries) {
		if (entry.length + 1 > CUSTOM_DATA_LIMITS.valueLength) return false;
		const next = current === '' ? entry : `${current},${entry}`;
		if (next.length > CUSTOM_DATA_LIMITS.valueLength) {
			chunks.push(current);
			current = entry;
		} else {
			current = next;
		}
	}
	chunks.push(current);
	const prefix = batchKeyPrefix(ctx);
	const customData = customDataOf(ctx);
	if (!customData.set) return false;
	const existing = Object.keys(customData.getAll()).filter((key) => !key.startsWith(prefix));
	if (existing.length + chunks.length > CUSTOM_DATA_LIMITS.keys) return false;
	try {
		chunks.forEach((chunk, index) => customData.set?.(`${prefix}${index}`, chunk));
	} catch {
		return false;
	}
	const stored = customData.getAll();
	return chunks.every((chunk, index) => stored[`${prefix}${index}`] === chunk);
}

/** The parked batch, as jobs (ids only, status unknown) and failed creates. */
export function readBatch(ctx: IWebhookFunctions): CreatedJob[] {
	const prefix = batchKeyPrefix(ctx);
	const stored = customDataOf(ctx).getAll();
	const entries: string[] = [];
	for (let index = 0; stored[`${prefix}${index}`] !== undefined; index++) {
		entries.push(...String(stored[`${prefix}${index}`]).split(','));
	}
	return entries.map((entry, itemIndex) =>
		entry === FAILED_CREATE || entry === ''
			? { itemIndex, error: new Error('Creating the video job failed before the wait (see the error logged then)') }
			: { itemIndex, job: { id: entry, status: 'queued' } },
	);
}
