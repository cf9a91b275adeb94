import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/**
 * The video ID from the "Video" resource locator (list, ID or URL mode). A blank value (nothing
 * picked, or an expression that resolved to nothing) is refused here, naming the field, instead
 * of becoming a request for `/videos/`.
 */
export function getVideoId(ctx: IExecuteFunctions, itemIndex: number, name = 'videoId', label = 'Video'): string {
	const value = ctx.getNodeParameter(name, itemIndex, '', { extractValue: true }) as unknown;
	const id = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
	if (id === '') {
		throw new NodeOperationError(ctx.getNode(), `${label} is empty: pick a video from the list or enter its ID`, {
			itemIndex,
			description:
				value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
					? `The ${label} field has no value for item ${itemIndex}. If it is an expression, it resolved to nothing (check the field it reads, e.g. {{ $json.id }}).`
					: `The ${label} field resolved to ${Array.isArray(value) ? 'a list' : typeof value}, not an ID.`,
		});
	}
	return id;
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
