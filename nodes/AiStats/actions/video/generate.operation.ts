import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { jobToJson } from '../../../shared/video';
import { errorItem, pairedItems } from '../../helpers/items';
import { finishJobs, readWaitSettings } from '../../waiting/outcomes';
import { startResumeWait } from '../../waiting/resume';
import { generateProperties } from './generate.description';
import { createJobs, prepareBodies, type WaitMode } from './generate.jobs';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['generate'] } },
	generateProperties,
);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const mode = this.getNodeParameter('waitForCompletion', 0, 'poll') as WaitMode;
	if (mode === 'webhook') return await startResumeWait(this);

	const settings = readWaitSettings(this);
	const prepared = await prepareBodies(this);
	const created = await createJobs(this, prepared, settings.concurrency);
	if (mode === 'none') {
		return created.flatMap((entry) =>
			'error' in entry ? [errorItem(entry.itemIndex, entry.error)] : pairedItems(entry.itemIndex, jobToJson(entry.job, settings.includeSignedLinks)),
		);
	}
	return await finishJobs(this, created, settings);
}
