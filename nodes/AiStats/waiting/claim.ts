import { sleep } from 'n8n-workflow';

import type { GatewayFunctions } from '../../shared/transport';
import { getVideo } from '../../shared/gateway';
import { isTerminal, type VideoJob } from '../../shared/video';

/**
 * Which callback of a parked batch resumes it, decided by a rule every callback can check
 * without shared state, reading few statuses:
 *
 * Jobs are ordered by (terminal second, position in the batch). The callback of the job that is
 * last in that order resumes. A callback reads the other jobs from the last position down and
 * declines as soon as it sees
 * - a terminal job ordered after its own (that job's callback is responsible), or
 * - a job still running (its callback comes later). When that job's position is below its own,
 *   the job could still end within the same second and be ordered before it: the job is read
 *   once more after GUARD_MS, by when any end in that second is visible.
 * Only a callback that saw every job terminal claims the resume (resume.ts: deleting the
 * endpoint, an atomic compare-and-set at the gateway, makes it exactly one).
 * A callback declined for a later job asks the gateway to deliver it again (non-2xx): should
 * that job's callback have declined too (times in another format, an unlucky race), a later
 * repeat (`ordered` false; resume.ts: from the third attempt) claims once every job is terminal.
 * After a resume the endpoint is gone: no repeat is delivered, or one that is finds it gone.
 */

export const GUARD_MS = 2500;

export interface BatchJob {
	position: number;
	id: string;
}

export type ClaimDecision =
	| { claim: true; jobs: Map<string, VideoJob>; statusReads: number }
	| { claim: false; reason: 'waiting_for' | 'later_job'; jobId: string; statusReads: number };

/** Whole seconds (ISO string or unix number), so both gateway formats order alike. */
export function terminalSecond(job: VideoJob): number | undefined {
	// GET says completed_at; a delivered event's data says finalized_at.
	const value = (job.completed_at ?? (job as { finalized_at?: unknown }).finalized_at) as unknown;
	if (typeof value === 'number' && Number.isFinite(value)) return Math.floor(value > 1e11 ? value / 1000 : value);
	if (typeof value === 'string' && value !== '') {
		if (/^\d+(\.\d+)?$/.test(value)) return Math.floor(Number(value));
		const ms = Date.parse(value);
		if (Number.isFinite(ms)) return Math.floor(ms / 1000);
	}
	return undefined;
}

/** True when `other` (ended at `otherSecond`) is ordered after `own`; never when a time is unknown. */
function orderedAfter(otherSecond: number | undefined, other: BatchJob, ownSecond: number | undefined, own: BatchJob): boolean {
	if (otherSecond === undefined || ownSecond === undefined) return false;
	return otherSecond > ownSecond || (otherSecond === ownSecond && other.position > own.position);
}

/**
 * Decides for the callback of `own` (terminal, ending at `ownSecond`); `others` are the rest of
 * the batch. Claiming returns every other job as read (the caller reads its own job).
 */
export async function decideClaim(
	ctx: GatewayFunctions,
	own: BatchJob,
	ownSecond: number | undefined,
	others: BatchJob[],
	ordered = true,
	concurrency = 10,
	guardMs = GUARD_MS,
): Promise<ClaimDecision> {
	const jobs = new Map<string, VideoJob>();
	let statusReads = 0;
	const read = async (entry: BatchJob) => {
		statusReads++;
		return await getVideo(ctx, entry.id, entry.position);
	};
	const queue = [...others].sort((a, b) => b.position - a.position);
	// The first job alone (most callbacks decline on it), then the rest a chunk at a time, in order.
	for (let start = 0, size = 1; start < queue.length; start += size, size = Math.max(1, concurrency)) {
		const chunk = queue.slice(start, start + size);
		const answers = await Promise.all(chunk.map(async (entry) => await read(entry)));
		for (const [index, other] of chunk.entries()) {
			let job = answers[index];
			if (!isTerminal(job.status)) {
				// A running job above our position ends after us in any case; below it, maybe in our second.
				const mayTie = ordered && ownSecond !== undefined && other.position < own.position;
				if (!mayTie) return { claim: false, reason: 'waiting_for', jobId: other.id, statusReads };
				await sleep(guardMs);
				job = await read(other);
				if (!isTerminal(job.status)) return { claim: false, reason: 'waiting_for', jobId: other.id, statusReads };
			}
			if (ordered && orderedAfter(terminalSecond(job), other, ownSecond, own)) return { claim: false, reason: 'later_job', jobId: other.id, statusReads };
			jobs.set(other.id, job);
		}
	}
	return { claim: true, jobs, statusReads };
}
