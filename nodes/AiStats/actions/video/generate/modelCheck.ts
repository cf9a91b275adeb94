import type { IDataObject } from 'n8n-workflow';

import type { ModelEntry } from '../../../../shared/gateway';
import type { FieldProblem } from './problems';
import { FIELD_LABELS } from './fields';
import { modelTakesInlineImages } from './inline';

/**
 * Checks a create request against the model's catalogue entry (GET /videos/models) before any
 * money is held: the gateway accepts unsupported parameters and the provider fails the job later.
 * The catalogue's detail format is open, so only shapes understood here are checked; anything
 * else never blocks.
 */

/** Request fields that are gateway controls, not model parameters. */
const CONTROL_FIELDS = ['model', 'prompt', 'output', 'webhook', 'provider', 'provider_params'];

const MEDIA_INPUT_TYPES: Record<string, string> = { image_url: 'image', video_url: 'video', audio_url: 'audio' };

function stringList(value: unknown): string[] | undefined {
	return Array.isArray(value) && value.length > 0 && value.every((entry) => typeof entry === 'string') ? (value as string[]) : undefined;
}

function detailOf(entry: ModelEntry, param: string): IDataObject | undefined {
	const detail = entry.supported_params_detail?.[param];
	return detail && typeof detail === 'object' && !Array.isArray(detail) ? (detail as IDataObject) : undefined;
}

function checkValue(problems: FieldProblem[], model: string, param: string, value: unknown, detail: IDataObject | undefined): void {
	if (!detail) return;
	const field = FIELD_LABELS[param] ?? param;
	if (Array.isArray(detail.values) && detail.values.length > 0 && (typeof value === 'string' || typeof value === 'number')) {
		if (!detail.values.some((allowed) => String(allowed) === String(value))) {
			problems.push({ field, message: `${JSON.stringify(value)} is not offered by model ${model} (it supports ${detail.values.map((allowed) => JSON.stringify(allowed)).join(', ')})` });
		}
		return;
	}
	if (typeof value === 'number') {
		const min = typeof detail.min === 'number' ? detail.min : undefined;
		const max = typeof detail.max === 'number' ? detail.max : undefined;
		if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
			problems.push({ field, message: `${value} is outside what model ${model} supports (${min ?? '…'} to ${max ?? '…'})` });
		}
	}
}

function checkReferences(problems: FieldProblem[], entry: ModelEntry, references: IDataObject[]): void {
	const inputTypes = stringList(entry.input_types);
	const detail = detailOf(entry, 'input_references');
	const types = stringList(detail?.types);
	const roles = stringList(detail?.roles);
	references.forEach((reference, position) => {
		const field = `Input Reference ${position + 1}`;
		const type = String(reference.type);
		const media = MEDIA_INPUT_TYPES[type];
		if (inputTypes && media && !inputTypes.includes(media)) {
			problems.push({ field, message: `is ${media === 'image' ? 'an image' : `a ${media}`}, but model ${entry.model} only takes ${inputTypes.join(', ')} input` });
			return;
		}
		if (types && !types.includes(type)) {
			problems.push({ field, message: `is a ${type} reference, but model ${entry.model} takes ${types.join(', ')}` });
		}
		if (roles && typeof reference.role === 'string' && !roles.includes(reference.role)) {
			problems.push({ field: `${field} Role`, message: `"${reference.role}" is not supported by model ${entry.model} (it supports ${roles.join(', ')})` });
		}
	});
	if (typeof detail?.max_items === 'number' && references.length > detail.max_items) {
		problems.push({ field: 'Input References', message: `model ${entry.model} takes at most ${detail.max_items} reference(s), got ${references.length}` });
	}
}

export function checkAgainstModel(body: IDataObject, entry: ModelEntry): FieldProblem[] {
	const problems: FieldProblem[] = [];
	const supported = stringList(entry.supported_params);
	for (const [param, value] of Object.entries(body)) {
		if (CONTROL_FIELDS.includes(param)) continue;
		if (param === 'seconds') {
			// The OpenAI-form length: the gateway reads it as the duration, so the duration's offer applies.
			const before = problems.length;
			checkValue(problems, entry.model, 'duration', Number(value), detailOf(entry, 'duration'));
			for (const problem of problems.slice(before)) problem.field = FIELD_LABELS.seconds ?? 'Seconds';
			continue;
		}
		if (param === 'input_reference') {
			// An inline image: the model must take images, on providers known to take them inline.
			const takes = modelTakesInlineImages(entry.model, entry, (value as { bytes?: number }).bytes);
			if (!takes.ok) {
				problems.push({
					field: (value as { field?: string }).field ?? 'Input Reference',
					message: `cannot be sent inline: ${takes.why}. Set Reference Delivery to "Signed Link" or pass a public URL (or turn off "Check Against Model Catalogue" to try anyway)`,
				});
			}
			continue;
		}
		if (param === 'input_references' && Array.isArray(value)) {
			// The input types say it best ("only takes text input"); fall back to the parameter list.
			const before = problems.length;
			checkReferences(problems, entry, value as IDataObject[]);
			if (problems.length > before || !supported || supported.includes(param)) continue;
		} else if (!supported || supported.includes(param)) {
			checkValue(problems, entry.model, param, value, detailOf(entry, param));
			continue;
		}
		problems.push({
			field: FIELD_LABELS[param] ?? param,
			message: `is not supported by model ${entry.model} (it supports: ${(supported ?? []).map((name) => FIELD_LABELS[name] ?? name).join(', ')})`,
		});
	}
	return problems;
}
