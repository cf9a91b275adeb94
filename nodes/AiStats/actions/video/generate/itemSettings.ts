import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readWebhookSecret } from '../../../../shared/credentials';
import type { ModelEntry } from '../../../../shared/gateway';
import { toList } from '../../../helpers/parameters';
import type { GenerateInput, ReferenceInput } from './body';
import { binaryReference, type BinaryReferenceParameter } from './binaryReference';
import { readCreateFields } from './fields';

/** Reading Generate's fields for one input item: shared by every wait mode. */

export type WaitMode = 'none' | 'poll' | 'webhook';

interface ReferenceParameter extends BinaryReferenceParameter {
	source?: 'url' | 'binary';
	url?: string;
	referenceType?: string;
}

/** How long a binary reference's signed link must live: the whole wait, with a margin. */
function referenceLifetimeMinutes(ctx: IExecuteFunctions, itemIndex: number): number {
	const mode = ctx.getNodeParameter('waitForCompletion', itemIndex, 'poll') as WaitMode;
	if (mode === 'none') return 24 * 60;
	const waitOptions = ctx.getNodeParameter('waitOptions', itemIndex, {}) as IDataObject;
	const maxWaitMinutes = Number(waitOptions.maxWaitMinutes ?? 30);
	return (Number.isFinite(maxWaitMinutes) && maxWaitMinutes > 0 ? maxWaitMinutes : 30) + 60;
}

/** One input item's settings, read once: the input of buildCreateBody and whether to check it against the model. */
export interface ItemSettings {
	itemIndex: number;
	input: GenerateInput;
	checkModel: boolean;
}

/** The model catalogue when it can be had (once per execution), else undefined. */
export type CatalogueLoader = () => Promise<ModelEntry[] | undefined>;

async function readReferences(
	ctx: IExecuteFunctions,
	itemIndex: number,
	model: string,
	allowPrivate: boolean,
	catalogue: CatalogueLoader | undefined,
): Promise<ReferenceInput[]> {
	const values = ctx.getNodeParameter('inputReferences.reference', itemIndex, []) as ReferenceParameter[];
	const references: ReferenceInput[] = [];
	for (const [position, reference] of values.entries()) {
		const common = { media: reference.mediaType ?? 'image', role: reference.role || undefined, referenceType: reference.referenceType };
		if (reference.source !== 'binary') {
			references.push({ ...common, url: reference.url ?? '' });
			continue;
		}
		const entry = (reference.delivery ?? 'auto') === 'auto' ? (await catalogue?.())?.find((candidate) => candidate.model === model) : undefined;
		const delivered = await binaryReference(ctx, itemIndex, reference, position, {
			model,
			entry,
			inlineTaken: references.some((earlier) => earlier.inline !== undefined),
			lifetimeMinutes: referenceLifetimeMinutes(ctx, itemIndex),
			allowPrivate,
		});
		references.push({ ...common, ...delivered });
	}
	return references;
}

/** Reads one item's fields; `webhook` (the resume callback) replaces the item's Notify Webhook. */
export async function readItemSettings(
	ctx: IExecuteFunctions,
	itemIndex: number,
	webhook?: GenerateInput['webhook'],
	catalogue?: CatalogueLoader,
): Promise<ItemSettings> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const routing = ctx.getNodeParameter('providerRouting', itemIndex, {}) as IDataObject;
	const model = String(ctx.getNodeParameter('model', itemIndex, '', { extractValue: true }) ?? '');
	const references = await readReferences(ctx, itemIndex, model.trim(), options.allowPrivateReferenceUrls === true, catalogue);
	const input: GenerateInput = {
		model,
		prompt: ctx.getNodeParameter('prompt', itemIndex, '') as string,
		...readCreateFields(options),
		providerParams: options.providerParams,
		outputAccess: options.outputAccess as string | undefined,
		references,
		allowHttpReferences: options.allowPrivateReferenceUrls === true,
		providerOrder: toList(routing.order),
		providerOnly: toList(routing.only),
		providerIgnore: toList(routing.ignore),
		includeAlphaProviders: routing.includeAlpha as boolean | undefined,
		webhook: webhook ?? (await notifyWebhook(ctx, itemIndex)),
	};
	return { itemIndex, input, checkModel: options.checkModel !== false };
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
	if (!url && ('endpointId' in settings || 'url' in settings)) {
		// Added but blank (often an expression that resolved to nothing): no silent job without its callback.
		const field = 'endpointId' in settings ? 'Endpoint ID' : 'URL';
		throw new NodeOperationError(ctx.getNode(), `Notify Webhook → ${field} is empty`, {
			itemIndex,
			description: `Enter the ${field} (or remove the option). If it is an expression, it resolved to nothing for item ${itemIndex}.`,
		});
	}
	if (!url) return undefined;
	return { url, secret: await readWebhookSecret(ctx), events: settings.events };
}

