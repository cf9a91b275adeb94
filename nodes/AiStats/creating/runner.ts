import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { asNodeError, GatewayApiError } from '../../shared/errors';
import { createVideo, getVideo } from '../../shared/gateway';
import { NOT_SENT_CODES } from '../../shared/network';
import { isTerminal, normalizeStatus, type VideoJob } from '../../shared/video';
import { ExecutionCancelledError } from '../../shared/wait';
import type { CreatedJob } from '../waiting/items';
import { reportCreatedJobs, type BatchJob } from './report';
import { compactJob, findEarlierCreate, forgetCreate, rememberCreate, retryOnFailHint, reuseKeys } from './reuse';

/**
 * The create phase of a batch: one POST /videos per item, in input order, at most `concurrency` at
 * once. Once the node is going to fail (a create failed and Continue On Fail is off), no further
 * create is sent; the ones in flight finish and every job created is named in the error.
 */

/** One input item: the body to send, or why it has none (kept as that item's result). */
export type CreateRequest = { itemIndex: number; body: IDataObject } | { itemIndex: number; error: Error };

export interface CreateOptions {
	concurrency: number;
	/** A failed create becomes that item's error and the batch goes on. Default: the node's Continue On Fail. */
	continueOnFail?: boolean;
	/** Sends one item's create (default: `createVideo` with the body as is). */
	send?: (body: IDataObject, itemIndex: number) => Promise<VideoJob>;
}

/** The statuses whose hold the gateway released: a retry may create the job again without paying twice. */
const VOIDED_STATUSES = ['failed', 'cancelled', 'expired'];

/**
 * Whether a failed create may still have made a job. A refusal from the gateway itself (its
 * error envelope) and a connection that never reached it did not; anything else (a dropped
 * connection, a garbled 2xx, a proxy's 5xx page) might have.
 */
function mayHaveCreated(error: unknown): boolean {
	if (error instanceof ExecutionCancelledError) return false;
	if (error instanceof GatewayApiError) {
		const { httpStatus, error: gatewayError } = error.gateway;
		return (httpStatus >= 200 && httpStatus < 300) || (httpStatus >= 500 && !gatewayError);
	}
	const code = error instanceof NodeApiError ? error.errorResponse?.network_error : undefined;
	return !(typeof code === 'string' && NOT_SENT_CODES.includes(code));
}

function uncertainError(ctx: IExecuteFunctions, itemIndex: number, message: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `Not sending item ${itemIndex}'s create again: an earlier try may have created its job`, {
		itemIndex,
		description: `An earlier try of this node in this execution sent the same create and got no clear answer (${message}), so the job may exist and be billed. Look for it with Video → Get Many (newest first) before running the item again.`,
	});
}

class CreateRun {
	readonly results: Array<CreatedJob | undefined>;
	/** The failure that stops the batch (the node is going to fail). */
	stopped?: { itemIndex: number; error: Error };
	reused = 0;
	private next = 0;
	private readonly keyOf: ReturnType<typeof reuseKeys>;
	private readonly send: (body: IDataObject, itemIndex: number) => Promise<VideoJob>;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly requests: CreateRequest[],
		private readonly continueOnFail: boolean,
		send?: CreateOptions['send'],
	) {
		this.results = new Array(requests.length);
		this.keyOf = reuseKeys(ctx);
		this.send = send ?? (async (body, itemIndex) => await createVideo(ctx, body, itemIndex));
	}

	/** Takes the next request in input order until the batch is stopped. Never rejects. */
	async worker(): Promise<void> {
		while (!this.stopped && this.next < this.requests.length) {
			const position = this.next++;
			const request = this.requests[position];
			if ('error' in request) {
				this.results[position] = request;
				continue;
			}
			try {
				this.results[position] = { itemIndex: request.itemIndex, job: await this.createOrPickUp(request) };
			} catch (error) {
				const failure = asNodeError(this.ctx.getNode(), error, request.itemIndex);
				this.results[position] = { itemIndex: request.itemIndex, error: failure };
				if (!this.continueOnFail || error instanceof ExecutionCancelledError) this.stopped ??= { itemIndex: request.itemIndex, error: failure };
			}
		}
	}

	private async createOrPickUp({ itemIndex, body }: { itemIndex: number; body: IDataObject }): Promise<VideoJob> {
		const key = this.keyOf?.(itemIndex, body);
		const earlier = findEarlierCreate(key);
		if (earlier?.kind === 'uncertain') throw uncertainError(this.ctx, itemIndex, earlier.message);
		if (earlier?.kind === 'job') {
			const job = await this.pickUp(earlier.job, itemIndex);
			if (job) {
				this.reused++;
				return job;
			}
			forgetCreate(key);
		}
		try {
			const job = await this.send(body, itemIndex);
			rememberCreate(key, { kind: 'job', job: compactJob(job) });
			return job;
		} catch (error) {
			if (mayHaveCreated(error)) rememberCreate(key, { kind: 'uncertain', message: (error as Error).message });
			throw asNodeError(this.ctx.getNode(), error, itemIndex);
		}
	}

	/** The job an earlier try created, as it is now; undefined when it ended unbilled and may be created again. */
	private async pickUp(earlier: VideoJob, itemIndex: number): Promise<VideoJob | undefined> {
		let job: VideoJob;
		try {
			job = await getVideo(this.ctx, earlier.id, itemIndex);
		} catch (error) {
			if (error instanceof ExecutionCancelledError) throw asNodeError(this.ctx.getNode(), error, itemIndex);
			// The job exists (this process created it): never buy it again because a read failed.
			this.ctx.logger.warn('AI Stats: could not read a job from an earlier try; reusing it as it was', { videoId: earlier.id });
			return earlier;
		}
		if (isTerminal(job.status) && VOIDED_STATUSES.includes(normalizeStatus(job.status))) {
			this.ctx.logger.info('AI Stats: the job of an earlier try ended without charge; creating it again', { videoId: job.id, status: job.status });
			return undefined;
		}
		this.ctx.logger.info('AI Stats: picking up the job of an earlier try', { videoId: job.id, itemIndex });
		return job;
	}
}

/**
 * Creates (or, on a retry of the node, picks up) every item's job. Returns one entry per request,
 * in input order. Without Continue On Fail the first failed create stops the batch: nothing more is
 * sent, the creates in flight finish, and the failure is thrown naming every job created and every
 * item not sent. Cancellation always stops it.
 */
export async function createBatch(ctx: IExecuteFunctions, requests: CreateRequest[], options: CreateOptions): Promise<CreatedJob[]> {
	const run = new CreateRun(ctx, requests, options.continueOnFail ?? ctx.continueOnFail(), options.send);
	const workers = Math.max(1, Math.min(Math.floor(options.concurrency) || 1, requests.length));
	await Promise.all(Array.from({ length: workers }, async () => await run.worker()));
	retryOnFailHint(ctx, run.reused);
	if (run.stopped) {
		const jobs = run.results.filter((entry): entry is BatchJob => entry !== undefined && 'job' in entry);
		const notSent = requests.filter((_request, position) => run.results[position] === undefined).map((request) => request.itemIndex);
		throw reportCreatedJobs(run.stopped.error, jobs, notSent);
	}
	return run.results as CreatedJob[];
}

/** Runs what follows the creates; whatever fails there is reported with the batch's jobs. */
export async function reportingJobs<T>(created: CreatedJob[], next: () => Promise<T>): Promise<T> {
	try {
		return await next();
	} catch (error) {
		throw reportCreatedJobs(error, created.filter((entry): entry is BatchJob => 'job' in entry));
	}
}
