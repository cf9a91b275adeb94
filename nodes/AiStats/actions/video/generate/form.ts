import type { IDataObject } from 'n8n-workflow';

import { CREATE_FIELDS, FIELD_LABELS } from './fields';
import type { FieldProblem } from './problems';
import { show } from './problems';

/**
 * The create as multipart form data, used when an inline image is too large for a data URL. The
 * gateway reads every form field as text and parses only `provider` (and `input_reference`) as
 * JSON, so a number, a switch or an object other than those cannot be sent this way; Duration goes
 * as Seconds when it is one of Seconds' values (the gateway reads both as the length). Checked when
 * the body is built (`formProblems`, before anything is sent), encoded right before the create.
 */

/** Object fields the gateway parses from JSON text in a form (its FORM_JSON_FIELDS, as far as video goes). */
const JSON_FORM_FIELDS = ['provider'];
const SECONDS_VALUES: readonly string[] = CREATE_FIELDS.find((field) => field.api === 'seconds' && field.kind === 'choice')?.values ?? [];
/** A field's text in the form, or why it has none. */
function formValue(body: IDataObject, key: string): { field: string; text: string } | { problem: string } {
	const value = body[key];
	if (typeof value === 'string') return { field: key, text: value };
	if (JSON_FORM_FIELDS.includes(key)) return { field: key, text: JSON.stringify(value) };
	if (key === 'duration' && body.seconds === undefined && SECONDS_VALUES.includes(String(value))) {
		return { field: 'seconds', text: String(value) };
	}
	if (key === 'duration') {
		return {
			problem:
				body.seconds === undefined
					? `must be one of ${SECONDS_VALUES.join(', ')} (got ${show(value)}): it is sent as Seconds`
					: 'cannot be sent together with Seconds: set only Seconds',
		};
	}
	if (key === 'webhook') {
		return { problem: 'cannot be sent: wait with Poll or Don\'t Wait instead of Webhook (Resume), and leave Notify Webhook empty' };
	}
	return { problem: 'cannot be sent: leave it empty' };
}

/** Each field of the body but the image, with its form text or why it has none, named as the UI names it. */
function formEntries(body: IDataObject): Array<{ label: string; result: ReturnType<typeof formValue> }> {
	return Object.keys(body)
		.filter((key) => key !== 'input_reference')
		.map((key) => ({ label: FIELD_LABELS[key] ?? key, result: formValue(body, key) }));
}

/** Why the body cannot go as a form: one problem per field. */
export function formProblems(body: IDataObject, sizeText: string, limitText: string): FieldProblem[] {
	return formEntries(body).flatMap(({ label, result }) =>
		'problem' in result
			? [{
					field: label,
					message: `${result.problem}. An inline image of ${sizeText} (over ${limitText}) goes as a file upload, whose other fields can only be text; or use a smaller image, or pass the image as a URL`,
				}]
			: [],
	);
}

/** The form's text fields for a body `formProblems` passed. */
export function formFields(body: IDataObject): Array<[string, string]> {
	return formEntries(body).map(({ label, result }) => {
		if ('problem' in result) throw new Error(`${label} ${result.problem}`);
		return [result.field, result.text];
	});
}
