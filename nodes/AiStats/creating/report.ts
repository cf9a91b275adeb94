import type { IDataObject } from 'n8n-workflow';

import { costFields, normalizeStatus, type VideoJob } from '../../shared/video';

/**
 * Every job the node created holds or spends money at the gateway. When the node fails anyway,
 * its error names each of them (id, status, cost), so the user can download or delete them.
 */

/** A job of the batch and the input item it belongs to. */
export interface BatchJob {
	itemIndex: number;
	job: VideoJob;
}

/** One job as the error's details list it. */
export function jobRecord({ itemIndex, job }: BatchJob): IDataObject {
	const cost = costFields(job);
	const meta = job.meta as IDataObject | undefined;
	return {
		item_index: itemIndex,
		video_id: job.id,
		status: normalizeStatus(job.status),
		cost: cost.cost,
		cost_estimated: cost.cost_estimated,
		cost_currency: cost.cost_currency,
		request_id: job.request_id ?? (typeof meta?.request_id === 'string' ? meta.request_id : null),
	};
}

function money(record: IDataObject): string {
	if (typeof record.cost === 'number') return `, ${record.cost} ${String(record.cost_currency)}`;
	if (typeof record.cost_estimated === 'number') return `, estimated ${record.cost_estimated} ${String(record.cost_currency)}`;
	return '';
}

function itemList(indexes: number[]): string {
	return indexes.length > 12 ? `${indexes.slice(0, 12).join(', ')} and ${indexes.length - 12} more` : indexes.join(', ');
}

// An error is reported once: the first report (with the freshest statuses) wins.
const reported = new WeakSet<object>();

/**
 * Adds the batch's jobs (and the items never sent) to `error`'s description and to its context
 * (`created_jobs`, `not_sent_items`), and returns it.
 */
export function reportCreatedJobs<E>(error: E, jobs: BatchJob[], notSentItems: number[] = []): E {
	if (!(error instanceof Error) || reported.has(error) || (jobs.length === 0 && notSentItems.length === 0)) return error;
	reported.add(error);
	const target = error as Error & { description?: string | null; context?: IDataObject };
	const records = jobs.map(jobRecord);
	const lines: string[] = [];
	if (records.length > 0) {
		lines.push(
			`${records.length} video job${records.length === 1 ? ' was' : 's were'} created before this error and stay on the gateway (each holds or costs money). Get, download or delete them by ID:`,
			...records.map((record) => `- item ${String(record.item_index)}: ${String(record.video_id)} (${String(record.status)}${money(record)})`),
		);
	} else {
		lines.push('No video job was created.');
	}
	if (notSentItems.length > 0) lines.push(`Not sent after the failure: item${notSentItems.length === 1 ? '' : 's'} ${itemList(notSentItems)}.`);
	target.description = [target.description, lines.join('\n')].filter(Boolean).join('\n\n');
	target.context = { ...(target.context ?? {}), created_jobs: records, not_sent_items: notSentItems };
	return error;
}
