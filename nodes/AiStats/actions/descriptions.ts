import type { INodeProperties } from 'n8n-workflow';

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

const resource: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Account', value: 'account' },
		{ name: 'Model', value: 'model' },
		{ name: 'Video', value: 'video' },
	],
	default: 'video',
};

const videoOperation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['video'] } },
	options: [
		{ name: 'Delete', value: 'delete', description: 'Delete a finished video job', action: 'Delete a video' },
		{ name: 'Download', value: 'download', description: 'Download a finished video as binary data', action: 'Download a video' },
		{
			name: 'Estimate Cost',
			value: 'estimateCost',
			description: 'Ask the gateway what a Generate request would cost, without creating anything',
			action: 'Estimate the cost of a video',
		},
		{ name: 'Generate', value: 'generate', description: 'Create a video from a prompt (and optionally wait for it)', action: 'Generate a video' },
		{ name: 'Get', value: 'get', description: 'Get the status of a video job', action: 'Get a video' },
		{
			name: 'Get Download Link',
			value: 'getDownloadLink',
			description: 'Get a short-lived signed link that downloads the video without a key',
			action: 'Get a video download link',
		},
		{ name: 'Get Many', value: 'getMany', description: 'List recent video jobs', action: 'Get many videos' },
	],
	default: 'generate',
};

const modelOperation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['model'] } },
	options: [{ name: 'Get Many', value: 'getMany', description: 'List the active video models', action: 'Get many models' }],
	default: 'getMany',
};

const accountOperation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['account'] } },
	options: [
		{ name: 'Get Credits', value: 'getCredits', description: 'Get the workspace balance (needs the management key)', action: 'Get credits' },
		{ name: 'Get Generation Cost', value: 'getGenerationCost', description: 'Get what one request cost, by its request ID', action: 'Get the cost of a generation' },
	],
	default: 'getCredits',
};

export const properties: INodeProperties[] = [
	resource,
	videoOperation,
	modelOperation,
	accountOperation,
	...generateVideo.description,
	...getVideo.description,
	...getManyVideos.description,
	...downloadVideo.description,
	...getDownloadLink.description,
	...deleteVideo.description,
	...getManyModels.description,
	...estimateCost.description,
	...getCredits.description,
	...getGenerationCost.description,
];
