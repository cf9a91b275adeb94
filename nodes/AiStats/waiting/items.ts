import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Limiter } from '../../shared/concurrency';
import { timedOutInsight } from '../../shared/failures';
import { failureFields, jobToJson, normalizeStatus, type VideoJob } from '../../shared/video';
import { errorItem, pairedItems, rethrowIfCancelled } from '../helpers/items';
import { videoItems } from '../helpers/videoItems';
import { reportCreatedJobs, type BatchJob } from '../creating/report';
import type { WaitContext, WaitSettings } from './settings';

/** Jobs → output items: what a batch becomes once its jobs are created, or once they end. */

/** One input item after the create: its job, or why there is none. */
export type CreatedJob = { itemIndex: number; job: VideoJob } | { itemIndex: number; error: Error };

/** How the wait for one job ended. */
export type WaitOutcome = { kind: 'terminal'; job: VideoJob } | { kind: 'timeout'; job: VideoJob };

/** One job after the wait: its items (and the job as it ended), or its error. */
type FinishedJob = { itemIndex: number; items: INodeExecutionData[]; job?: VideoJob } | { itemIndex: number; error: Error };

/** Created jobs as items right away (Don't Wait, and the items a parked execution keeps). */
export function createdItems(created: CreatedJob[], includeSignedLinks: boolean): INodeExecutionData[] {
	return created.flatMap((entry) =>
		'error' in entry ? [errorItem(entry.itemIndex, entry.error)] : pairedItems(entry.itemIndex, jobToJson(entry.job, includeSignedLinks)),
	);
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
	outcome: WaitOutcome,
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
	const insight = failureFields(job);
	const failure = new JobFailedError(
		ctx.getNode(),
		{ video_id: job.id, status, request_id: job.request_id ?? null, error: detail ?? null, ...insight },
		{
			message: `Video ${job.id} ${status}${insight.failure_category ? ` (${String(insight.failure_category)})` : ''}${detail ? `: ${detail}` : ''}`,
			description: `${insight.failure_reason ? `${String(insight.failure_reason)} ` : ''}The job ended ${status}${job.request_id ? ` (request ID ${job.request_id})` : ''}. Set "On Failed Job" to "Output the Job" to handle this in the workflow.`,
			itemIndex,
		},
	);
	failure.job = job;
	throw failure;
}

/**
 * Waits for one job (`wait`) and turns the outcome into its items; a failure of this job is kept
 * as its result, so the other jobs of the batch go on. Cancellation stops everything.
 */
export async function finishJob(
	ctx: WaitContext,
	settings: WaitSettings,
	limiter: Limiter,
	itemIndex: number,
	wait: () => Promise<WaitOutcome>,
): Promise<FinishedJob> {
	try {
		const outcome = await wait();
		return { itemIndex, job: outcome.job, items: await outcomeItems(ctx, outcome, settings, itemIndex, limiter) };
	} catch (error) {
		rethrowIfCancelled(ctx, error);
		return { itemIndex, error: error as Error };
	}
}

/** The batch's jobs as last seen: after the wait where it ended, else as created. */
function latestJobs(created: CreatedJob[], finished: FinishedJob[]): BatchJob[] {
	return created.flatMap((entry) => {
		if (!('job' in entry)) return [];
		const end = finished.find((candidate) => candidate.itemIndex === entry.itemIndex);
		const error = end && 'error' in end ? (end.error as { job?: VideoJob }) : undefined;
		const job = (end && 'job' in end ? end.job : undefined) ?? error?.job ?? entry.job;
		return [{ itemIndex: entry.itemIndex, job }];
	});
}

/**
 * Without Continue On Fail the first failure stops the node; several timeouts become one error.
 * The error names every job of the batch (its last status and cost), finished or not.
 */
export function throwFirstFailure(ctx: WaitContext, created: CreatedJob[], finished: FinishedJob[], settings: WaitSettings): void {
	try {
		throwFirstFailureOf(ctx, created, finished, settings);
	} catch (error) {
		throw reportCreatedJobs(error, latestJobs(created, finished));
	}
}

function throwFirstFailureOf(ctx: WaitContext, created: CreatedJob[], finished: FinishedJob[], settings: WaitSettings): void {
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

/**
 * The batch's output in input order, each item paired; failures as error items with the job's
 * details. With `created`, every error item of a created job names its video id.
 */
export function finishedItems(finished: FinishedJob[], created: CreatedJob[] = []): INodeExecutionData[] {
	return finished.flatMap((entry) => {
		if (!('error' in entry)) return pairedItems(entry.itemIndex, entry.items);
		const item = errorItem(entry.itemIndex, entry.error);
		const createdJob = created.find((candidate) => candidate.itemIndex === entry.itemIndex);
		if (createdJob && 'job' in createdJob) Object.assign(item.json, { video_id: createdJob.job.id });
		if (entry.error instanceof JobTimeoutError && entry.error.job) {
			Object.assign(item.json, { video_id: entry.error.job.id, status: normalizeStatus(entry.error.job.status), timed_out: true, ...timedOutInsight(entry.error.job) });
		}
		if (entry.error instanceof JobFailedError && entry.error.job) {
			const { job } = entry.error;
			Object.assign(item.json, { video_id: job.id, status: normalizeStatus(job.status), request_id: job.request_id ?? null, error_detail: jobErrorDetail(job) ?? null, ...failureFields(job) });
		}
		return [item];
	});
}
