import type { IDataObject } from 'n8n-workflow';

import type { ModelEntry } from '../../../../shared/gateway';
import { FormBody } from '../../../../shared/multipart';
import { formFields } from './form';

/**
 * Sending a reference image inside the create request (`input_reference: {image_url: "data:…"}`,
 * or above the data URL limit as a multipart file), so image-to-video works on an n8n the gateway
 * cannot reach. The bytes are read only right before
 * the create (see `withInlineImage`), so at most `concurrency` images are in memory at a time, and
 * the data URL never reaches an output item, an error or a log: everything else sees `toJSON()`.
 */

/**
 * Providers known to take an inline image, by the provider ids of GET /videos/models. One place:
 * add a provider here once its executor is known to accept data: URLs. `vendors` are the model-id
 * prefixes served by those providers (used when the catalogue is unavailable). `upload`: the
 * provider also takes the image as a file in a multipart create (needed above the data URL limit).
 */
export const INLINE_IMAGE_PROVIDERS: ReadonlyArray<{ provider: string; vendors: string[]; upload: boolean; source: string }> = [
	{
		provider: 'openai',
		vendors: ['openai'],
		upload: true,
		source: 'Confirmed: the gateway passes input_reference (a data: URL or a multipart file) to OpenAI (Sora) as an uploaded file (phaseoteam/Phaseo, OpenAI video executor and providers/openai/endpoints/video.ts).',
	},
	{
		provider: 'google-ai-studio',
		vendors: ['google'],
		upload: false,
		source: 'The Google executor decodes data: URLs given as the first-frame reference (phaseoteam/Phaseo, Google video executor); it has no path for a multipart file.',
	},
	{
		provider: 'google-vertex',
		vendors: ['google'],
		upload: false,
		source: 'The Vertex executor decodes data: URLs given as the first-frame reference (phaseoteam/Phaseo, Vertex video executor); it has no path for a multipart file.',
	},
	{
		provider: 'minimax',
		vendors: ['minimax'],
		upload: false,
		source: 'The MiniMax executor decodes data: URLs given as the first-frame reference (phaseoteam/Phaseo, MiniMax executor); n8n\'s own MiniMax node sends images this way.',
	},
];

/**
 * The largest image sent as a data URL. The gateway takes JSON bodies up to 16 MiB, and base64
 * makes an image 4/3 larger: 12 MB of image is 16 MB of text, leaving room for the rest of the request.
 */
export const DATA_URL_IMAGE_LIMIT_BYTES = 12_000_000;
/**
 * The largest image sent inline at all: above the data URL limit it goes as a multipart file
 * (the gateway reads multipart creates up to 32 MiB; its data URL cap of 28,000,000 characters
 * was sized for an image of about 20 MB, and so is this).
 */
export const INLINE_IMAGE_LIMIT_BYTES = 20_000_000;
/** The gateway's JSON body limit; a request over it is refused before it is sent. */
export const JSON_BODY_LIMIT_BYTES = 16 * 1024 * 1024;
/** The gateway's limit for a multipart create. */
export const FORM_BODY_LIMIT_BYTES = 32 * 1024 * 1024;

/** Image types the providers take inline, with the first bytes each must start with. */
export const INLINE_IMAGE_TYPES: Readonly<Record<string, (head: Buffer) => boolean>> = {
	'image/png': (head) => head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
	'image/jpeg': (head) => head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff,
	'image/webp': (head) => head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP',
};

export function formatBytes(bytes: number): string {
	if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
	return `${Math.max(1, Math.round(bytes / 1000))} KB`;
}

/** The providers that also take the image as a multipart file, for messages. */
const UPLOAD_PROVIDERS = INLINE_IMAGE_PROVIDERS.filter((known) => known.upload).map((known) => known.provider);

/**
 * Whether the model takes an inline image of `bytes`: every provider the catalogue lists for it
 * (or, without the catalogue, its vendor) must be known to, and above the data URL limit every
 * one must also take the image as a multipart file.
 */
