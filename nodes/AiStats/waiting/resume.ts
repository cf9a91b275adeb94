import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readWebhookSecret } from '../../shared/credentials';
import { mapLimited } from '../../shared/concurrency';
import { DEFAULT_TOLERANCE_SECONDS, WEBHOOK_HEADERS, verifySignature } from '../../shared/signature';
import { getVideo } from '../../shared/gateway';
import { isTerminal, jobToJson, type VideoJob } from '../../shared/video';
import { isInlineWebhookRefused } from '../../shared/errors';
import { createJobs, prepareBodies, throwFirstFailure } from '../actions/video/generate.jobs';
import { errorItem, pairedItems } from '../helpers/items';
import { finishJobs, readWaitSettings } from './outcomes';

/**
 * Webhook (resume) mode: the jobs are created with this execution's resume URL as their webhook,
 * the execution is parked (no worker held), and the gateway's signed terminal events resume it.
 *
 * Stateless across workers: the batch is the node's own output from before the wait (stored
 * with the execution), and every callback re-reads the statuses of the whole batch from the
 * gateway. The execution resumes only when every job of the batch is terminal.
 */

/** Suffix of the resume URL (`<resumeUrl>/<path>`), matched by the node's webhook description. */
export const RESUME_WEBHOOK_PATH = 'ai-stats-callback';
const RESUME_EVENTS = ['video.completed', 'video.failed', 'video.cancelled', 'video.expired'];
const MAX_EVENT_BYTES = 1024 * 1024;

/** n8n's resume URL carries `?signature=…`: the webhook path goes before the query string. */
export function withPathSuffix(url: string, suffix: string): string {
	const queryStart = url.search(/[?#]/);
	const base = queryStart === -1 ? url : url.slice(0, queryStart);
	const rest = queryStart === -1 ? '' : url.slice(queryStart);
	return `${base.replace(/\/+$/, '')}/${suffix}${rest}`;
}

export async function startResumeWait(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const settings = readWaitSettings(ctx);
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
	const callback = { url: withPathSuffix(resumeUrl, RESUME_WEBHOOK_PATH), secret, events: RESUME_EVENTS };
	const prepared = await prepareBodies(ctx, () => callback);
	let created = await createJobs(ctx, prepared, settings.concurrency, true);
	const refused = created.filter((entry) => 'error' in entry && isInlineWebhookRefused(entry.error)).map((entry) => entry.itemIndex);
	if (refused.length > 0) {
		// Nothing was created for these: create them without the callback and wait by polling.
		ctx.logger.warn('AI Stats: the gateway does not accept inline webhook URLs; waiting by polling instead', { jobs: refused.length });
		const retry = prepared
			.filter((entry) => refused.includes(entry.itemIndex))
			.map((entry) => {
				if (!('body' in entry)) return entry;
				const body = { ...entry.body };
				delete body.webhook;
				return { itemIndex: entry.itemIndex, body };
			});
		const recreated = await createJobs(ctx, retry, settings.concurrency, true);
		created = created.map((entry) => recreated.find((again) => again.itemIndex === entry.itemIndex) ?? entry);
		throwFirstFailure(ctx, created);
		return await finishJobs(ctx, created, settings);
	}
	throwFirstFailure(ctx, created);
	const items = created.flatMap((entry) =>
		'error' in entry ? [errorItem(entry.itemIndex, entry.error)] : pairedItems(entry.itemIndex, jobToJson(entry.job)),
	);
	if (!created.some((entry) => 'job' in entry)) return items;
	const entries = created.map((entry) => ('job' in entry ? entry.job.id : FAILED_CREATE));
	if (!saveBatch(ctx, entries)) {
		// The jobs exist and are billed: wait for them here rather than lose them.
		ctx.logger.warn('AI Stats: the batch is too large to park the execution; waiting by polling instead', { jobs: entries.length });
		return await finishJobs(ctx, created, settings);
	}
	await ctx.putExecutionToWait(new Date(Date.now() + settings.maxWaitMs));
	return items;
}

type BatchEntry = { itemIndex: number; job: VideoJob } | { itemIndex: number; error: Error };

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
function saveBatch(ctx: IExecuteFunctions, entries: string[]): boolean {
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

function readBatch(ctx: IWebhookFunctions): BatchEntry[] {
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

function respond(ctx: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	ctx.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

export async function resumeWebhook(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const request = ctx.getRequestObject();
	const headers = ctx.getHeaderData();
	const secret = await readWebhookSecret(ctx);
	const rawBody: Buffer | string = (request as { rawBody?: Buffer }).rawBody ?? JSON.stringify(ctx.getBodyData() ?? {});
	if (rawBody.length > MAX_EVENT_BYTES) return respond(ctx, 413, { error: 'payload_too_large' });
	const check = verifySignature({
		secret,
		rawBody,
		signature: headers[WEBHOOK_HEADERS.signature],
		timestamp: headers[WEBHOOK_HEADERS.timestamp],
		toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
	});
	if (!check.valid) {
		ctx.logger.warn('AI Stats: refused a resume callback', { reason: check.reason });
		return respond(ctx, 401, { error: 'invalid_signature', reason: check.reason });
	}
	let event: IDataObject;
	try {
		event = JSON.parse(rawBody.toString()) as IDataObject;
	} catch {
		return respond(ctx, 400, { error: 'invalid_json' });
	}
	const eventJob = (event.data ?? {}) as IDataObject;
	const batch = readBatch(ctx);
	const jobs = batch.filter((entry): entry is { itemIndex: number; job: VideoJob } => 'job' in entry);
	if (!jobs.some((entry) => entry.job.id === eventJob.id)) {
		return respond(ctx, 200, { received: true, resumed: false, reason: 'not_in_batch' });
	}
	if (!isTerminal(eventJob.status)) return respond(ctx, 200, { received: true, resumed: false, reason: 'not_terminal' });

	const settings = readWaitSettings(ctx);
	// Re-read the whole batch: the event carries no outputs/asset, and other jobs may still run.
	const latest = await mapLimited(jobs, settings.concurrency, async (entry) =>
		await getVideo(ctx, entry.job.id, entry.itemIndex),
	);
	const running = latest.filter((job) => !isTerminal(job.status)).map((job) => job.id);
	if (running.length > 0) return respond(ctx, 200, { received: true, resumed: false, waiting_for: running });

	// Acknowledge before downloading: the gateway gives up on a callback after 30 s.
	ctx.getResponseObject().status(200).json({ received: true, resumed: true });
	const byId = new Map(latest.map((job) => [job.id, job]));
	const created: BatchEntry[] = batch.map((entry) => ('job' in entry ? { itemIndex: entry.itemIndex, job: byId.get(entry.job.id) ?? entry.job } : entry));
	// n8n resumes by passing this output on; it cannot fail the node at this point (an error
	// thrown here would leave the execution waiting), so a failed job becomes an item with `error`.
	const items = await finishJobs(ctx, created, settings, async (job) => ({ kind: 'terminal', job }), true);
	return { noWebhookResponse: true, workflowData: [items] };
}
