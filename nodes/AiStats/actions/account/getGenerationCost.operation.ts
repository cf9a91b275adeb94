import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { getGeneration } from '../../../shared/gateway';
import { forEachItem } from '../../helpers/items';

const properties: INodeProperties[] = [
	{
		displayName: 'Request ID',
		name: 'requestId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.request_id }}',
		description: 'The request_id of a video job (in every Generate and Get output)',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['account'], operation: ['getGenerationCost'] } }, properties);

/** GET /generations?id=: what one request cost (null while it runs, 0 when it failed). */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await forEachItem(this, async (itemIndex): Promise<IDataObject> => {
		const requestId = String(this.getNodeParameter('requestId', itemIndex, '')).trim();
		if (!requestId) throw new NodeOperationError(this.getNode(), 'Request ID is empty', { itemIndex, description: 'Map the request_id of a video job.' });
		const generation = await getGeneration(this, requestId, itemIndex);
		const nanos = generation.cost_nanos;
		return {
			request_id: requestId,
			cost: nanos === null || nanos === undefined ? null : Number(nanos) / 1_000_000_000,
			cost_currency: String(generation.currency ?? 'USD').toUpperCase(),
			success: generation.success ?? null,
			model: generation.model_id ?? null,
			provider: generation.provider ?? null,
			generation,
		};
	});
}