export function modelTakesInlineImages(model: string, entry: ModelEntry | undefined, bytes = 0): { ok: boolean; why?: string } {
	let known: Array<(typeof INLINE_IMAGE_PROVIDERS)[number]> | undefined;
	if (entry) {
		const inputTypes = entry.input_types;
		if (Array.isArray(inputTypes) && !inputTypes.includes('image')) {
			return { ok: false, why: `model ${model} takes no image input` };
		}
		const providers = Array.isArray(entry.providers)
			? (entry.providers as IDataObject[]).map((provider) => String(provider?.id ?? '')).filter((id) => id !== '')
			: [];
		if (providers.length > 0) {
			const unknown = providers.filter((id) => !INLINE_IMAGE_PROVIDERS.some((candidate) => candidate.provider === id));
			if (unknown.length > 0) return { ok: false, why: `model ${model} runs on ${unknown.join(', ')}, not known to accept inline images` };
			known = INLINE_IMAGE_PROVIDERS.filter((candidate) => providers.includes(candidate.provider));
		}
	}
	if (!known) {
		const vendor = model.split('/')[0];
		known = INLINE_IMAGE_PROVIDERS.filter((candidate) => candidate.vendors.includes(vendor));
		if (known.length === 0) return { ok: false, why: `model ${model} is not known to accept inline images` };
	}
	if (bytes > DATA_URL_IMAGE_LIMIT_BYTES && !known.every((candidate) => candidate.upload)) {
		return {
			ok: false,
			why:
				`the file is ${formatBytes(bytes)}, and model ${model} takes inline images up to ${formatBytes(DATA_URL_IMAGE_LIMIT_BYTES)} (as a data URL); ` +
				`larger ones, up to ${formatBytes(INLINE_IMAGE_LIMIT_BYTES)}, go as a file upload, which only models on ${UPLOAD_PROVIDERS.join(', ')} take`,
		};
	}
	return { ok: true };
}

/**
 * An image to send inline: what it is (for checks and redacted views) and how to read its bytes.
 * Up to the data URL limit it goes as `input_reference: {image_url: "data:…"}`; above it, as a
 * multipart file (`upload`). JSON.stringify of a body holding it gives
 * `data:image/png;base64,…(123 KB)` (or the upload's type and size), never the data.
 */
export class InlineImage {
	constructor(
		readonly field: string,
		readonly mimeType: string,
		readonly bytes: number,
		private readonly read: () => Promise<Buffer>,
	) {}

	/** Sent as a multipart file: its data URL would not fit in a JSON request. */
	get upload(): boolean {
		return this.bytes > DATA_URL_IMAGE_LIMIT_BYTES;
	}

	/** What outputs, errors and logs show instead of the data. */
	toJSON(): IDataObject {
		return this.upload
			? { file: `${this.mimeType}, ${formatBytes(this.bytes)} (multipart upload)` }
			: { image_url: `data:${this.mimeType};base64,…(${formatBytes(this.bytes)})` };
	}

	/** The bytes, checked again now that they are read (the file may differ from its metadata). */
	async content(): Promise<Buffer> {
		const buffer = await this.read();
		if (buffer.length > INLINE_IMAGE_LIMIT_BYTES) {
			throw new Error(`${this.field}: the image is ${formatBytes(buffer.length)}, over the ${formatBytes(INLINE_IMAGE_LIMIT_BYTES)} inline limit`);
		}
		if (!INLINE_IMAGE_TYPES[this.mimeType]?.(buffer)) {
			throw new Error(`${this.field}: the file's bytes are not ${this.mimeType}`);
		}
		return buffer;
	}
}

/** A file name for the upload that says only its type (the user's file name stays in n8n). */
function uploadName(mimeType: string): string {
	return `reference.${mimeType.split('/')[1] === 'jpeg' ? 'jpg' : mimeType.split('/')[1]}`;
}

/**
 * The body as sent: an inline image becomes its data URL, or the request becomes multipart form
 * data with the image as a file. Other bodies are returned as they are.
 */
export async function withInlineImage(body: IDataObject): Promise<IDataObject | FormBody> {
	const reference = body.input_reference as unknown;
	if (!(reference instanceof InlineImage)) return body;
	const buffer = await reference.content();
	if (reference.upload) {
		const form = new FormBody(formFields(body), { name: 'input_reference', filename: uploadName(reference.mimeType), contentType: reference.mimeType, data: buffer });
		if (form.data.length > FORM_BODY_LIMIT_BYTES) {
			throw new Error(`${reference.field}: the request would be ${formatBytes(form.data.length)}, over the gateway's ${formatBytes(FORM_BODY_LIMIT_BYTES)} limit for a file upload; use a smaller image`);
		}
		return form;
	}
	const dataUrl = `data:${reference.mimeType};base64,${buffer.toString('base64')}`;
	const sent: IDataObject = { ...body, input_reference: { image_url: dataUrl } };
	// Base64 is ASCII, so the text length is the byte length of the data URL; the rest is small.
	const restBytes = Buffer.byteLength(JSON.stringify({ ...body, input_reference: null }), 'utf8');
	const total = restBytes + dataUrl.length;
	if (total > JSON_BODY_LIMIT_BYTES) {
		throw new Error(
			`${reference.field}: the request would be ${formatBytes(total)}, over the gateway's ${formatBytes(JSON_BODY_LIMIT_BYTES)} limit for a request; shorten the prompt or Provider Params, or use a smaller image`,
		);
	}
	return sent;
}
