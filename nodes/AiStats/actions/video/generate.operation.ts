import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { createdItems } from '../../waiting/items';
import { parkBatch, resumeCallback } from '../../waiting/park';
import { pollBatch } from '../../waiting/poll';
import { readWaitSettings } from '../../waiting/settings';
import { prepareBodies } from './generate/bodies';
import { createAgainWithoutWebhook, createJobs, throwFirstCreateFailure } from './generate/create';
import { generateProperties } from './generate/description';
import type { WaitMode } from './generate/itemSettings';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['generate'] } },
	generateProperties,
);

/**
 * Generate: read the settings → build and check every item's body → create the jobs → return
 * them (Don't Wait), poll them here (Poll), or park the execution until the gateway's callbacks
 * resume it (Webhook (Resume), see waiting/resume.ts) → items.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const mode = this.getNodeParameter('waitForCompletion', 0, 'poll') as WaitMode;
	const wait = readWaitSettings(this);
	const callback = mode === 'webhook' ? await resumeCallback(this) : undefined;
	const prepared = await prepareBodies(this, callback);

	if (mode !== 'webhook') {
		const created = await createJobs(this, prepared, wait.concurrency);
		if (mode === 'none') return createdItems(created, wait.includeSignedLinks);
		return await pollBatch(this, created, wait);
	}

	// Failures are decided below: an inline callback the gateway refuses is created again without it.
	const first = await createJobs(this, prepared, wait.concurrency, true);
	const { created, refused } = await createAgainWithoutWebhook(this, prepared, first, wait.concurrency);
	throwFirstCreateFailure(this, created);
	if (refused) return await pollBatch(this, created, wait);
	return await parkBatch(this, created, wait);
}
