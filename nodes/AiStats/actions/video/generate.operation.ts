import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { asNodeError } from '../../../shared/errors';
import { createdItems } from '../../waiting/items';
import { parkBatch, planResume, pollInstead, releaseEndpoint } from '../../waiting/park';
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

	if (mode !== 'webhook') {
		const prepared = await prepareBodies(this);
		const created = await createJobs(this, prepared, wait.concurrency);
		if (mode === 'none') return createdItems(created, wait.includeSignedLinks);
		return await pollBatch(this, created, wait);
	}

	// The plan registers this wait's endpoint (management key): removed again on any failure here.
	const plan = await planResume(this, wait);
	try {
		const prepared = await prepareBodies(this, plan.webhook);
		// Failures are decided below: an inline callback the gateway refuses is created again without it.
		const first = await createJobs(this, prepared, wait.concurrency, true);
		const { created, refused } = await createAgainWithoutWebhook(this, prepared, first, wait.concurrency);
		throwFirstCreateFailure(this, created);
		if (refused) {
			await releaseEndpoint(this, plan);
			return await pollInstead(this, created, wait, plan.noEndpointReason ?? 'The gateway refused the callback, so Generate waited by polling.');
		}
		return await parkBatch(this, created, wait, plan);
	} catch (error) {
		await releaseEndpoint(this, plan);
		throw asNodeError(this.getNode(), error);
	}
}
