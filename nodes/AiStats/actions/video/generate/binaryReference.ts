import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ModelEntry } from '../../../../shared/gateway';
import { isPrivateHost, redactUrl } from '../../../../shared/urls';
import type { ReferenceInput } from './body';
import { DATA_URL_IMAGE_LIMIT_BYTES, INLINE_IMAGE_LIMIT_BYTES, INLINE_IMAGE_TYPES, InlineImage, formatBytes, modelTakesInlineImages } from './inline';

/**
 * A binary of the input item as a reference: sent inline (images the model's providers take that
 * way) or as n8n's own signed link (which the gateway must be able to fetch). Every check happens
 * here, before anything is sent.
 */

export type ReferenceDelivery = 'auto' | 'inline' | 'link';

export interface BinaryReferenceParameter {
	binaryPropertyName?: string;
	mediaType?: ReferenceInput['media'];
	role?: string;
	delivery?: ReferenceDelivery;
}

export interface BinaryReferenceContext {
	model: string;
	/** The model's catalogue entry, when the catalogue is available. */
	entry: ModelEntry | undefined;
	/** Whether an earlier reference of the item already goes inline (the request takes one). */
	inlineTaken: boolean;
	lifetimeMinutes: number;
	allowPrivate: boolean;
}

const MEDIA_MIME_PREFIX: Record<ReferenceInput['media'], string> = { image: 'image/', video: 'video/', audio: 'audio/' };
/** The inline image is the first frame: other roles need a link. */
const INLINE_ROLES = ['', 'first_frame'];

/** Why a link cannot be used: the message and what to do about it. */
interface LinkProblem {
	problem: string;
	description: string;
}

/** The file's size from its metadata, without reading it. */
async function binarySize(ctx: IExecuteFunctions, binary: IBinaryData): Promise<number | undefined> {
	if (typeof binary.bytes === 'number') return binary.bytes;
	if (binary.id) {
		const metadata = await ctx.helpers.getBinaryMetadata(binary.id).catch(() => undefined);
		return typeof metadata?.fileSize === 'number' ? metadata.fileSize : undefined;
	}
	// In memory: base64 text, 3 bytes per 4 characters.
	const text = binary.data ?? '';
	return Math.floor((text.length * 3) / 4) - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
}

/** Why this file cannot go inline (undefined = it can). */
function inlineObstacle(
	binary: IBinaryData,
	reference: BinaryReferenceParameter,
	context: BinaryReferenceContext,
	size: number | undefined,
	forModel: boolean,
): string | undefined {
	const media = reference.mediaType ?? 'image';
	if (media !== 'image') return `only images are sent inline (this is ${media})`;
	if (context.inlineTaken) return 'the request takes one inline image, and an earlier reference already is one';
	if (!INLINE_ROLES.includes(reference.role ?? '')) return `an inline image is the first frame (this reference's role is ${reference.role})`;
	if (!(binary.mimeType in INLINE_IMAGE_TYPES)) {
		return `the file is ${binary.mimeType}; inline images must be ${Object.keys(INLINE_IMAGE_TYPES).join(', ')}`;
	}
	if (size === undefined) return 'n8n does not know the file\'s size';
	if (size > INLINE_IMAGE_LIMIT_BYTES) {
		return `the file is ${formatBytes(size)}, over the ${formatBytes(INLINE_IMAGE_LIMIT_BYTES)} inline limit (the gateway takes file uploads up to 32 MiB)`;
	}
	if (forModel) {
		const takes = modelTakesInlineImages(context.model, context.entry, size);
		if (!takes.ok) return takes.why;
	}
	return undefined;
}

function inlineImage(ctx: IExecuteFunctions, itemIndex: number, field: string, property: string, binary: IBinaryData, size: number): InlineImage {
	return new InlineImage(field, binary.mimeType, size, async () => await ctx.helpers.getBinaryDataBuffer(itemIndex, property));
}

/**
 * A production run started by a Form or Webhook trigger keeps the upload in a temporary place that
 * n8n moves when the execution ends or parks, which would break the link. A copy stored by this
 * node belongs to this execution and stays until the execution is deleted.
 */
async function binaryThatStays(ctx: IExecuteFunctions, binary: IBinaryData): Promise<IBinaryData> {
	const executionId = ctx.getExecutionId();
	if (!binary.id || (executionId && binary.id.includes(`/executions/${executionId}/binary_data/`))) return binary;
	const stream = await ctx.helpers.getBinaryStream(binary.id);
	return await ctx.helpers.prepareBinaryData(stream, binary.fileName, binary.mimeType);
}

