import type { IDataObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import { idleTimeoutMs } from '../../shared/download.description';
import { DEFAULT_TOLERANCE_SECONDS } from '../../shared/signature';

/** How Generate waits and what it outputs once a job ends: read once, for the batch. */
export interface WaitSettings {
	concurrency: number;
	maxWaitMs: number;
	pollIntervalSeconds?: number;
	downloadVideo: boolean;
	binaryPropertyName: string;
	onJobFailure: 'error' | 'output';
	layout: 'separateItems' | 'oneItem';
	verifyChecksum: boolean;
	downloadIdleTimeoutMs?: number;
	includeSignedLinks: boolean;
	/** Webhook (Resume): refuse callbacks signed further than this from now (as the trigger). */
	toleranceSeconds: number;
}

/** Generate (execute) and its resume webhook: the two places a wait finishes. */
export type WaitContext = IExecuteFunctions | IWebhookFunctions;

/** Node parameters of the first item; the webhook context has no item index. */
function parameter(ctx: WaitContext, name: string, fallback: unknown): unknown {
	return 'getInputData' in ctx
		? (ctx as IExecuteFunctions).getNodeParameter(name, 0, fallback)
		: (ctx as IWebhookFunctions).getNodeParameter(name, fallback);
}

export function continuesOnFail(ctx: WaitContext): boolean {
	if ('continueOnFail' in ctx && typeof ctx.continueOnFail === 'function') return ctx.continueOnFail();
	const node = ctx.getNode();
	return node.continueOnFail === true || node.onError === 'continueRegularOutput' || node.onError === 'continueErrorOutput';
}

export function readWaitSettings(ctx: WaitContext): WaitSettings {
	const options = parameter(ctx, 'waitOptions', {}) as IDataObject;
	const maxWaitMinutes = Number(options.maxWaitMinutes ?? 30);
	const pollInterval = Number(options.pollIntervalSeconds ?? 0);
	return {
		concurrency: Math.min(50, Math.max(1, Math.floor(Number(options.concurrency ?? 10)))),
		maxWaitMs: Math.max(3, (Number.isFinite(maxWaitMinutes) ? maxWaitMinutes : 30) * 60) * 1000,
		pollIntervalSeconds: Number.isFinite(pollInterval) && pollInterval > 0 ? pollInterval : undefined,
		downloadVideo: parameter(ctx, 'downloadVideo', true) as boolean,
		binaryPropertyName: (parameter(ctx, 'binaryPropertyName', 'data') as string) || 'data',
		onJobFailure: parameter(ctx, 'onJobFailure', ctx.getNode().typeVersion >= 2 ? 'output' : 'error') as 'error' | 'output',
		layout: (options.layout as 'separateItems' | 'oneItem') ?? 'separateItems',
		verifyChecksum: options.verifyChecksum !== false,
		downloadIdleTimeoutMs: idleTimeoutMs(options.downloadIdleTimeout),
		includeSignedLinks: (parameter(ctx, 'options', {}) as IDataObject).includeSignedLinks === true,
		toleranceSeconds: Number(options.toleranceSeconds) > 0 ? Number(options.toleranceSeconds) : DEFAULT_TOLERANCE_SECONDS,
	};
}
