import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { RETRYABLE_ELSEWHERE, failureInsight } from '../../../../shared/failures';
import type { ModelEntry } from '../../../../shared/gateway';
import { costFields, normalizeStatus, type VideoJob } from '../../../../shared/video';
import { rethrowIfCancelled } from '../../../helpers/items';
import type { WaitOutcome } from '../../../waiting/items';
import type { JobWaiter } from '../../../waiting/poll';
import type { PreparedItem } from './bodies';
import { readCostControl, type Budget } from './budget';
import { jobSender } from './create';
import { estimateBody, type CostEstimate } from './estimate';
import { checkAgainstModel } from './modelCheck';

/**
 * Fallback models (Poll mode): when an item's job fails because its provider failed or was
 * unavailable, the same request is created on the next listed model, after checking it against
 * that model's catalogue entry and the budget. Never after a content filter or invalid input
 * (another model would only spend money on the same refusal). Each attempt is a new job; the
 * final job carries `attempts` listing every one.
 */

export interface Attempt extends IDataObject {
	model: string;
	video_id: string | null;
	outcome: string;
	failure_category: string | null;
	cost: number | null;
	cost_currency: string;
	reason: string | null;
}

function attemptOf(outcome: WaitOutcome, model: string): Attempt {
	const { job } = outcome;
	const status = outcome.kind === 'timeout' ? 'timed_out' : normalizeStatus(job.status);
	const insight = failureInsight(job, normalizeStatus(job.status));
	const cost = costFields(job);
	return {
		model,
		video_id: job.id,
		outcome: status,
		failure_category: outcome.kind === 'timeout' ? 'timed_out' : (insight?.failure_category ?? null),
		cost: (cost.cost as number | null) ?? null,
		cost_currency: String(cost.cost_currency),
		reason: insight?.failure_reason ?? null,
	};
}

function notTried(model: string, reason: string): Attempt {
	return { model, video_id: null, outcome: 'not_tried', failure_category: null, cost: null, cost_currency: 'USD', reason };
}

/** Whether another model may help: a provider failure (not a refusal of the request itself). */
function fallsBack(outcome: WaitOutcome): boolean {
	if (outcome.kind !== 'terminal') return false;
	const insight = failureInsight(outcome.job, normalizeStatus(outcome.job.status));
	return insight !== undefined && RETRYABLE_ELSEWHERE.includes(insight.failure_category);
}

/** The waiter for pollBatch, or undefined when no item lists fallback models. */
export function fallbackWaiter(
	ctx: IExecuteFunctions,
	prepared: PreparedItem[],
	catalogue: () => Promise<ModelEntry[] | undefined>,
	budget: Budget,
	estimates: Map<number, CostEstimate>,
): JobWaiter | undefined {
	const bodies = new Map(prepared.flatMap((entry) => ('body' in entry ? [[entry.itemIndex, entry.body] as const] : [])));
	if (![...bodies.keys()].some((itemIndex) => readCostControl(ctx, itemIndex).fallbackModels.length > 0)) return undefined;

	return async (itemIndex, job, pollJob) => {
		const settings = readCostControl(ctx, itemIndex);
		const body = bodies.get(itemIndex) ?? {};
		let outcome = await pollJob(job);
		if (settings.fallbackModels.length === 0) return outcome;
		const capped = settings.maxPerItem !== undefined || readCostControl(ctx, 0).maxPerExecution !== undefined;
		const attempts: Attempt[] = [attemptOf(outcome, String(body.model))];
		let estimate = estimates.get(itemIndex);

		for (const model of settings.fallbackModels) {
			if (!fallsBack(outcome)) break;
			// The failed job's hold was released: it no longer counts against the execution's cap.
			if (estimate && attempts[attempts.length - 1].cost === 0) budget.release(estimate);
			const next: IDataObject = { ...body, model };
			const entry = (await catalogue())?.find((candidate) => candidate.model === model);
			if (!entry) {
				attempts.push(notTried(model, `Model ${model} is not in the gateway's model catalogue.`));
				continue;
			}
			const problems = checkAgainstModel(next, entry);
			if (problems.length > 0) {
				attempts.push(notTried(model, problems.map((problem) => `${problem.field} ${problem.message}`).join('; ')));
				continue;
			}
			if (capped) {
				estimate = await estimateBody(ctx, next, entry, itemIndex);
				const refusal = budget.refusal(estimate, settings.maxPerItem);
				if (refusal) {
					attempts.push(notTried(model, refusal));
					continue;
				}
				budget.commit(estimate);
			}
			let created: VideoJob;
			try {
				created = await jobSender(ctx)(next, itemIndex);
			} catch (error) {
				rethrowIfCancelled(ctx, error);
				// A create that may have gone through is never followed by another one.
				attempts.push(notTried(model, `The create failed: ${(error as Error).message}`));
				break;
			}
			outcome = await pollJob(created);
			attempts.push(attemptOf(outcome, model));
		}
		return { ...outcome, job: { ...outcome.job, attempts } };
	};
}
