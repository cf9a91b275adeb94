import type { IBinaryData, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readWebhookSecret } from '../../../../shared/credentials';
import { isPrivateHost, redactUrl } from '../../../../shared/urls';
import { toList } from '../../../helpers/parameters';
import type { GenerateInput, ReferenceInput } from './body';
import { readCreateFields } from './fields';

/** Reading Generate's fields for one input item: shared by every wait mode. */

export type WaitMode = 'none' | 'poll' | 'webhook';

interface ReferenceParameter {
	source?: 'url' | 'binary';
	binaryPropertyName?: string;
	url?: string;
	mediaType?: 'image' | 'video' | 'audio';
	role?: string;
	referenceType?: string;
}

const MEDIA_MIME_PREFIX: Record<ReferenceInput['media'], string> = { image: 'image/', video: 'video/', audio: 'audio/' };

/**
 * A binary of the input item as a URL the gateway can fetch: n8n's own signed link, valid for
 * `lifetimeMinutes`. The gateway only fetches public https URLs, so anything else is refused
 * here with what to configure, unless private URLs are explicitly allowed (self-hosted gateway).
 */
function signedBinaryUrl(
	ctx: IExecuteFunctions,
	itemIndex: number,
	reference: ReferenceParameter,
	position: number,
	lifetimeMinutes: number,
	allowPrivate: boolean,
): string {
	const field = `Input Reference ${position + 1}`;
	const property = (reference.binaryPropertyName ?? 'data').trim() || 'data';
	const media = reference.mediaType ?? 'image';
	const binary: IBinaryData = ctx.helpers.assertBinaryData(itemIndex, property);
	if (!binary.mimeType?.startsWith(MEDIA_MIME_PREFIX[media])) {
		throw new NodeOperationError(
			ctx.getNode(),
			`${field}: binary field "${property}" is ${binary.mimeType || 'of unknown type'}, but the reference is set to ${media}`,
			{ itemIndex, description: `Use a ${media} file (${MEDIA_MIME_PREFIX[media]}*) or change the reference's Media Type.` },
		);
	}
	if (!binary.id || typeof ctx.helpers.createBinarySignedUrl !== 'function') {
		throw new NodeOperationError(ctx.getNode(), `${field}: n8n cannot make a signed link for binary field "${property}"`, {
			itemIndex,
			description:
				'Signed links need binary data stored in filesystem or S3 mode (N8N_DEFAULT_BINARY_DATA_MODE=filesystem) and n8n 1.x or newer. Or upload the file elsewhere and pass its https URL.',
		});
	}
	const url = ctx.helpers.createBinarySignedUrl(binary, `${Math.ceil(lifetimeMinutes)}m`);
	let host = '';
	let protocol = '';
	try {
		({ hostname: host, protocol } = new URL(url));
	} catch {
		protocol = '';
	}
	if (!allowPrivate && (protocol !== 'https:' || isPrivateHost(host))) {
		throw new NodeOperationError(
			ctx.getNode(),
			`${field}: the gateway cannot fetch binary field "${property}" from ${redactUrl(url)}`,
			{
				itemIndex,
				description:
					'n8n signs links on its own public address, and the gateway only fetches public https URLs. Set n8n\'s WEBHOOK_URL (and N8N_EDITOR_BASE_URL) to its public https address, or pass the image as a URL (e.g. after uploading it to S3 or Drive).',
			},
		);
	}
	return url;
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

/** Reads one item's fields; `webhook` (the resume callback) replaces the item's Notify Webhook. */
export async function readItemSettings(
	ctx: IExecuteFunctions,
	itemIndex: number,
	webhook?: GenerateInput['webhook'],
): Promise<ItemSettings> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const routing = ctx.getNodeParameter('providerRouting', itemIndex, {}) as IDataObject;
	const referenceValues = ctx.getNodeParameter('inputReferences.reference', itemIndex, []) as ReferenceParameter[];
	const references: ReferenceInput[] = referenceValues.map((reference, position) => ({
		url:
			reference.source === 'binary'
				? signedBinaryUrl(ctx, itemIndex, reference, position, referenceLifetimeMinutes(ctx, itemIndex), options.allowPrivateReferenceUrls === true)
				: (reference.url ?? ''),
		media: reference.mediaType ?? 'image',
		role: reference.role || undefined,
		referenceType: reference.referenceType,
	}));
	const input: GenerateInput = {
		model: String(ctx.getNodeParameter('model', itemIndex, '', { extractValue: true }) ?? ''),
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
	if (!url) return undefined;
	return { url, secret: await readWebhookSecret(ctx), events: settings.events };
}

