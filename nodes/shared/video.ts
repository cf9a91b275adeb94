import type { IDataObject } from 'n8n-workflow';

import { failureInsight } from './failures';

/** Job states the gateway reports; OpenAI jobs say `in_progress` for `processing`. */
export type VideoStatus =
	| 'queued'
	| 'processing'
	| 'completed'
	| 'failed'
	| 'cancelled'
	| 'expired';

export const TERMINAL_STATUSES: readonly VideoStatus[] = ['completed', 'failed', 'cancelled', 'expired'];

export const ALL_STATUSES: readonly VideoStatus[] = [
	'queued',
	'processing',
	'completed',
	'failed',
	'cancelled',
	'expired',
];

export interface VideoOutput extends IDataObject {
	index: number;
	mime_type?: string;
	bytes_available?: boolean;
	content_url?: string;
	download_url?: string;
	expires_at?: number;
}

export interface VideoAsset extends IDataObject {
	id?: string;
	mime_type?: string | null;
	bytes?: number | null;
	sha256?: string | null;
	width?: number | null;
	height?: number | null;
	duration_seconds?: number | null;
}

/** The job object of create, status and list responses (fields the node relies on). */
export interface VideoJob extends IDataObject {
	id: string;
	object?: string;
	status: string;
	model?: string;
	progress?: number | null;
	poll_after_seconds?: number;
	request_id?: string;
	generation_id?: string;
	output_access?: string;
	asset?: VideoAsset | null;
	outputs?: VideoOutput[];
	content_url?: string;
	download_url?: string | null;
	expires_at?: number | null;
	usage?: IDataObject;
	billing?: IDataObject;
	error?: IDataObject | string | null;
}

export function normalizeStatus(status: unknown): string {
	if (status === 'in_progress') return 'processing';
	return typeof status === 'string' ? status : 'unknown';
}

export function isTerminal(status: unknown): boolean {
	return (TERMINAL_STATUSES as readonly string[]).includes(normalizeStatus(status));
}

/** `<id>.mp4`, or `<id>-<index>.mp4` for the extra samples of a multi-sample job. */
export function videoFileName(videoId: string, index: number, sampleCount: number, mimeType?: string): string {
	const extension = mimeType && mimeType !== 'video/mp4' ? extensionFor(mimeType) : 'mp4';
	const base = sampleCount > 1 || index > 0 ? `${videoId}-${index}` : videoId;
	return `${base}.${extension}`;
}

function extensionFor(mimeType: string): string {
	const subtype = mimeType.split('/')[1]?.split(';')[0]?.trim();
	if (!subtype) return 'mp4';
	if (subtype === 'quicktime') return 'mov';
	if (subtype === 'x-matroska') return 'mkv';
	return subtype.replace(/[^a-z0-9]/gi, '') || 'mp4';
}

/** Indexes of the outputs a job has (at least index 0 once it is completed). */
export function outputIndexes(job: VideoJob): number[] {
	if (Array.isArray(job.outputs) && job.outputs.length > 0) {
		return job.outputs.map((output, position) =>
			typeof output.index === 'number' ? output.index : position,
		);
	}
	return [0];
}

function toNumber(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
	return undefined;
}

function firstNumber(source: IDataObject | undefined, keys: string[]): number | undefined {
	if (!source) return undefined;
	for (const key of keys) {
		const value = toNumber(source[key]);
		if (value !== undefined) return value;
	}
	return undefined;
}

function firstString(source: IDataObject | undefined, keys: string[]): string | undefined {
	if (!source) return undefined;
	for (const key of keys) {
		const value = source[key];
		if (typeof value === 'string' && value !== '') return value;
	}
	return undefined;
}

/**
 * Plain top-level cost fields, so a workflow can put them in a sheet without digging into
 * `usage` / `billing` (whose exact shape the gateway treats as open).
 */
