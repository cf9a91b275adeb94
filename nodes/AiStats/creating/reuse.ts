import { createHash } from 'node:crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { VideoJob } from '../../shared/video';

/**
 * The jobs this process created, so that a retried Generate picks them up instead of buying them
 * again. n8n's Retry On Fail re-runs the node with the same run index (also when the first output
 * item has `json.error`), inside the same process (in queue mode: the same worker), so a
 * module-level map is enough: custom execution data would add nothing for a retry, and it has
 * room for 10 values of 255 characters, which the parked batch already uses.
 *
 * Key: execution id, node name, run index, item index and a hash of the request body. A new
 * execution (n8n's "Retry execution", a new trigger), another run of the node in a loop, or an AI
 * Agent's tool call (a new run index per call) is a new request and creates new jobs.
 */

/** What an earlier try of the same request left behind. */
export type EarlierCreate = { kind: 'job'; job: VideoJob } | { kind: 'uncertain'; message: string };

/** Entries live long enough for any wait plus n8n's retries, then are pruned. */
const KEEP_MS = 24 * 60 * 60 * 1000;
const MAX_ENTRIES = 20_000;

const earlierCreates = new Map<string, EarlierCreate & { at: number }>();

function sha256(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

/** JSON with sorted keys, so the same request always hashes the same. */
function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value && typeof value === 'object') {
		const entries = Object.keys(value as IDataObject)
			.sort()
			.filter((key) => (value as IDataObject)[key] !== undefined)
			.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as IDataObject)[key])}`);
		return `{${entries.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

function runIndexOf(ctx: IExecuteFunctions): number {
	const fromProxy = (ctx.getWorkflowDataProxy(0) as { $runIndex?: unknown }).$runIndex;
	if (typeof fromProxy === 'number') return fromProxy;
	const fromContext = (ctx as unknown as { runIndex?: unknown }).runIndex;
	return typeof fromContext === 'number' ? fromContext : 0;
}

/** Builds the keys of one node run; none without a known execution id (nothing is reused then). */
export function reuseKeys(ctx: IExecuteFunctions): ((itemIndex: number, body: IDataObject) => string) | undefined {
	const executionId = ctx.getExecutionId();
	if (!executionId || executionId === '__UNKNOWN__') return undefined;
	const run = JSON.stringify([executionId, ctx.getNode().name, runIndexOf(ctx)]);
	return (itemIndex, body) => sha256(`${run}|${itemIndex}|${sha256(canonicalJson(body))}`);
}

export function findEarlierCreate(key: string | undefined): EarlierCreate | undefined {
	return key === undefined ? undefined : earlierCreates.get(key);
}

function prune(now: number): void {
	// Map order is insertion order and entries are re-inserted when written: oldest first.
	for (const [key, entry] of earlierCreates) {
		if (now - entry.at < KEEP_MS && earlierCreates.size <= MAX_ENTRIES) break;
		earlierCreates.delete(key);
	}
}

export function rememberCreate(key: string | undefined, earlier: EarlierCreate): void {
	if (key === undefined) return;
	const now = Date.now();
	earlierCreates.delete(key);
	earlierCreates.set(key, { ...earlier, at: now });
	prune(now);
}

export function forgetCreate(key: string | undefined): void {
	if (key !== undefined) earlierCreates.delete(key);
}

/** Only what is needed to pick the job up again (the prompt and references stay out of memory). */
export function compactJob(job: VideoJob): VideoJob {
	const { id, status, model, request_id: requestId, created_at: createdAt } = job;
	return { id, status, model, request_id: requestId, created_at: createdAt } as VideoJob;
}

/**
 * Tells the user, in the node's output pane, what Retry On Fail does for Generate.
 * `addExecutionHints` exists in n8n 1.x and 2.x; older versions simply show nothing.
 */
export function retryOnFailHint(ctx: IExecuteFunctions, reused: number): void {
	if (ctx.getNode().retryOnFail !== true || typeof ctx.addExecutionHints !== 'function') return;
	const picked = reused > 0 ? ` This run picked up ${reused} job${reused === 1 ? '' : 's'} from an earlier try.` : '';
	ctx.addExecutionHints({
		message:
			`Retry On Fail: a retry picks up the video jobs an earlier try of this node created in this execution instead of creating them again; only items without a job, or whose job failed, expired or was cancelled (not billed), are sent again.${picked} n8n's "Retry execution" starts a new execution, which creates every job again.`,
		type: 'info',
		location: 'outputPane',
	});
}
