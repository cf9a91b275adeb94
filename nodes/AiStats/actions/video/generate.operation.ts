import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { asNodeError } from '../../../shared/errors';
import { createBatch, reportingJobs } from '../../creating/runner';
import { createdItems } from '../../waiting/items';
import { parkBatch, planResume, pollInstead, releaseEndpoint } from '../../waiting/park';
import { pollBatch } from '../../waiting/poll';
import { readWaitSettings } from '../../waiting/settings';
import { catalogueLoader, prepareBodies } from './generate/bodies';
import { applyCostControls, withEstimates } from './generate/budget';
import { fallbackWaiter } from './generate/fallback';
import { costControlProperties } from './generate/costControl.description';
import { inlineWebhookSender, jobSender } from './generate/create';
import { generateProperties } from './generate/description';
import type { WaitMode } from './generate/itemSettings';
import { generateForAgent, isToolRun } from './toolMode';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['generate'] } },
	[...generateProperties, ...costControlProperties],
);

/**
 * Generate: read the settings → build and check every item's body → create the jobs (creating/:
 * a failure stops what has not been sent; a retried node picks up its jobs) → return them (Don't
 * Wait), poll them here (Poll), or park the execution until the gateway's callbacks resume it
 * (Webhook (Resume), see waiting/resume.ts) → items. A failure after the creates names every job. Run by an AI Agent, it returns the created jobs
 * in the agent's shape instead (toolMode.ts).
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const wait = readWaitSettings(this);
	// An agent's tool call: create once and answer at once, whatever Wait for Completion says.
	if (isToolRun(this)) return await generateForAgent(this, await prepareBodies(this), wait.concurrency);
	const mode = this.getNodeParameter('waitForCompletion', 0, 'poll') as WaitMode;
	const catalogue = catalogueLoader(this);

	if (mode !== 'webhook') {
		const costs = await applyCostControls(this, await prepareBodies(this, undefined, catalogue), catalogue);
		const { prepared } = costs;
		const created = await createBatch(this, prepared, { concurrency: wait.concurrency, send: jobSender(this) });
		if (mode === 'none') return withEstimates(createdItems(created, wait.includeSignedLinks), costs.estimates);
		const fallback = fallbackWaiter(this, prepared, catalogue, costs.budget, costs.estimates);
		return await reportingJobs(created, async () => withEstimates(await pollBatch(this, created, wait, fallback), costs.estimates));
	}

	// The plan registers this wait's endpoint (management key): removed again on any failure here.
	const plan = await planResume(this, wait);
	try {
		const { prepared } = await applyCostControls(this, await prepareBodies(this, plan.webhook, catalogue), catalogue);
		const webhook = inlineWebhookSender(this);
		const created = await createBatch(this, prepared, { concurrency: wait.concurrency, send: webhook.send });
		return await reportingJobs(created, async () => {
			if (!webhook.refused()) return await parkBatch(this, created, wait, plan);
			await releaseEndpoint(this, plan);
			return await pollInstead(this, created, wait, plan.noEndpointReason ?? 'The gateway refused the callback, so Generate waited by polling.');
		});
	} catch (error) {
		await releaseEndpoint(this, plan);
		throw asNodeError(this.getNode(), error);
	}
}