export function costFields(job: VideoJob): IDataObject {
	const usage = (job.usage ?? undefined) as IDataObject | undefined;
	const billing = (job.billing ?? undefined) as IDataObject | undefined;
	const estimated =
		firstNumber(billing, ['estimated_user_cost', 'estimated_cost', 'estimate']) ?? firstNumber(usage, ['estimated_cost']);
	const settled = isTerminal(job.status)
		? (firstNumber(billing, ['settled_user_cost', 'settled_cost', 'final_cost']) ?? firstNumber(usage, ['cost', 'cost_usd']))
		: undefined;
	const currency = firstString(billing, ['currency']) ?? firstString(usage, ['currency']) ?? 'usd';
	return {
		cost_estimated: estimated ?? null,
		cost: settled ?? null,
		cost_currency: currency.toUpperCase(),
		cost_status:
			firstString(billing, ['state', 'reservation_status', 'status']) ??
			(settled !== undefined ? 'settled' : estimated !== undefined ? 'estimated' : null),
	};
}

/**
 * Removes the signed download links (bearer-free URLs that grant access until they expire) so
 * they do not spread into execution logs; workflows ask for them explicitly.
 */
export function withoutSignedLinks(job: VideoJob): VideoJob {
	const copy: VideoJob = { ...job };
	delete copy.download_url;
	delete copy.expires_at;
	if (Array.isArray(job.outputs)) {
		copy.outputs = job.outputs.map((output) => {
			const visible: VideoOutput = { ...output };
			delete visible.download_url;
			delete visible.expires_at;
			return visible;
		});
	}
	return copy;
}

const NUMERIC = /^\s*\d+(\.\d+)?\s*$/;

/**
 * A gateway timestamp in epoch milliseconds. The gateway mixes ISO strings and unix numbers
 * (OpenAI jobs: unix seconds), so every form is read here; numbers above 1e12 are milliseconds.
 */
function epochMs(value: unknown): number | undefined {
	const number = typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value;
	if (typeof number === 'number') return Number.isFinite(number) ? (number > 1e12 ? number : number * 1000) : undefined;
	if (typeof number !== 'string' || number.trim() === '') return undefined;
	const ms = Date.parse(number);
	return Number.isNaN(ms) ? undefined : ms;
}

/** A gateway timestamp (ISO string or unix number) as whole unix seconds. */
export function toUnixSeconds(value: unknown): number | undefined {
	const ms = epochMs(value);
	return ms === undefined ? undefined : Math.floor(ms / 1000);
}

function isoTime(value: unknown): string | null {
	const ms = epochMs(value);
	return ms === undefined ? null : new Date(ms).toISOString();
}

const TIMESTAMPS = ['created_at', 'started_at', 'completed_at'] as const;

/**
 * The same facts whichever dialect the job speaks: `request_id` (the create response has it under
 * `meta`), `duration_seconds` (OpenAI jobs: `seconds` is a string) and `<time>_iso` for each
 * timestamp the job has (ISO string or unix number).
 */
export function dialectFields(job: VideoJob): IDataObject {
	const meta = job.meta && typeof job.meta === 'object' ? (job.meta as IDataObject) : undefined;
	const fields: IDataObject = {};
	const requestId = job.request_id ?? meta?.request_id;
	if (typeof requestId === 'string' && requestId !== '') fields.request_id = requestId;
	const duration = toNumber(job.seconds) ?? toNumber(job.asset?.duration_seconds) ?? toNumber(job.duration_seconds);
	if (duration !== undefined) fields.duration_seconds = duration;
	for (const key of TIMESTAMPS) {
		if (key in job) fields[`${key}_iso`] = isoTime(job[key]);
	}
	return fields;
}

/** What a workflow gets for a job: the gateway's object plus normalised status, dialect and cost fields. */
export function jobToJson(job: VideoJob, keepSignedLinks = false): IDataObject {
	const visible = keepSignedLinks ? job : withoutSignedLinks(job);
	return { ...visible, status: normalizeStatus(job.status), ...dialectFields(job), ...costFields(job), ...failureFields(job) };
}

/**
 * `failure_category`, `failure_reason` and `charged` for a job that ended without a video
 * (see failures.ts); nothing for other jobs. The raw `error` stays in the job.
 */
export function failureFields(job: VideoJob): IDataObject {
	const insight = failureInsight(job, normalizeStatus(job.status));
	return insight ? { ...insight } : {};
}
