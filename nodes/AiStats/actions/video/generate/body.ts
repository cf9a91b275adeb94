import type { IDataObject } from 'n8n-workflow';

import { EVENT_NAMES } from '../../../../shared/events';
import { CREATE_FIELDS, FIELD_LABELS, type CreateField, type CreateFieldValues } from './fields';
import { formProblems } from './form';
import { DATA_URL_IMAGE_LIMIT_BYTES, InlineImage, formatBytes } from './inline';
import { CreateRequestError, isBlank, show, type FieldProblem } from './problems';
import { parseProviderParams } from './providerParams';

/**
 * Builds the POST /videos body from the node's fields and checks it the way the gateway's strict
 * validator does, so a bad combination fails before a job is created (and funds are held).
 */

export const REFERENCE_ROLES = ['first_frame', 'last_frame', 'reference', 'source', 'mask'] as const;
export const OUTPUT_ACCESS = ['both', 'bytes', 'signed_url'] as const;

export type ReferenceMedia = 'image' | 'video' | 'audio';

export interface ReferenceInput {
	/** A URL the gateway fetches, or `inline`: an image sent in the request (`input_reference`). */
	url?: string;
	inline?: InlineImage;
	media: ReferenceMedia;
	role?: string;
	referenceType?: string;
}

/** What Generate sends for one item: the simple fields (fields.ts) and the structured ones. */
export interface GenerateInput extends CreateFieldValues {
	model: string;
	prompt: string;
	references?: ReferenceInput[];
	/** Self-hosted gateways may fetch http:// references; the public gateway only takes https. */
	allowHttpReferences?: boolean;
	/** JSON text or an object (expressions may already give an object). */
	providerParams?: unknown;
	outputAccess?: string;
	providerOrder?: string[];
	providerOnly?: string[];
	providerIgnore?: string[];
	includeAlphaProviders?: boolean;
	webhook?: { url: string; secret: string; events?: string[] } | { endpointId: string; events?: string[] };
}

/** Accepts numbers and numeric strings (expressions often give strings); undefined when blank. */
function integerField(
	problems: FieldProblem[],
	field: string,
	value: unknown,
	min: number | undefined,
	max: number | undefined,
	unit = '',
): number | undefined {
	if (isBlank(value)) return undefined;
	const number = typeof value === 'string' ? Number(value.trim()) : value;
	const range = min === undefined ? '' : max === undefined ? ` of ${min} or more` : ` from ${min} to ${max}`;
	const tooSmall = min !== undefined && typeof number === 'number' && number < min;
	const tooBig = max !== undefined && typeof number === 'number' && number > max;
	if (typeof number !== 'number' || !Number.isSafeInteger(number) || tooSmall || tooBig) {
		problems.push({ field, message: `must be a whole number${range}${unit} (got ${show(value)})` });
		return undefined;
	}
	return number;
}

function providerList(values: string[] | undefined): string[] | undefined {
	if (!values) return undefined;
	const cleaned = values.map((value) => String(value).trim()).filter((value) => value !== '');
	return cleaned.length > 0 ? cleaned : undefined;
}

function parsedUrl(value: string): URL | undefined {
	try {
		return new URL(value);
	} catch {
		return undefined;
	}
}

function fetchableUrl(value: string, allowHttp: boolean): boolean {
	const protocol = parsedUrl(value)?.protocol;
	return protocol === 'https:' || (allowHttp && protocol === 'http:');
}

/** One simple field's value for the body (undefined = not sent), or a problem naming it. */
function simpleField(problems: FieldProblem[], field: CreateField, value: unknown): IDataObject[string] | undefined {
	switch (field.kind) {
		case 'integer':
			return integerField(problems, field.label, value, field.min, field.max, field.unit);
		case 'boolean':
			return typeof value === 'boolean' ? value : undefined;
		case 'verbatim':
			return isBlank(value) ? undefined : (value as IDataObject[string]);
		case 'choice':
		case 'text': {
			if (isBlank(value)) return undefined;
			const text = String(value).trim();
			if (field.kind === 'choice' && !field.values.includes(text)) {
				problems.push({ field: field.label, message: `must be one of ${field.values.join(', ')} (got ${show(text)})` });
			}
			if (field.kind === 'text' && field.pattern && !field.pattern.test(text)) {
				problems.push({ field: field.label, message: `${field.rule} (got ${show(text)})` });
			}
			return text;
		}
	}
}

/** Rules between fields, checked right after the field they are named after. */
const CROSS_FIELD_RULES: Partial<Record<string, (problems: FieldProblem[], input: GenerateInput) => void>> = {
	size: (problems, input) => {
		if (!isBlank(input.size) && (!isBlank(input.resolution) || !isBlank(input.aspectRatio))) {
			problems.push({
				field: 'Size',
				message: 'cannot be combined with Resolution or Aspect Ratio: use either Size, or Resolution and/or Aspect Ratio',
			});
		}
	},
};

