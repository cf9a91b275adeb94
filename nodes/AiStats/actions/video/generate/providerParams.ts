import type { IDataObject } from 'n8n-workflow';

import { CREATE_FIELDS, FIELD_LABELS } from './fields';
import { isBlank, type FieldProblem } from './problems';

/** Top-level request fields: provider_params may not set them (the gateway refuses it). */
export const TOP_LEVEL_FIELDS: readonly string[] = [
	'model',
	'prompt',
	...CREATE_FIELDS.map((field) => field.api),
	'input_references',
	'output',
	'provider',
	'webhook',
];

/**
 * Keys the gateway refuses anywhere inside provider_params (compared ignoring case, `_` and `-`):
 * they would bypass the validated top-level fields or the gateway's own request building.
 */
const PROVIDER_CONTROLLED_KEYS = [
	'request',
	'model',
	'prompt',
	'input',
	'content',
	'duration',
	'durationseconds',
	'inputvideoduration',
	'inputvideodurationseconds',
	'inputaudioduration',
	'seconds',
	'size',
	'resolution',
	'aspectratio',
	'ratio',
	'samplecount',
	'numberofvideos',
	'callbackurl',
];

export function parseProviderParams(problems: FieldProblem[], value: unknown): IDataObject | undefined {
	if (isBlank(value)) return undefined;
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			problems.push({ field: FIELD_LABELS.provider_params, message: `is not valid JSON (${(error as Error).message})` });
			return undefined;
		}
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
		problems.push({ field: FIELD_LABELS.provider_params, message: 'must be a JSON object, e.g. {"motion_strength": 0.6}' });
		return undefined;
	}
	const overriding = Object.keys(parsed).filter((key) => TOP_LEVEL_FIELDS.includes(key));
	if (overriding.length > 0) {
		problems.push({
			field: FIELD_LABELS.provider_params,
			message: `may not set top-level fields (${overriding.join(', ')}): use the node's own fields for them`,
		});
		return undefined;
	}
	const controlled = controlledKeyPaths(parsed, 'provider_params');
	if (controlled.length > 0) {
		problems.push({
			field: FIELD_LABELS.provider_params,
			message: `may not contain ${controlled.slice(0, 5).join(', ')}: the gateway sets these itself from the node's fields`,
		});
		return undefined;
	}
	return Object.keys(parsed).length > 0 ? (parsed as IDataObject) : undefined;
}

/** Paths of keys inside provider params that the gateway controls, at any depth. */
function controlledKeyPaths(value: unknown, path: string): string[] {
	if (!value || typeof value !== 'object') return [];
	if (Array.isArray(value)) return value.flatMap((entry, index) => controlledKeyPaths(entry, `${path}[${index}]`));
	return Object.entries(value as IDataObject).flatMap(([key, entry]) => {
		const compact = key.replace(/[-_]/g, '').toLowerCase();
		if (PROVIDER_CONTROLLED_KEYS.includes(compact)) return [`${path}.${key}`];
		return controlledKeyPaths(entry, `${path}.${key}`);
	});
}