/** n8n's signed link to the file, or why the gateway could not fetch it. */
async function signedLink(
	ctx: IExecuteFunctions,
	binary: IBinaryData,
	property: string,
	context: BinaryReferenceContext,
): Promise<{ url: string } | LinkProblem> {
	if (!binary.id || typeof ctx.helpers.createBinarySignedUrl !== 'function') {
		return {
			problem: `n8n cannot make a signed link for binary field "${property}"`,
			description:
				'Signed links need binary data stored in filesystem or S3 mode (N8N_DEFAULT_BINARY_DATA_MODE=filesystem) and n8n 1.x or newer. Or upload the file elsewhere and pass its https URL.',
		};
	}
	// Check the address before copying anything: n8n signs on its own base URL.
	const probe = ctx.helpers.createBinarySignedUrl(binary, '1m');
	let host = '';
	let protocol = '';
	try {
		({ hostname: host, protocol } = new URL(probe));
	} catch {
		protocol = '';
	}
	if (!context.allowPrivate && (protocol !== 'https:' || isPrivateHost(host))) {
		return {
			problem: `the gateway cannot fetch binary field "${property}" from ${redactUrl(probe)}`,
			description:
				'n8n signs links on its own public address, and the gateway only fetches public https URLs. Set n8n\'s WEBHOOK_URL (and N8N_EDITOR_BASE_URL) to its public https address, or pass the image as a URL (e.g. after uploading it to S3 or Drive).',
		};
	}
	const stored = await binaryThatStays(ctx, binary);
	return { url: ctx.helpers.createBinarySignedUrl(stored, `${Math.ceil(context.lifetimeMinutes)}m`) };
}

/** The reference for a binary of the input item, or a NodeOperationError naming the field. */
export async function binaryReference(
	ctx: IExecuteFunctions,
	itemIndex: number,
	reference: BinaryReferenceParameter,
	position: number,
	context: BinaryReferenceContext,
): Promise<Omit<ReferenceInput, 'role' | 'referenceType'>> {
	const field = `Input Reference ${position + 1}`;
	const property = (reference.binaryPropertyName ?? 'data').trim() || 'data';
	const media = reference.mediaType ?? 'image';
	const delivery = reference.delivery ?? 'auto';
	const binary: IBinaryData = ctx.helpers.assertBinaryData(itemIndex, property);
	const fail = (message: string, description: string) => new NodeOperationError(ctx.getNode(), `${field}: ${message}`, { itemIndex, description });
	if (!binary.mimeType?.startsWith(MEDIA_MIME_PREFIX[media])) {
		throw fail(
			`binary field "${property}" is ${binary.mimeType || 'of unknown type'}, but the reference is set to ${media}`,
			`Use a ${media} file (${MEDIA_MIME_PREFIX[media]}*) or change the reference's Media Type.`,
		);
	}
	const size = await binarySize(ctx, binary);
	if (delivery !== 'link') {
		// Inline chosen by hand: the model check (when on) judges the model; Auto judges it here.
		const obstacle = inlineObstacle(binary, reference, context, size, delivery === 'auto');
		if (obstacle === undefined && size !== undefined) {
			return { media, inline: inlineImage(ctx, itemIndex, field, property, binary, size) };
		}
		if (delivery === 'inline') {
			throw fail(
				`binary field "${property}" cannot be sent inline: ${obstacle}`,
				`Inline images: ${Object.keys(INLINE_IMAGE_TYPES).join(', ')}, one per request, as the first frame, up to ${formatBytes(DATA_URL_IMAGE_LIMIT_BYTES)} as a data URL, or up to ${formatBytes(INLINE_IMAGE_LIMIT_BYTES)} as a file upload for models that take one. Otherwise set Reference Delivery to "Signed Link" (n8n must be reachable over https) or pass a public URL.`,
			);
		}
		const link = await signedLink(ctx, binary, property, context);
		if ('url' in link) return { media, url: link.url };
		throw fail(`binary field "${property}" can be sent neither inline (${obstacle}) nor as a link (${link.problem})`, link.description);
	}
	const link = await signedLink(ctx, binary, property, context);
	if ('url' in link) return { media, url: link.url };
	throw fail(link.problem, link.description);
}
