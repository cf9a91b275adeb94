import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { GatewayApiError } from '../../../shared/errors';
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
		try {
			const result = await deleteVideo(this, videoId, itemIndex);
			return { id: videoId, deleted: true, ...result };
		} catch (error) {
			throw providerDeleteError(this, videoId, error, itemIndex);
		}
	});
}

/**
 * For OpenAI jobs the gateway asks the provider to delete first and passes the provider's own
 * error through (not the gateway's envelope): say so, and that the job was not deleted.
 */
function providerDeleteError(ctx: IExecuteFunctions, videoId: string, error: unknown, itemIndex: number): unknown {
	if (!(error instanceof GatewayApiError) || !error.gateway.fromProvider) return error;
	const info = error.gateway;
	const what = info.httpStatus === 404 ? 'no longer has this video' : `answered ${info.httpStatus}`;
	return new GatewayApiError(
		ctx.getNode(),
		{
			...info,
			hint: 'The gateway deletes OpenAI videos at the provider first, and stops when the provider refuses: the job was not deleted. Try again later, or leave it (videos are not stored by the gateway).',
		},
		itemIndex,
		`Could not delete video ${videoId}: the provider ${what}${info.message ? `: ${info.message}` : ''}`,
	);
}
