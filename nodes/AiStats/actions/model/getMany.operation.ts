import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { listModels } from '../../../shared/gateway';
import { forEachItem } from '../../helpers/items';
import { toList } from '../../helpers/parameters';

const properties: INodeProperties[] = [
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Supported Parameters',
				name: 'params',
				type: 'string',
				default: '',
				placeholder: 'e.g. duration, generate_audio',
				description: 'Only models that support all of these request parameters (comma-separated)',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['model'], operation: ['getMany'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await forEachItem(this, async (itemIndex): Promise<IDataObject[]> => {
		const filters = this.getNodeParameter('filters', itemIndex, {}) as { params?: string };
		const list = await listModels(this, toList(filters.params), itemIndex);
		return Array.isArray(list.data) ? list.data : [];
	});
}
