import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ModelEntry } from '../../../../shared/gateway';
import { buildCreateBody, type GenerateInput } from './body';
import { cachedCatalogue } from './catalogueCache';
import { CreateRequestError, type FieldProblem } from './problems';
import { readItemSettings } from './itemSettings';
import { checkAgainstModel } from './modelCheck';

/** Per input item: the request body, or why it cannot be sent. */
export type PreparedItem = { itemIndex: number; body: IDataObject } | { itemIndex: number; error: Error };

/** The model catalogue, read at most once per execution (and cached briefly across them); undefined when unavailable. */
export function catalogueLoader(ctx: IExecuteFunctions): () => Promise<ModelEntry[] | undefined> {
	let loading: Promise<ModelEntry[] | undefined> | undefined;
	return async () => {
		loading ??= cachedCatalogue(ctx).then(
			(entries): ModelEntry[] | undefined => entries,
			(error: Error) => {
				// The check is a courtesy: an unavailable catalogue never blocks a job.
				ctx.logger.warn('AI Stats: model catalogue unavailable, skipping the model check', { error: error.message });
				return undefined;
			},
		);
		return await loading;
	};
}

function problemsError(ctx: IExecuteFunctions, itemIndex: number, problems: FieldProblem[], model?: string): NodeOperationError {
	const [first] = problems;
	const title = model ? `Model ${model} cannot take this request` : `Invalid ${first.field}`;
	return new NodeOperationError(ctx.getNode(), `${title}: ${first.field} ${first.message}`, {
		itemIndex,
		description: problems.map((problem) => `${problem.field} ${problem.message}`).join('\n'),
	});
}

/**
 * Per input item: read its settings, build the body and check it (against the model catalogue
 * when asked), before any money is spent. Without Continue On Fail the first problem throws.
 */
export async function prepareBodies(
	ctx: IExecuteFunctions,
	callback?: GenerateInput['webhook'],
	catalogue = catalogueLoader(ctx),
): Promise<PreparedItem[]> {
	const prepared: PreparedItem[] = [];
	for (let itemIndex = 0; itemIndex < ctx.getInputData().length; itemIndex++) {
		try {
			const settings = await readItemSettings(ctx, itemIndex, callback, catalogue);
			const body = buildCreateBody(settings.input);
			if (settings.checkModel) {
				const entry = (await catalogue())?.find((model) => model.model === body.model);
				const problems = entry ? checkAgainstModel(body, entry) : [];
				if (problems.length > 0) throw problemsError(ctx, itemIndex, problems, entry?.model);
			}
			prepared.push({ itemIndex, body });
		} catch (error) {
			const failure = error instanceof CreateRequestError ? problemsError(ctx, itemIndex, error.problems) : (error as Error);
			if (!ctx.continueOnFail()) throw failure;
			prepared.push({ itemIndex, error: failure });
		}
	}
	return prepared;
}

