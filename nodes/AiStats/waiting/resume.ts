import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { Limiter } from '../../shared/concurrency';
import { readApiKey, readManagementKey, shareCredentialRead } from '../../shared/credentials';
import { GatewayApiError } from '../../shared/errors';
import { deleteWebhookEndpoint, getVideo, getWebhookEndpoint } from '../../shared/gateway';
import { WEBHOOK_HEADERS } from '../../shared/signature';
import { eventHeader, receiveSignedEvent, respond } from '../../shared/signedEvent';
import { isTerminal, type VideoJob } from '../../shared/video';
import { readBatch } from './batchStore';
import { decideClaim, terminalSecond, type BatchJob } from './claim';
import { finishJob, finishedItems, type CreatedJob } from './items';
import { openSealedSecret } from './sealedSecret';
import { readWaitSettings } from './settings';

/**
 * The resume webhook of a parked batch (park.ts). Stateless across workers: the batch and the
 * sealed secret of this wait are kept with the execution. Every callback is verified against
 * that secret; claim.ts decides, from a few status reads, whether this callback is the one to
 * resume; that one claims the resume by deleting the wait's endpoint (the gateway's delete is
 * an atomic compare-and-set: one claimer), answers at once, downloads the videos and resumes.
 * Every other callback answers quickly with `resumed: false`.
 */

/** Repeats of a delivery that come after the resume find its endpoint gone: answered without any status read. */
const UNORDERED_FROM_ATTEMPT = 3;

async function endpointStillThere(ctx: IWebhookFunctions, endpointId: string): Promise<boolean> {
	try {
		await getWebhookEndpoint(ctx, endpointId, await readManagementKey(ctx));
		return true;
	} catch (error) {
		return !(error instanceof GatewayApiError && error.gateway.httpStatus === 404);
	}
}

function declined(ctx: IWebhookFunctions, reason: string, extra: IDataObject = {}): IWebhookResponseData {
	return respond(ctx, 200, { received: true, resumed: false, reason, ...extra });
}

export async function resumeWebhook(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const batch = readBatch(ctx);
	if (!batch) return declined(ctx, 'no_parked_batch');
	// The batch's callbacks come together: one credential read for all of them (credentials.ts).
	shareCredentialRead(ctx, `${ctx.getExecutionId()}:${ctx.getNode().credentials?.aiStatsApi?.id ?? ''}`);
	const secret = openSealedSecret(batch.sealedSecret, await readApiKey(ctx), ctx.getExecutionId());
	if (secret === undefined) {
		ctx.logger.warn('AI Stats: the parked batch\'s secret cannot be opened (was the API key changed?); refusing the callback');
		return respond(ctx, 401, { error: 'invalid_signature', reason: 'unverifiable' });
	}
	const settings = readWaitSettings(ctx);
	const receipt = receiveSignedEvent(ctx, secret, settings.toleranceSeconds, 'AI Stats: refused a resume callback');
	if (!receipt.ok) return receipt.response;
	const eventJob = (receipt.event.data ?? {}) as VideoJob;
	const jobs = batch.created.filter((entry): entry is { itemIndex: number; job: VideoJob } => 'job' in entry);
	const own = jobs.find((entry) => entry.job.id === eventJob.id);
	if (!own) return declined(ctx, 'not_in_batch');
	if (!isTerminal(eventJob.status)) return declined(ctx, 'not_terminal');

	const ownEntry: BatchJob = { position: own.itemIndex, id: own.job.id };
	let ownJob: VideoJob | undefined;
	let ownSecond = terminalSecond(eventJob);
	if (ownSecond === undefined) {
		// Order by what the other callbacks read: the job itself, not the event.
		ownJob = await getVideo(ctx, own.job.id, own.itemIndex);
		ownSecond = terminalSecond(ownJob);
	}
	const others = jobs.filter((entry) => entry !== own).map((entry) => ({ position: entry.itemIndex, id: entry.job.id }));
	const attempt = Number(eventHeader(ctx, WEBHOOK_HEADERS.attempt) ?? 1);
	if (attempt >= 2 && batch.endpointId && !(await endpointStillThere(ctx, batch.endpointId))) return declined(ctx, 'already_resumed');
	// From the third attempt on (minutes later in production) a callback claims whenever every job is terminal (claim.ts).
	const decision = await decideClaim(ctx, ownEntry, ownSecond, others, !(attempt >= UNORDERED_FROM_ATTEMPT), settings.concurrency);
	if (!decision.claim) {
		// 409 for a later job: the gateway delivers again unless that job's callback resumes (and deletes the endpoint).
		if (decision.reason === 'later_job') return respond(ctx, 409, { received: true, resumed: false, reason: decision.reason, job: decision.jobId });
		return declined(ctx, decision.reason, { job: decision.jobId });
	}

	if (batch.endpointId) {
		const managementKey = await readManagementKey(ctx);
		try {
			await deleteWebhookEndpoint(ctx, batch.endpointId, managementKey, true);
		} catch (error) {
			if (error instanceof GatewayApiError && error.gateway.httpStatus === 404) return declined(ctx, 'already_resumed');
			// Unknown outcome: let the gateway deliver again later rather than resume twice.
			ctx.logger.warn('AI Stats: could not claim the resume (deleting the endpoint failed)', { error: (error as Error).message });
			return respond(ctx, 503, { received: false, resumed: false, reason: 'claim_failed' });
		}
	}

	// Acknowledge before reading and downloading: the gateway gives up on a callback after 30 s.
	ctx.getResponseObject().status(200).json({ received: true, resumed: true });
	const byId = decision.jobs;
	byId.set(own.job.id, ownJob ?? (await getVideo(ctx, own.job.id, own.itemIndex).catch(() => eventJob)));
	const created: CreatedJob[] = batch.created.map((entry) => ('job' in entry ? { itemIndex: entry.itemIndex, job: byId.get(entry.job.id) ?? entry.job } : entry));
	// n8n resumes by passing this output on; it cannot fail the node at this point (an error
	// thrown here would leave the execution waiting), so a failed job becomes an item with `error`.
	const limiter = new Limiter(settings.concurrency);
	const finished = await Promise.all(
		created.map(async (entry) => {
			if ('error' in entry) return entry;
			return await finishJob(ctx, settings, limiter, entry.itemIndex, async () => ({ kind: 'terminal', job: entry.job }));
		}),
	);
	ctx.logger.debug('AI Stats: batch resumed', { jobs: created.length, statusReads: decision.statusReads + 1 });
	return { noWebhookResponse: true, workflowData: [finishedItems(finished, created)] };
}
