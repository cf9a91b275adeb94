import type { IDataObject, IExecuteFunctions, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { Limiter } from '../../shared/concurrency';
import { idleTimeoutMs } from '../../shared/download.description';
import { jobToJson, normalizeStatus, type VideoJob } from '../../shared/video';
import { errorItem, pairedItems, rethrowIfCancelled } from '../helpers/items';
import { videoItems } from '../helpers/videoItems';
import { pollUntilTerminal, type PollOutcome } from './poll';

export interface WaitSettings {
	concurrency: number;
	maxWaitMs: number;
	pollIntervalSeconds?: number;
	downloadVideo: boolean;
	binaryPropertyName: string;
	onJobFailure: 'error' | 'output';
	layout: 'separateItems' | 'oneItem';
	verifyChecksum: boolean;
	downloadIdleTimeoutMs?: number;
	includeSignedLinks: boolean;
}

/** Generate (execute) and its resume webhook: the two places a wait finishes. */
export type WaitContext = IExecuteFunctions | IWebhookFunctions;

/** Node parameters of the first item; the webhook context has no item index. */
function parameter(ctx: WaitContext, name: string, fallback: unknown): unknown {
	return 'getInputData' in ctx
		? (ctx as IExecuteFunctions).getNodeParameter(name, 0, fallback)
		: (ctx as IWebhookFunctions).getNodeParameter(name, fallback);
}

export function continuesOnFail(ctx: WaitContext): boolean {
	if ('continueOnFail' in ctx && typeof ctx.continueOnFail === 'function') return ctx.continueOnFail();
	const node = ctx.getNode();
	return node.continueOnFail === true || node.onError === 'continueRegularOutput' || node.onError === 'continueErrorOutput';
}

export function readWaitSettings(ctx: WaitContext): WaitSettings {
	const options = parameter(ctx, 'waitOptions', {}) as IDataObject;
	const maxWaitMinutes = Number(options.maxWaitMinutes ?? 30);
	const pollInterval = Number(options.pollIntervalSeconds ?? 0);
	return {
		concurrency: Math.min(50, Math.max(1, Math.floor(Number(options.concurrency ?? 10)))),
		maxWaitMs: Math.max(3, (Number.isFinite(maxWaitMinutes) ? maxWaitMinutes : 30) * 60) * 1000,
		pollIntervalSeconds: Number.isFinite(pollInterval) && pollInterval > 0 ? pollInterval : undefined,
		downloadVideo: parameter(ctx, 'downloadVideo', true) as boolean,
		binaryPropertyName: (parameter(ctx, 'binaryPropertyName', 'data') as string) || 'data',
		onJobFailure: parameter(ctx, 'onJobFailure', 'error') as 'error' | 'output',
		layout: (options.layout as 'separateItems' | 'oneItem') ?? 'separateItems',
		verifyChecksum: options.verifyChecksum !== false,
		downloadIdleTimeoutMs: idleTimeoutMs(options.downloadIdleTimeout),
		includeSignedLinks: (parameter(ctx, 'options', {}) as IDataObject).includeSignedLinks === true,
	};
}

/** A readable summary of a failed job's error (a string, or a provider object). */
export function jobErrorDetail(job: VideoJob): string | undefined {
	const { error } = job;
	const upstream = (job as IDataObject).upstream_error as IDataObject | undefined;
	const source = error ?? upstream;
	if (!source) return undefined;
	if (typeof source === 'string') return source;
	if (typeof source === 'object') {
		const entry = source as IDataObject;
		const message = entry.message ?? entry.detail ?? entry.error;
		const code = entry.code ?? entry.type;
		const provider = entry.provider;
		const parts = [typeof message === 'string' ? message : JSON.stringify(source)];
		if (code) parts.push(`code ${String(code)}`);
		if (provider) parts.push(`provider ${String(provider)}`);
		return parts.join(', ');
	}
	return String(source);
}

function formatMinutes(ms: number): string {
	const minutes = ms / 60000;
	return minutes >= 1 ? `${Number(minutes.toFixed(1))} min` : `${Math.round(ms / 1000)} s`;
}

function lastSeen(job: VideoJob): string {
	const status = normalizeStatus(job.status);
	return typeof job.progress === 'number' ? `${status}, ${job.progress}%` : status;
}

class JobTimeoutError extends NodeOperationError {
	job?: VideoJob;
}

/** A job that ended failed, expired or cancelled ("On Failed Job" = Stop With an Error). */
class JobFailedError extends NodeApiError {
	job?: VideoJob;
}

/** Turns one finished wait into output items (or an error for that item). */
async function outcomeItems(
	ctx: WaitContext,
	outcome: PollOutcome,
	settings: WaitSettings,
	itemIndex: number,
	limiter: Limiter,
): Promise<INodeExecutionData[]> {
	const { job } = outcome;
	if (outcome.kind === 'timeout') {
		const timeout = new JobTimeoutError(
			ctx.getNode(),
			`Timed out after ${formatMinutes(settings.maxWaitMs)} waiting for video ${job.id} (last status: ${lastSeen(job)})`,
			{
				itemIndex,
				description:
					'The job keeps running on the gateway. Fetch it later with Get or Download, receive it with the AI Stats Trigger, or raise Max Wait.',
			},
		);
		timeout.job = job;
		throw timeout;
	}
	const status = normalizeStatus(job.status);
	if (status === 'completed') {
		if (!settings.downloadVideo) return [{ json: jobToJson(job, settings.includeSignedLinks) }];
		return await limiter.run(
			async () =>
				await videoItems(ctx, job, {
					binaryPropertyName: settings.binaryPropertyName,
					outputs: 'all',
					layout: settings.layout,
					verifyChecksum: settings.verifyChecksum,
					idleTimeoutMs: settings.downloadIdleTimeoutMs,
					maxDownloadMs: settings.maxWaitMs,
					keepSignedLinks: settings.includeSignedLinks,
					preferSignedUrl: false,
					itemIndex,
				}),
		);
	}
	const detail = jobErrorDetail(job);
	if (settings.onJobFailure === 'output') {
		return [{ json: { ...jobToJson(job, settings.includeSignedLinks), error_detail: detail ?? null } }];
	}
	const failure = new JobFailedError(
		ctx.getNode(),
		{ video_id: job.id, status, request_id: job.request_id ?? null, error: detail ?? null },
		{
			message: `Video ${job.id} ${status}${detail ? `: ${detail}` : ''}`,
			description: `The job ended ${status}${job.request_id ? ` (request ID ${job.request_id})` : ''}. Set "On Failed Job" to "Output the Job" to handle this in the workflow.`,
			itemIndex,
		},
	);
	failure.job = job;
	throw failure;
}

type FinishedItem = { itemIndex: number; items: INodeExecutionData[] } | { itemIndex: number; error: Error };

/**
 * Waits for every created job at once (status calls bounded by the concurrency setting) and
 * returns the output items in input order, each paired with its input item.
 */
export async function finishJobs(
	ctx: WaitContext,
	created: Array<{ itemIndex: number; job: VideoJob } | { itemIndex: number; error: Error }>,
	settings: WaitSettings,
	waitFor?: (job: VideoJob, itemIndex: number, limiter: Limiter) => Promise<PollOutcome>,
	/** Failures become error items even without Continue On Fail (a resumed node cannot fail). */
	failuresAsItems = false,
): Promise<INodeExecutionData[]> {
	const limiter = new Limiter(settings.concurrency);
	const deadline = Date.now() + settings.maxWaitMs;
	const stats = { statusRequests: 0 };
	const wait =
		waitFor ??
		(async (job: VideoJob, itemIndex: number) =>
			await pollUntilTerminal(ctx as IExecuteFunctions, job, { intervalSeconds: settings.pollIntervalSeconds, deadline, limiter, itemIndex }, stats));
	const finished = await Promise.all(
		created.map(async (entry): Promise<FinishedItem> => {
			if ('error' in entry) return entry;
			try {
				const outcome = await wait(entry.job, entry.itemIndex, limiter);
				return { itemIndex: entry.itemIndex, items: await outcomeItems(ctx, outcome, settings, entry.itemIndex, limiter) };
			} catch (error) {
				rethrowIfCancelled(ctx, error);
				return { itemIndex: entry.itemIndex, error: error as Error };
			}
		}),
	);
	ctx.logger.debug('AI Stats: jobs finished', { jobs: created.length, statusRequests: stats.statusRequests });

	if (!failuresAsItems && !continuesOnFail(ctx)) {
		const timeouts = finished.filter((entry) => 'error' in entry && entry.error instanceof JobTimeoutError);
		const firstFailure = finished.find((entry) => 'error' in entry) as { itemIndex: number; error: Error } | undefined;
		if (firstFailure && timeouts.length > 1 && firstFailure.error instanceof JobTimeoutError) {
			const ids = created
				.filter((entry) => timeouts.some((timeout) => timeout.itemIndex === entry.itemIndex) && 'job' in entry)
				.map((entry) => ('job' in entry ? entry.job.id : ''))
				.join(', ');
			throw new NodeOperationError(
				ctx.getNode(),
				`Timed out after ${formatMinutes(settings.maxWaitMs)} waiting for ${timeouts.length} videos: ${ids}`,
				{ itemIndex: firstFailure.itemIndex, description: (firstFailure.error as JobTimeoutError).description ?? undefined },
			);
		}
		if (firstFailure) throw firstFailure.error;
	}
	return finished.flatMap((entry) => {
		if (!('error' in entry)) return pairedItems(entry.itemIndex, entry.items);
		const item = errorItem(entry.itemIndex, entry.error);
		if (entry.error instanceof JobTimeoutError && entry.error.job) {
			Object.assign(item.json, { video_id: entry.error.job.id, status: normalizeStatus(entry.error.job.status), timed_out: true });
		}
		if (entry.error instanceof JobFailedError && entry.error.job) {
			const { job } = entry.error;
			Object.assign(item.json, { video_id: job.id, status: normalizeStatus(job.status), request_id: job.request_id ?? null, error_detail: jobErrorDetail(job) ?? null });
		}
		return [item];
	});
}
