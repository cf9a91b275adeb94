import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { createDownloadUrl } from '../../../shared/gateway';
import { forEachItem } from '../../helpers/items';
import { getVideoId } from '../../helpers/parameters';
import { videoIdLocator } from '../common.description';

const properties: INodeProperties[] = [
	videoIdLocator,
	{
		displayName: 'Output Index',
		name: 'index',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 3 },
		default: 0,
		description: 'Which sample of a multi-sample job (0 is the first)',
	},
	{
		displayName: 'Link Lifetime (Seconds)',
		name: 'ttlSeconds',
		type: 'number',
		typeOptions: { minValue: 60, maxValue: 3600 },
		default: 900,
		description: 'How long the link works, from 60 to 3600 seconds',
	},
	{
		displayName: 'Disposition',
		name: 'disposition',
		type: 'options',
		options: [
			{ name: 'Attachment (Download)', value: 'attachment' },
			{ name: 'Inline (Play in Browser)', value: 'inline' },
		],
		default: 'attachment',
		description: 'How a browser opening the link treats the file',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['getDownloadLink'] } },
	properties,
);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await forEachItem(this, async (itemIndex): Promise<IDataObject> => {
		const videoId = getVideoId(this, itemIndex);
		const index = this.getNodeParameter('index', itemIndex, 0) as number;
		const ttlSeconds = this.getNodeParameter('ttlSeconds', itemIndex, 900) as number;
		const disposition = this.getNodeParameter('disposition', itemIndex, 'attachment') as string;
		if (!Number.isInteger(index) || index < 0) {
			throw new NodeOperationError(this.getNode(), `Output Index must be a whole number of 0 or more (got ${index})`, { itemIndex });
		}
		if (!Number.isInteger(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > 3600) {
			throw new NodeOperationError(
				this.getNode(),
				`Link Lifetime must be a whole number of seconds from 60 to 3600 (got ${ttlSeconds})`,
				{ itemIndex },
			);
		}
		const link = await createDownloadUrl(this, videoId, { index, ttl_seconds: ttlSeconds, disposition }, itemIndex);
		const expiresAt = typeof link.expires_at === 'number' ? link.expires_at : Number(link.expires_at);
		return {
			video_id: videoId,
			index,
			download_url: link.download_url,
			expires_at: Number.isFinite(expiresAt) ? expiresAt : null,
			expires_at_iso: Number.isFinite(expiresAt) ? new Date(expiresAt * 1000).toISOString() : null,
			disposition,
		};
	});
}
