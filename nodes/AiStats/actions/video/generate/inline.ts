import type { IDataObject } from 'n8n-workflow';

import type { ModelEntry } from '../../../../shared/gateway';

/**
 * Sending a reference image inside the create request (`input_reference: {image_url: "data:…"}`),
 * so image-to-video works on an n8n the gateway cannot reach. The bytes are read only right before
 * the create (see `withInlineImage`), so at most `concurrency` images are in memory at a time, and
 * the data URL never reaches an output item, an error or a log: everything else sees `toJSON()`.
 */

/**
 * Providers known to take an inline image, by the provider ids of GET /videos/models. One place:
 * add a provider here once its executor is known to accept data: URLs. `vendors` are the model-id
 * prefixes served by those providers (used when the catalogue is unavailable).
 */
export const INLINE_IMAGE_PROVIDERS: ReadonlyArray<{ provider: string; vendors: string[]; source: string }> = [
	{
		provider: 'openai',
		vendors: ['openai'],
		source: 'Confirmed: the gateway passes input_reference to OpenAI (Sora) as an uploaded file (phaseoteam/Phaseo, OpenAI video executor).',
	},
	{
		provider: 'google-ai-studio',
		vendors: ['google'],
		source: 'The Google executor decodes data: URLs given as the first-frame reference (phaseoteam/Phaseo, Google video executor).',
	},
	{
		provider: 'google-vertex',
		vendors: ['google'],
		source: 'The Vertex executor decodes data: URLs given as the first-frame reference (phaseoteam/Phaseo, Vertex video executor).',
	},
	{
		provider: 'minimax',
		vendors: ['minimax'],
		source: 'The MiniMax executor decodes data: URLs given as the first-frame reference (phaseoteam/Phaseo, MiniMax executor); n8n\'s own MiniMax node sends images this way.',
	},
];

/**
 * The largest image sent inline. The gateway takes JSON bodies up to 16 MiB, and base64 makes an
 * image 4/3 larger: 12 MB of image is 16 MB of text, leaving room for the rest of the request.
 */
export const INLINE_IMAGE_LIMIT_BYTES = 12_000_000;
/** The gateway's JSON body limit; a request over it is refused before it is sent. */
export const JSON_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

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

/** Whether every provider the catalogue lists for the model (or the model's vendor) takes inline images. */
export function modelTakesInlineImages(model: string, entry: ModelEntry | undefined): { ok: boolean; why?: string } {
	if (entry) {
		const inputTypes = entry.input_types;
		if (Array.isArray(inputTypes) && !inputTypes.includes('image')) {
			return { ok: false, why: `model ${model} takes no image input` };
		}
		const providers = Array.isArray(entry.providers)
			? (entry.providers as IDataObject[]).map((provider) => String(provider?.id ?? '')).filter((id) => id !== '')
			: [];
		if (providers.length > 0) {
			const unknown = providers.filter((id) => !INLINE_IMAGE_PROVIDERS.some((known) => known.provider === id));
			return unknown.length === 0
				? { ok: true }
				: { ok: false, why: `model ${model} runs on ${unknown.join(', ')}, not known to accept inline images` };
		}
	}
	const vendor = model.split('/')[0];
	return INLINE_IMAGE_PROVIDERS.some((known) => known.vendors.includes(vendor))
		? { ok: true }
		: { ok: false, why: `model ${model} is not known to accept inline images` };
}

/**
 * An image to send inline: what it is (for checks and redacted views) and how to read its bytes.
 * JSON.stringify of a body holding it gives `data:image/png;base64,…(123 KB)`, never the data.
 */
export class InlineImage {
	constructor(
		readonly field: string,
		readonly mimeType: string,
		readonly bytes: number,
		private readonly read: () => Promise<Buffer>,
	) {}

	/** What outputs, errors and logs show instead of the data URL. */
	toJSON(): IDataObject {
		return { image_url: `data:${this.mimeType};base64,…(${formatBytes(this.bytes)})` };
	}

	async dataUrl(): Promise<string> {
		const buffer = await this.read();
		if (buffer.length > INLINE_IMAGE_LIMIT_BYTES) {
			throw new Error(`${this.field}: the image is ${formatBytes(buffer.length)}, over the ${formatBytes(INLINE_IMAGE_LIMIT_BYTES)} inline limit`);
		}
		if (!INLINE_IMAGE_TYPES[this.mimeType]?.(buffer)) {
			throw new Error(`${this.field}: the file's bytes are not ${this.mimeType}`);
		}
		return `data:${this.mimeType};base64,${buffer.toString('base64')}`;
	}
}

/** The body as sent: an inline image replaced by its data URL. Other bodies are returned as they are. */
export async function withInlineImage(body: IDataObject): Promise<IDataObject> {
	const reference = body.input_reference as unknown;
	if (!(reference instanceof InlineImage)) return body;
	const sent: IDataObject = { ...body, input_reference: { image_url: await reference.dataUrl() } };
	// Base64 is ASCII, so the text length is the byte length of the data URL; the rest is small.
	const restBytes = Buffer.byteLength(JSON.stringify({ ...body, input_reference: null }), 'utf8');
	const total = restBytes + (sent.input_reference as { image_url: string }).image_url.length;
	if (total > JSON_BODY_LIMIT_BYTES) {
		throw new Error(
			`${reference.field}: the request would be ${formatBytes(total)}, over the gateway's ${formatBytes(JSON_BODY_LIMIT_BYTES)} limit for a request; shorten the prompt or Provider Params, or use a smaller image`,
		);
	}
	return sent;
}
