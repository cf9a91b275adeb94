import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { errorItem, pairedItems } from '../../helpers/items';
import { catalogueLoader, prepareBodies } from './generate/bodies';
import { generateProperties } from './generate/description';
import { estimateBody } from './generate/estimate';

/** The request fields of Generate that decide a price; the same parameters, so a workflow can switch operation. */
const PRICED_FIELDS = ['model', 'prompt', 'options', 'providerRouting'];

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['estimateCost'] } },
	generateProperties.filter((property) => PRICED_FIELDS.includes(property.name)),
);

/**
 * Estimate Cost: each item's Generate request is built and checked exactly as Generate would,
 * then priced by the gateway's pricing route. Nothing is created.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const catalogue = catalogueLoader(this);
	const prepared = await prepareBodies(this, undefined, catalogue);
	const output: INodeExecutionData[] = [];
	for (const entry of prepared) {
		if ('error' in entry) {
			output.push(errorItem(entry.itemIndex, entry.error));
			continue;
		}
		const model = (await catalogue())?.find((candidate) => candidate.model === entry.body.model);
		const estimate = await estimateBody(this, entry.body, model, entry.itemIndex);
		output.push(...pairedItems(entry.itemIndex, { model: entry.body.model as string, ...estimate }));
	}
	return output;
}