export function buildCreateBody(input: GenerateInput): IDataObject {
	const problems: FieldProblem[] = [];
	const body: IDataObject = {};

	const model = typeof input.model === 'string' ? input.model.trim() : '';
	if (model === '') problems.push({ field: 'Model', message: 'is required: pick a model from the list or enter its ID' });
	body.model = model;

	// With an image reference the gateway takes an empty prompt; the model check judges the model.
	const hasImage = (input.references ?? []).some((reference) => reference.media === 'image');
	if (typeof input.prompt !== 'string' || (input.prompt.trim() === '' && !hasImage)) {
		problems.push({ field: 'Prompt', message: 'is required and may not be empty (it may be empty only with an image reference)' });
	}
	body.prompt = typeof input.prompt === 'string' ? input.prompt : '';

	for (const field of CREATE_FIELDS as readonly CreateField[]) {
		const value = simpleField(problems, field, input[field.name as keyof CreateFieldValues]);
		if (value !== undefined) body[field.api] = value;
		CROSS_FIELD_RULES[field.name]?.(problems, input);
	}

	const inline = (input.references ?? []).filter((reference) => reference.inline instanceof InlineImage);
	if (inline.length > 1) problems.push({ field: 'Input References', message: 'may send only one image inline per request' });
	// JSON of the body shows a placeholder; create.ts puts the data URL in right before sending.
	if (inline.length > 0) body.input_reference = inline[0].inline as unknown as IDataObject;
	const linked = (input.references ?? []).filter((reference) => !(reference.inline instanceof InlineImage));
	const references = linked.map((reference) => {
		const position = (input.references ?? []).indexOf(reference);
		const field = `Input Reference ${position + 1}`;
		const url = typeof reference.url === 'string' ? reference.url.trim() : '';
		if (!fetchableUrl(url, input.allowHttpReferences === true)) {
			problems.push({
				field: `${field} URL`,
				message: `must be a public https:// URL (the gateway fetches it)${url ? `, got ${show(url.split('?')[0])}` : ''}`,
			});
		}
		if (reference.role && !(REFERENCE_ROLES as readonly string[]).includes(reference.role)) {
			problems.push({ field: `${field} Role`, message: `must be one of ${REFERENCE_ROLES.join(', ')} (got ${show(reference.role)})` });
		}
		const entry: IDataObject =
			reference.media === 'image'
				? { type: 'image_url', image_url: { url } }
				: { type: `${reference.media}_url`, media_url: { url } };
		if (reference.role) entry.role = reference.role;
		if (!isBlank(reference.referenceType)) entry.reference_type = String(reference.referenceType).trim();
		return entry;
	});
	if (references.length > 0) body.input_references = references;

	const providerParams = parseProviderParams(problems, input.providerParams);
	if (providerParams) body.provider_params = providerParams;

	if (!isBlank(input.outputAccess)) {
		if (!(OUTPUT_ACCESS as readonly string[]).includes(String(input.outputAccess))) {
			problems.push({ field: FIELD_LABELS.output, message: `must be one of ${OUTPUT_ACCESS.join(', ')} (got ${show(input.outputAccess)})` });
		}
		body.output = { access: input.outputAccess };
	}

	const routing: IDataObject = {};
	const order = providerList(input.providerOrder);
	const only = providerList(input.providerOnly);
	const ignore = providerList(input.providerIgnore);
	if (order) routing.order = order;
	if (only) routing.only = only;
	if (ignore) routing.ignore = ignore;
	if (typeof input.includeAlphaProviders === 'boolean') routing.include_alpha = input.includeAlphaProviders;
	if (Object.keys(routing).length > 0) body.provider = routing;

	if (input.webhook) {
		const events = input.webhook.events?.filter((event) => event !== '');
		const unknown = (events ?? []).filter((event) => !(EVENT_NAMES as readonly string[]).includes(event));
		if (unknown.length > 0) {
			problems.push({ field: 'Webhook Events', message: `unknown event(s) ${unknown.join(', ')}; allowed: ${EVENT_NAMES.join(', ')}` });
		}
		if ('endpointId' in input.webhook) {
			if (isBlank(input.webhook.endpointId)) {
				problems.push({ field: 'Webhook Endpoint ID', message: 'is required for a registered endpoint (see the AI Stats Trigger output)' });
			}
			body.webhook = { endpoint_id: input.webhook.endpointId.trim(), ...(events?.length ? { events } : {}) };
		} else {
			const protocol = parsedUrl((input.webhook.url ?? '').trim())?.protocol;
			if (protocol !== 'https:' && protocol !== 'http:') {
				problems.push({ field: 'Webhook URL', message: `must be an http(s) URL the gateway can reach (got ${show(input.webhook.url)})` });
			}
			if (isBlank(input.webhook.secret)) {
				problems.push({
					field: 'Webhook Signing Secret',
					message: 'is empty: set "Webhook Signing Secret" in the AI Stats credential so deliveries can be verified',
				});
			}
			body.webhook = { url: input.webhook.url, secret: input.webhook.secret, ...(events?.length ? { events } : {}) };
		}
	}

	// A large inline image turns the request into a form, which carries text fields only.
	const image = inline[0]?.inline;
	if (image?.upload && inline.length === 1) problems.push(...formProblems(body, formatBytes(image.bytes), formatBytes(DATA_URL_IMAGE_LIMIT_BYTES)));

	if (problems.length > 0) throw new CreateRequestError(problems);
	return body;
}
