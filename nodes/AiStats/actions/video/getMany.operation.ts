import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { listVideos } from '../../../shared/gateway';
import { ALL_STATUSES, jobToJson, type VideoJob } from '../../../shared/video';
import { forEachItem } from '../../helpers/items';
import { jobOutputOptions } from '../common.description';

const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 200 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Order',
				name: 'order',
				type: 'options',
				options: [
					{ name: 'Newest First', value: 'desc' },
					{ name: 'Oldest First', value: 'asc' },
				],
				default: 'desc',
				description: 'Sort order by creation time',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'multiOptions',
				options: ALL_STATUSES.map((status) => ({
					name: status.charAt(0).toUpperCase() + status.slice(1),
					value: status,
				})),
				default: [],
				description: 'Only return jobs in these states',
			},
		],
	},
	jobOutputOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['video'], operation: ['getMany'] } }, properties);

const PAGE_SIZE = 200;

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await forEachItem(this, async (itemIndex): Promise<IDataObject[]> => {
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number);
		const filters = this.getNodeParameter('filters', itemIndex, {}) as { order?: string; status?: string[] };
		const qs: IDataObject = { order: filters.order ?? 'desc' };
		if (filters.status?.length) qs.status = filters.status.join(',');

		const jobs: VideoJob[] = [];
		let after: string | undefined;
		// Cursor pagination: `after` is the last id of the previous page.
		while (jobs.length < limit) {
			const page = await listVideos(this, { ...qs, limit: Math.min(PAGE_SIZE, limit - jobs.length), ...(after ? { after } : {}) }, itemIndex);
			const data = Array.isArray(page.data) ? page.data : [];
			jobs.push(...data);
			const lastId = page.last_id ?? data[data.length - 1]?.id;
			if (!page.has_more || data.length === 0 || !lastId || lastId === after) break;
			after = lastId;
		}
		const { includeSignedLinks } = this.getNodeParameter('options', itemIndex, {}) as { includeSignedLinks?: boolean };
		return jobs.slice(0, limit).map((job) => jobToJson(job, includeSignedLinks === true));
	});
}
