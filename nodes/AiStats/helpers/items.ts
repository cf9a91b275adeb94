import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { asNodeError, errorItemFields } from '../../shared/errors';
import { ExecutionCancelledError } from '../../shared/wait';

/** Wraps plain results as output items paired with the input item they came from. */
export function pairedItems(itemIndex: number, results: IDataObject | IDataObject[] | INodeExecutionData[]): INodeExecutionData[] {
	const list = Array.isArray(results) ? results : [results];
	return list.map((entry) => {
		const isItem = typeof entry === 'object' && entry !== null && 'json' in entry && typeof entry.json === 'object';
		const item = (isItem ? entry : { json: entry }) as INodeExecutionData;
		return { ...item, pairedItem: { item: itemIndex } };
	});
}

/** The item a failed input becomes when "Continue On Fail" is on. */
export function errorItem(itemIndex: number, error: Error): INodeExecutionData {
	return { json: errorItemFields(error), pairedItem: { item: itemIndex } };
}

/** Cancellation is not a per-item failure: the whole execution stops. */
export function rethrowIfCancelled(ctx: Pick<IExecuteFunctions, 'getNode'>, error: unknown): void {
	if (error instanceof ExecutionCancelledError) throw asNodeError(ctx.getNode(), error);
}

/**
 * Runs `run` for each input item. A failing item becomes an error item when "Continue On Fail"
 * is on; otherwise the error stops the node, tagged with the item index.
 */
export async function forEachItem(
	ctx: IExecuteFunctions,
	run: (itemIndex: number) => Promise<IDataObject | IDataObject[] | INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			output.push(...pairedItems(itemIndex, await run(itemIndex)));
		} catch (error) {
			rethrowIfCancelled(ctx, error);
			if (ctx.continueOnFail()) {
				output.push(errorItem(itemIndex, error as Error));
				continue;
			}
			const failure = asNodeError(ctx.getNode(), error, itemIndex);
			failure.context.itemIndex ??= itemIndex;
			throw failure;
		}
	}
	return output;
}
