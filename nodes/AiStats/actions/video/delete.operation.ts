import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { deleteVideo } from '../../../shared/gateway';
import { forEachItem } from '../../helpers/items';
import { getVideoId } from '../../helpers/parameters';
import { videoIdLocator } from '../common.description';

const properties: INodeProperties[] = [
	{
		...videoIdLocator,
		description: 'The video job to delete. Only finished jobs (completed, failed, cancelled, expired) can be deleted.',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['video'], operation: ['delete'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await forEachItem(this, async (itemIndex): Promise<IDataObject> => {
		const videoId = getVideoId(this, itemIndex);
		const result = await deleteVideo(this, videoId, itemIndex);
		return { id: videoId, deleted: true, ...result };
	});
}
