import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { getVideo, streamVideoContent } from '../../../shared/gateway';
import { downloadIdleTimeoutOption, idleTimeoutMs, verifyChecksumOption } from '../../../shared/download.description';
import { noRetryPolicy } from '../../../shared/retry';
import type { StreamResponse } from '../../../shared/transport';
import { normalizeStatus } from '../../../shared/video';
import { forEachItem } from '../../helpers/items';
import { getVideoId } from '../../helpers/parameters';
import { videoItems } from '../../helpers/videoItems';
import { includeSignedLinksOption, multipleOutputsOption, videoIdLocator } from '../common.description';

const properties: INodeProperties[] = [
	videoIdLocator,
	{
		displayName: 'Outputs',
		name: 'outputs',
		type: 'options',
		options: [
			{ name: 'All Outputs', value: 'all', description: 'Every sample of a multi-sample job' },
			{ name: 'One Output', value: 'single', description: 'The sample at a given index' },
		],
		default: 'single',
	},
	{
		displayName: 'Output Index',
		name: 'index',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 3 },
		default: 0,
		description: 'Which sample to download (0 is the first)',
		displayOptions: { show: { outputs: ['single'] } },
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the output binary field to put the file in',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			downloadIdleTimeoutOption,
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				placeholder: 'e.g. my-video.mp4',
				description: 'Name of the file; by default &lt;video ID&gt;.mp4 (or &lt;video ID&gt;-&lt;index&gt;.mp4 for extra samples)',
			},
			includeSignedLinksOption,
			multipleOutputsOption('With "All Outputs": one item per file, or one item with a binary field per file'),
			verifyChecksumOption,
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['video'], operation: ['download'] } }, properties);

function discardOpened(opened: Promise<StreamResponse | undefined> | undefined): void {
	void opened?.then((response) => response?.body.destroy?.());
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await forEachItem(this, async (itemIndex) => {
		const videoId = getVideoId(this, itemIndex);
		const outputs = this.getNodeParameter('outputs', itemIndex, 'single') as string;
		const index = this.getNodeParameter('index', itemIndex, 0) as number;
		const binaryPropertyName = this.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string;
		const options = this.getNodeParameter('options', itemIndex, {}) as {
			fileName?: string;
			layout?: 'separateItems' | 'oneItem';
			verifyChecksum?: boolean;
			downloadIdleTimeout?: number;
			includeSignedLinks?: boolean;
		};
		if (outputs === 'single' && (!Number.isInteger(index) || index < 0)) {
			throw new NodeOperationError(this.getNode(), `Output Index must be a whole number of 0 or more (got ${index})`, { itemIndex });
		}
		const idleTimeout = idleTimeoutMs(options.downloadIdleTimeout);
		// One output: request the file while the job is read (a finished job is the usual case), so
		// the two round trips overlap. Not retried here: a failure is retried after the job read.
		const opened =
			outputs === 'single'
				? streamVideoContent(this, videoId, index > 0 ? index : undefined, itemIndex, { idleTimeoutMs: idleTimeout, retry: noRetryPolicy }).catch(
						() => undefined,
					)
				: undefined;
		const job = await getVideo(this, videoId, itemIndex).catch((error: unknown) => {
			discardOpened(opened);
			throw error;
		});
		const status = normalizeStatus(job.status);
		if (status !== 'completed') {
			discardOpened(opened);
			throw new NodeOperationError(this.getNode(), `Video ${videoId} is ${status}, not completed: nothing to download yet`, {
				itemIndex,
				description:
					status === 'queued' || status === 'processing'
						? 'Use Generate with "Wait for Completion", or run Download after the job completes.'
						: 'The job ended without a video.',
			});
		}
		return await videoItems(this, job, {
			binaryPropertyName,
			outputs: outputs === 'all' ? 'all' : index,
			layout: options.layout ?? 'separateItems',
			fileName: options.fileName?.trim() || undefined,
			verifyChecksum: options.verifyChecksum ?? true,
			idleTimeoutMs: idleTimeout,
			opened: opened && { index, response: opened },
			keepSignedLinks: options.includeSignedLinks === true,
			itemIndex,
		});
	});
}
