import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { getVideo } from '../../../shared/gateway';
import { jobToJson } from '../../../shared/video';
import { forEachItem } from '../../helpers/items';
import { getVideoId } from '../../helpers/parameters';
import { jobOutputOptions, videoIdLocator } from '../common.description';

const properties: INodeProperties[] = [
	videoIdLocator,
	jobOutputOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['video'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await forEachItem(this, async (itemIndex): Promise<IDataObject> => {
		const job = await getVideo(this, getVideoId(this, itemIndex), itemIndex);
		const options = this.getNodeParameter('options', itemIndex, {}) as { includeSignedLinks?: boolean };
		return jobToJson(job, options.includeSignedLinks === true);
	});
}
