import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { mapLimited } from '../../../shared/concurrency';
import { gatewayRequest } from '../../../shared/transport';
import type { VideoJob } from '../../../shared/video';
import { asNodeError } from '../../../shared/errors';
import { rethrowIfCancelled } from '../../helpers/items';
import { toList } from '../../helpers/parameters';
import { buildCreateBody, CreateRequestError, type GenerateInput, type ReferenceInput } from './createBody';

/** Reading Generate's fields and creating the jobs: shared by every wait mode. */

export type WaitMode = 'none' | 'poll' | 'webhook';

interface ReferenceParameter {
	url?: string;
	mediaType?: 'image' | 'video' | 'audio';
	role?: string;
	referenceType?: string;
}

/** Reads one item's fields into the input of buildCreateBody. */
export async function readGenerateInput(
	ctx: IExecuteFunctions,
	itemIndex: number,
	webhook?: GenerateInput['webhook'],
): Promise<GenerateInput> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const routing = ctx.getNodeParameter('providerRouting', itemIndex, {}) as IDataObject;
	const referenceValues = ctx.getNodeParameter('inputReferences.reference', itemIndex, []) as ReferenceParameter[];
	const references: ReferenceInput[] = referenceValues.map((reference) => ({
		url: reference.url ?? '',
		media: reference.mediaType ?? 'image',
		role: reference.role || undefined,
		referenceType: reference.referenceType,
	}));
	return {
		model: String(ctx.getNodeParameter('model', itemIndex, '', { extractValue: true }) ?? ''),
		prompt: ctx.getNodeParameter('prompt', itemIndex, '') as string,
		duration: options.duration,
		size: options.size as string | undefined,
		resolution: options.resolution as string | undefined,
		aspectRatio: options.aspectRatio as string | undefined,
		seed: options.seed,
		sampleCount: options.sampleCount,
		negativePrompt: options.negativePrompt as string | undefined,
		generateAudio: options.generateAudio as boolean | undefined,
		enhancePrompt: options.enhancePrompt as boolean | undefined,
		compressionQuality: options.compressionQuality,
		personGeneration: options.personGeneration as string | undefined,
		resizeMode: options.resizeMode as string | undefined,
		providerParams: options.providerParams,
		outputAccess: options.outputAccess as string | undefined,
		references,
		providerOrder: toList(routing.order),
		providerOnly: toList(routing.only),
		providerIgnore: toList(routing.ignore),
		includeAlphaProviders: routing.includeAlpha as boolean | undefined,
		webhook: webhook ?? (await notifyWebhook(ctx, itemIndex)),
	};
}

/** The optional "Notify Webhook" of the Don't Wait / Poll modes. */
async function notifyWebhook(ctx: IExecuteFunctions, itemIndex: number): Promise<GenerateInput['webhook']> {
	const mode = ctx.getNodeParameter('waitForCompletion', itemIndex, 'poll') as WaitMode;
	if (mode === 'webhook') return undefined;
	const settings = ctx.getNodeParameter('notifyWebhook', itemIndex, {}) as { url?: string; endpointId?: string; events?: string[] };
	const url = settings.url?.trim();
	const endpointId = settings.endpointId?.trim();
	if (url && endpointId) {
		throw new NodeOperationError(ctx.getNode(), 'Notify Webhook: set either URL or Endpoint ID, not both', { itemIndex });
	}
	if (endpointId) return { endpointId, events: settings.events };
	if (!url) return undefined;
	const credentials = await ctx.getCredentials('aiStatsApi');
	return { url, secret: String(credentials.webhookSecret ?? ''), events: settings.events };
}

/** Per input item: the request body, or why it cannot be sent. */
export type PreparedItem = { itemIndex: number; body: IDataObject } | { itemIndex: number; error: Error };

export async function prepareBodies(
	ctx: IExecuteFunctions,
	webhookFor?: (itemIndex: number) => GenerateInput['webhook'],
): Promise<PreparedItem[]> {
	const prepared: PreparedItem[] = [];
	for (let itemIndex = 0; itemIndex < ctx.getInputData().length; itemIndex++) {
		try {
			const input = await readGenerateInput(ctx, itemIndex, webhookFor?.(itemIndex));
			prepared.push({ itemIndex, body: buildCreateBody(input) });
		} catch (error) {
			const failure =
				error instanceof CreateRequestError
					? new NodeOperationError(ctx.getNode(), `Invalid ${error.problems[0].field}: ${error.problems[0].field} ${error.problems[0].message}`, {
							itemIndex,
							description: error.problems.map((problem) => `${problem.field} ${problem.message}`).join('\n'),
						})
					: (error as Error);
			if (!ctx.continueOnFail()) throw failure;
			prepared.push({ itemIndex, error: failure });
		}
	}
	return prepared;
}

export async function createJob(ctx: IExecuteFunctions, body: IDataObject, itemIndex: number): Promise<VideoJob> {
	return await gatewayRequest<VideoJob>(ctx, { method: 'POST', path: '/videos', body, retry: 'create', itemIndex });
}

export type CreatedItem = { itemIndex: number; job: VideoJob } | { itemIndex: number; error: Error };

/** Creates every valid item's job (bounded concurrency), keeping failures per item. */
export async function createJobs(ctx: IExecuteFunctions, prepared: PreparedItem[], concurrency: number): Promise<CreatedItem[]> {
	return await mapLimited(prepared, concurrency, async (entry): Promise<CreatedItem> => {
		if ('error' in entry) return entry;
		try {
			return { itemIndex: entry.itemIndex, job: await createJob(ctx, entry.body, entry.itemIndex) };
		} catch (error) {
			rethrowIfCancelled(ctx, error);
			if (!ctx.continueOnFail()) throw asNodeError(ctx.getNode(), error, entry.itemIndex);
			return { itemIndex: entry.itemIndex, error: error as Error };
		}
	});
}
