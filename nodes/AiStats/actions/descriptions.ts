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
	// An agent's tool description is the chosen operation's `action` + " in AI Stats" (n8n's
	// default), so each action says what the operation costs and takes, in words only (the lint
	// wants actions in sentence case: no punctuation).
	options: [
		{
			name: 'Delete',
			value: 'delete',
			description: 'Delete a finished video job (free, takes seconds)',
			action: 'Delete a finished video at no cost',
		},
		{
			name: 'Download',
			value: 'download',
			description: 'Download a finished video as binary data (free, takes as long as the file)',
			action: 'Download a finished video as a file at no cost',
		},
		{
			name: 'Estimate Cost',
			value: 'estimateCost',
			description: 'Ask the gateway what a Generate request would cost, without creating anything (free, takes seconds)',
			action: 'Estimate what a video would cost at no cost',
		},
		{
			name: 'Generate',
			value: 'generate',
			description: 'Create a video from a prompt (paid per video second; the video takes minutes) and optionally wait for it',
			action: 'Generate a video billed per second of video that takes minutes to make',
		},
		{
			name: 'Get',
			value: 'get',
			description: 'Get the status, progress and cost of a video job (free, takes seconds)',
			action: 'Get the status and cost of a video at no cost',
		},
		{
			name: 'Get Download Link',
			value: 'getDownloadLink',
			description: 'Get a short-lived signed link that downloads the video without a key (free, takes seconds)',
			action: 'Get a download link for a completed video at no cost',
		},
		{ name: 'Get Many', value: 'getMany', description: 'List recent video jobs (free, takes seconds)', action: 'Get many videos' },
	],
	default: 'generate',
};

const modelOperation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['model'] } },
	options: [{ name: 'Get Many', value: 'getMany', description: 'List the active video models (free, takes seconds)', action: 'Get many models' }],
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
