import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { Limiter, mapLimited } from '../../shared/concurrency';
import { readWebhookSecret } from '../../shared/credentials';
import { getVideo } from '../../shared/gateway';
import { DEFAULT_TOLERANCE_SECONDS } from '../../shared/signature';
import { receiveSignedEvent, respond } from '../../shared/signedEvent';
import { isTerminal, type VideoJob } from '../../shared/video';
import { readBatch } from './batchStore';
import { finishJob, finishedItems, type CreatedJob } from './items';
import { readWaitSettings } from './settings';

/**
 * The resume webhook of a parked batch (park.ts). Stateless across workers: the batch is kept
 * with the execution, and every callback re-reads the statuses of the whole batch from the
 * gateway. The execution resumes only when every job of the batch is terminal.
 */

export async function resumeWebhook(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const secret = await readWebhookSecret(ctx);
	const receipt = receiveSignedEvent(ctx, secret, DEFAULT_TOLERANCE_SECONDS, 'AI Stats: refused a resume callback');
	if (!receipt.ok) return receipt.response;
	const { event } = receipt;
	const eventJob = (event.data ?? {}) as IDataObject;
	const batch = readBatch(ctx);
	const jobs = batch.filter((entry): entry is { itemIndex: number; job: VideoJob } => 'job' in entry);
	if (!jobs.some((entry) => entry.job.id === eventJob.id)) {
		return respond(ctx, 200, { received: true, resumed: false, reason: 'not_in_batch' });
	}
	if (!isTerminal(eventJob.status)) return respond(ctx, 200, { received: true, resumed: false, reason: 'not_terminal' });

	const settings = readWaitSettings(ctx);
	// Re-read the whole batch: the event carries no outputs/asset, and other jobs may still run.
	const latest = await mapLimited(jobs, settings.concurrency, async (entry) => await getVideo(ctx, entry.job.id, entry.itemIndex));
	const running = latest.filter((job) => !isTerminal(job.status)).map((job) => job.id);
	if (running.length > 0) return respond(ctx, 200, { received: true, resumed: false, waiting_for: running });

	// Acknowledge before downloading: the gateway gives up on a callback after 30 s.
	ctx.getResponseObject().status(200).json({ received: true, resumed: true });
	const byId = new Map(latest.map((job) => [job.id, job]));
	const created: CreatedJob[] = batch.map((entry) => ('job' in entry ? { itemIndex: entry.itemIndex, job: byId.get(entry.job.id) ?? entry.job } : entry));
	// n8n resumes by passing this output on; it cannot fail the node at this point (an error
	// thrown here would leave the execution waiting), so a failed job becomes an item with `error`.
	const limiter = new Limiter(settings.concurrency);
	const finished = await Promise.all(
		created.map(async (entry) => {
			if ('error' in entry) return entry;
			return await finishJob(ctx, settings, limiter, entry.itemIndex, async () => ({ kind: 'terminal', job: entry.job }));
		}),
	);
	ctx.logger.debug('AI Stats: jobs finished', { jobs: created.length, statusRequests: 0 });
	return { noWebhookResponse: true, workflowData: [finishedItems(finished)] };
}
