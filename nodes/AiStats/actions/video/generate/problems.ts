/** A problem with one field of the create request, named as the node's UI names it. */
export interface FieldProblem {
	/** The field as the node's UI names it. */
	field: string;
	message: string;
}

export class CreateRequestError extends Error {
	constructor(readonly problems: FieldProblem[]) {
		super(problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '));
	}
}

export function isBlank(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

export function show(value: unknown): string {
	const text = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
	return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
