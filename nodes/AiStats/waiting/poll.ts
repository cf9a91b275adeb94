import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { asNodeError } from '../../shared/errors';
import { Limiter } from '../../shared/concurrency';
import { isTerminal, normalizeStatus, type VideoJob } from '../../shared/video';
import { sleepUnlessCancelled } from '../../shared/wait';
import { finishJob, finishedItems, throwFirstFailure, type CreatedJob, type WaitOutcome } from './items';
import { continuesOnFail, type WaitSettings } from './settings';
import { getVideo } from '../../shared/gateway';
import { backoffDelayMs, isRetryableError, pollPolicy } from '../../shared/retry';

/** The gateway asks for 20 s in production; never poll faster than this, whatever is set. */
export const MIN_POLL_INTERVAL_SECONDS = 1;
const DEFAULT_POLL_AFTER_SECONDS = pollPolicy.baseDelayMs / 1000;

export interface PollSettings {
	/** Seconds between status calls; undefined = follow the job's `poll_after_seconds`. */
	intervalSeconds?: number;
	deadline: number;
	limiter: Limiter;
	itemIndex: number;
}

export interface PollStats {
	statusRequests: number;
}

function intervalMs(job: VideoJob, settings: PollSettings): number {
	const seconds = settings.intervalSeconds ?? (Number(job.poll_after_seconds) > 0 ? Number(job.poll_after_seconds) : DEFAULT_POLL_AFTER_SECONDS);
	return Math.max(MIN_POLL_INTERVAL_SECONDS, seconds) * 1000;
}

/**
 * Polls one job until it is terminal or the deadline passes. Status calls share the limiter, so
 * a batch of N jobs waits about as long as its slowest job, with bounded concurrent requests.
 * Transient gateway errors (429/5xx, dropped connections) back off and keep polling.
 */
export async function pollUntilTerminal(
	ctx: IExecuteFunctions,
	created: VideoJob,
	settings: PollSettings,
	stats: PollStats,
): Promise<WaitOutcome> {
	const signal = ctx.getExecutionCancelSignal();
	let job = created;
	let failuresInRow = 0;
	while (!isTerminal(job.status)) {
		const remaining = settings.deadline - Date.now();
		if (remaining <= 0) return { kind: 'timeout', job };
		const backoff = failuresInRow > 0 ? backoffDelayMs(failuresInRow, intervalMs(job, settings), pollPolicy.maxDelayMs) : 0;
		await sleepUnlessCancelled(Math.min(remaining, Math.max(intervalMs(job, settings), backoff)), ctx.getNode(), signal);
		if (Date.now() >= settings.deadline && failuresInRow > 0) return { kind: 'timeout', job };
		try {
			stats.statusRequests++;
			job = { ...(await settings.limiter.run(async () => await getVideo(ctx, job.id, settings.itemIndex))) };
			failuresInRow = 0;
		} catch (error) {
			if (!isRetryableError(error, pollPolicy)) throw asNodeError(ctx.getNode(), error, settings.itemIndex);
			failuresInRow++;
		}
	}
	job.status = normalizeStatus(job.status);
	return { kind: 'terminal', job };
}

/**
 * Waits in this execution for every created job at once (status calls bounded by the
 * concurrency setting; each video is downloaded as soon as its job completes) and returns the
 * output items in input order, each paired with its input item.
 */
export async function pollBatch(ctx: IExecuteFunctions, created: CreatedJob[], settings: WaitSettings): Promise<INodeExecutionData[]> {
	const limiter = new Limiter(settings.concurrency);
	const deadline = Date.now() + settings.maxWaitMs;
	const stats: PollStats = { statusRequests: 0 };
	const finished = await Promise.all(
		created.map(async (entry) => {
			if ('error' in entry) return entry;
			const poll = { intervalSeconds: settings.pollIntervalSeconds, deadline, limiter, itemIndex: entry.itemIndex };
			return await finishJob(ctx, settings, limiter, entry.itemIndex, async () => await pollUntilTerminal(ctx, entry.job, poll, stats));
		}),
	);
	ctx.logger.debug('AI Stats: jobs finished', { jobs: created.length, statusRequests: stats.statusRequests });
	if (!continuesOnFail(ctx)) throwFirstFailure(ctx, created, finished, settings);
	return finishedItems(finished);
}
