import type { IDataObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import type { CreatedJob } from './items';

/**
 * The parked batch, kept in n8n's custom execution data: stored with the execution and restored
 * on every worker that resumes it. n8n limits custom data to 10 keys of 255 characters, shared
 * with every node of the execution, hence the compact form:
 *
 * - `<prefix>w`: the wait: `2|<endpoint id>|<sealed secret>|<chunks>|<jobs>` (endpoint id empty
 *   for an inline callback). The sealed secret is new for every park, so it also tells one wait
 *   of this node from the next (a late callback of an earlier batch does not verify).
 * - `<prefix>0…`: the job ids in input order (`!` where creating failed), comma-separated.
 *
 * Every park clears all of this node's keys first: a later, smaller batch never inherits chunks.
 */
const CUSTOM_DATA_LIMITS = { keys: 10, valueLength: 255 };
const FAILED_CREATE = '!';
const FORMAT = '2';

export interface ParkedBatch {
	/** The temporary endpoint the callbacks come through; undefined for an inline callback. */
	endpointId?: string;
	sealedSecret: string;
	created: CreatedJob[];
}

interface CustomData {
	getAll(): IDataObject;
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

function keyPrefix(ctx: IExecuteFunctions | IWebhookFunctions): string {
	const node = ctx.getNode();
	const nodeKey = (node.id ?? node.name).replace(/[^A-Za-z0-9]/g, '').slice(0, 12) || 'node';
	return `ai_stats_${nodeKey}_`;
}

function chunk(entries: string[]): string[] | undefined {
	const chunks: string[] = [];
	let current = '';
	for (const entry of entries) {
		if (entry.length + 1 > CUSTOM_DATA_LIMITS.valueLength) return undefined;
		const next = current === '' ? entry : `${current},${entry}`;
		if (next.length > CUSTOM_DATA_LIMITS.valueLength) {
			chunks.push(current);
			current = entry;
		} else {
			current = next;
		}
	}
	chunks.push(current);
	return chunks;
}

/** Clears this node's keys (every park, and on resume) and saves the batch; false when custom data has no room. */
export function saveBatch(ctx: IExecuteFunctions, batch: ParkedBatch): boolean {
	const customData = customDataOf(ctx);
	if (!customData.set) return false;
	const prefix = keyPrefix(ctx);
	const chunks = chunk(batch.created.map((entry) => ('job' in entry ? entry.job.id : FAILED_CREATE)));
	const wait = [FORMAT, encodeURIComponent(batch.endpointId ?? ''), batch.sealedSecret, String(chunks?.length ?? 0), String(batch.created.length)].join('|');
	const stored = customData.getAll();
	const ours = Object.keys(stored).filter((key) => key.startsWith(prefix));
	// Cleared first, whatever follows: an earlier batch's wait must not survive this park.
	for (const key of ours) if (stored[key] !== '') customData.set(key, '');
	if (!chunks || wait.length > CUSTOM_DATA_LIMITS.valueLength) return false;
	const wanted = [`${prefix}w`, ...chunks.map((_, index) => `${prefix}${index}`)];
	const others = Object.keys(stored).length - ours.length;
	if (others + new Set([...ours, ...wanted]).size > CUSTOM_DATA_LIMITS.keys) return false;
	try {
		chunks.forEach((value, index) => customData.set?.(`${prefix}${index}`, value));
		customData.set(`${prefix}w`, wait);
	} catch {
		return false;
	}
	const saved = customData.getAll();
	return saved[`${prefix}w`] === wait && chunks.every((value, index) => saved[`${prefix}${index}`] === value);
}

/** Forgets the parked batch (after a fallback to polling). */
export function clearBatch(ctx: IExecuteFunctions): void {
	const customData = customDataOf(ctx);
	const prefix = keyPrefix(ctx);
	const stored = customData.getAll();
	for (const key of Object.keys(stored)) if (key.startsWith(prefix) && stored[key] !== '') customData.set?.(key, '');
}

/** The batch this node parked last; undefined when there is none (or it is unreadable). */
export function readBatch(ctx: IWebhookFunctions): ParkedBatch | undefined {
	const prefix = keyPrefix(ctx);
	const stored = customDataOf(ctx).getAll();
	const [format, endpointId, sealedSecret, chunkCount, jobCount] = String(stored[`${prefix}w`] ?? '').split('|');
	if (format !== FORMAT || !sealedSecret) return undefined;
	const entries: string[] = [];
	for (let index = 0; index < Number(chunkCount); index++) entries.push(...String(stored[`${prefix}${index}`] ?? '').split(','));
	if (entries.length !== Number(jobCount)) return undefined;
	const created: CreatedJob[] = entries.map((entry, itemIndex) =>
		entry === FAILED_CREATE || entry === ''
			? { itemIndex, error: new Error('Creating the video job failed before the wait (see the error logged then)') }
			: { itemIndex, job: { id: entry, status: 'queued' } },
	);
	return { endpointId: decodeURIComponent(endpointId) || undefined, sealedSecret, created };
}
