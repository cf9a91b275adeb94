import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as getCredits from './account/getCredits.operation';
import * as getGenerationCost from './account/getGenerationCost.operation';
import * as getManyModels from './model/getMany.operation';
import * as deleteVideo from './video/delete.operation';
import * as downloadVideo from './video/download.operation';
import * as estimateCost from './video/estimateCost.operation';
import * as generateVideo from './video/generate.operation';
import * as getVideo from './video/get.operation';
import * as getDownloadLink from './video/getDownloadLink.operation';
import * as getManyVideos from './video/getMany.operation';

type Operation = (this: IExecuteFunctions) => Promise<INodeExecutionData[]>;

const operations: Record<string, Record<string, Operation>> = {
	video: {
		delete: deleteVideo.execute,
		download: downloadVideo.execute,
		estimateCost: estimateCost.execute,
		generate: generateVideo.execute,
		get: getVideo.execute,
		getDownloadLink: getDownloadLink.execute,
		getMany: getManyVideos.execute,
	},
	model: {
		getMany: getManyModels.execute,
	},
	account: {
		getCredits: getCredits.execute,
		getGenerationCost: getGenerationCost.execute,
	},
};

/** Dispatches to the module of the chosen resource and operation. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const run = operations[resource]?.[operation];
	if (!run) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported for "${resource}"`);
	}
	return [await run.call(this)];
}
