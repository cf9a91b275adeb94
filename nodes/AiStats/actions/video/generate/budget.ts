import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ModelEntry } from '../../../../shared/gateway';
import type { PreparedItem } from './bodies';
import { estimateBody, type CostEstimate } from './estimate';

/**
 * Generate's cost controls, applied after the bodies are built and before anything is created:
 * the Estimate option, Max Cost per Item and Max Cost per Execution. A refused item gets an
 * error naming the estimate and the cap (its own error item with Continue On Fail).
 */

export interface CostControlSettings {
	estimate: boolean;
	maxPerItem?: number;
	maxPerExecution?: number;
	fallbackModels: string[];
}

function positive(value: unknown): number | undefined {
	const number = Number(value);
	return Number.isFinite(number) && number > 0 ? number : undefined;
}

export function readCostControl(ctx: IExecuteFunctions, itemIndex: number): CostControlSettings {
	const settings = ctx.getNodeParameter('costControl', itemIndex, {}) as IDataObject;
	const fallback = settings.fallbackModels;
	const models = (Array.isArray(fallback) ? fallback.map(String) : String(fallback ?? '').split(','))
		.map((model) => model.trim())
		.filter((model) => model !== '');
	return {
		estimate: settings.estimateCost === true,
		maxPerItem: positive(settings.maxCostPerItem),
		maxPerExecution: positive(settings.maxCostPerExecution),
		fallbackModels: models,
	};
}

const usd = (value: number) => `${Number(value.toFixed(4))} USD`;

/** The running total of estimates this run of the node has committed to (Max Cost per Execution). */
export class Budget {
	private spent = 0;

	constructor(private readonly maxPerExecution?: number) {}

	/** Why a request with this estimate may not be created; undefined when it may. */
	refusal(estimate: CostEstimate, maxPerItem?: number): string | undefined {
		if (maxPerItem === undefined && this.maxPerExecution === undefined) return undefined;
		if (estimate.cost_estimate === null) {
			return `Cannot check the budget: no cost estimate (${estimate.cost_estimate_reason ?? 'unknown'}). Nothing was created.`;
		}
		const cost = estimate.cost_estimate;
		if (maxPerItem !== undefined && cost > maxPerItem) {
			return `Estimated cost ${usd(cost)} is over Max Cost per Item (${usd(maxPerItem)}). Nothing was created.`;
		}
		if (this.maxPerExecution !== undefined && this.spent + cost > this.maxPerExecution) {
			return `Estimated cost ${usd(cost)} would bring this execution to ${usd(this.spent + cost)}, over Max Cost per Execution (${usd(this.maxPerExecution)}; ${usd(this.spent)} already committed). Nothing was created.`;
		}
		return undefined;
	}

	commit(estimate: CostEstimate): void {
		this.spent += estimate.cost_estimate ?? 0;
	}

	/** A job whose hold was released (failed, not charged) no longer counts. */
	release(estimate: CostEstimate): void {
		this.spent = Math.max(0, this.spent - (estimate.cost_estimate ?? 0));
	}
}

export interface CostControlResult {
	prepared: PreparedItem[];
	/** Estimates by item index (only when estimating or capping). */
	estimates: Map<number, CostEstimate>;
	budget: Budget;
}

/**
 * Estimates each item (when asked, or when a cap needs it) and refuses those over a cap, in item
 * order. Without Continue On Fail the first refusal stops the node before any create.
 */
export async function applyCostControls(
	ctx: IExecuteFunctions,
	prepared: PreparedItem[],
	catalogue: () => Promise<ModelEntry[] | undefined>,
): Promise<CostControlResult> {
	const first = readCostControl(ctx, 0);
	const budget = new Budget(first.maxPerExecution);
	const estimates = new Map<number, CostEstimate>();
	const result: PreparedItem[] = [];
	for (const entry of prepared) {
		if ('error' in entry) {
			result.push(entry);
			continue;
		}
		const settings = readCostControl(ctx, entry.itemIndex);
		if (!settings.estimate && settings.maxPerItem === undefined && first.maxPerExecution === undefined) {
			result.push(entry);
			continue;
		}
		const model = (await catalogue())?.find((candidate) => candidate.model === entry.body.model);
		const estimate = await estimateBody(ctx, entry.body, model, entry.itemIndex);
		estimates.set(entry.itemIndex, estimate);
		const refusal = budget.refusal(estimate, settings.maxPerItem);
		if (!refusal) {
			budget.commit(estimate);
			result.push(entry);
			continue;
		}
		const error = new NodeOperationError(ctx.getNode(), `Over budget: ${refusal}`, {
			itemIndex: entry.itemIndex,
			description: 'Raise the cap in Cost Control, or choose a cheaper model, duration, resolution or sample count.',
		});
		if (!ctx.continueOnFail()) throw error;
		result.push({ itemIndex: entry.itemIndex, error });
	}
	return { prepared: result, estimates, budget };
}

/** Adds each item's estimate to its output items (paired by input item). */
export function withEstimates(items: INodeExecutionData[], estimates: Map<number, CostEstimate>): INodeExecutionData[] {
	if (estimates.size === 0) return items;
	return items.map((item) => {
		const paired = item.pairedItem;
		const index = typeof paired === 'number' ? paired : Array.isArray(paired) ? paired[0]?.item : paired?.item;
		const estimate = index === undefined ? undefined : estimates.get(index);
		return estimate ? { ...item, json: { ...item.json, ...estimate } } : item;
	});
}
