import type { IExecuteFunctions } from 'n8n-workflow';

/** The video ID from the "Video" resource locator (list, ID or URL mode). */
export function getVideoId(ctx: IExecuteFunctions, itemIndex: number, name = 'videoId'): string {
	const value = ctx.getNodeParameter(name, itemIndex, '', { extractValue: true }) as string;
	return String(value ?? '').trim();
}

/** Splits "a, b ,c" or an array from an expression into a clean list. */
export function toList(value: unknown): string[] {
	if (Array.isArray(value)) return value.map((entry) => String(entry).trim()).filter((entry) => entry !== '');
	if (typeof value !== 'string') return [];
	return value
		.split(',')
		.map((entry) => entry.trim())
		.filter((entry) => entry !== '');
}
