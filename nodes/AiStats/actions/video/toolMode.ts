import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { readBaseUrl } from '../../../shared/credentials';
import { createDownloadUrl, getVideo } from '../../../shared/gateway';
import { costFields, normalizeStatus, type VideoJob } from '../../../shared/video';
import { errorItem, pairedItems, rethrowIfCancelled } from '../../helpers/items';
import { createBatch } from '../../creating/runner';
import { jobErrorDetail } from '../../waiting/items';
import type { PreparedItem } from './generate/bodies';
import { jobSender } from './generate/create';

/**
 * The node run by an AI Agent. An agent cannot wait half an hour, be parked, or read an MP4, so
 * Generate answers at once with the job and what to do next, and Get / Get Download Link answer
 * with the same short JSON. The "link" an agent gets is the job's status URL while it runs (it
 * needs the AI Stats key: the agent passes `video_id` to Get instead) and, once completed, a
 * signed download link that works without a key for TOOL_LINK_TTL_SECONDS.
 */

/** How long a download link handed to an agent works (the gateway's default). */
export const TOOL_LINK_TTL_SECONDS = 900;

/** n8n runs a `usableAsTool` node for an agent under its tool type, `<package>.<name>Tool`. */
export function isToolRun(ctx: Pick<IExecuteFunctions, 'getNode'>): boolean {
	return ctx.getNode().type.endsWith('Tool');
}

interface Link {
	url: string;
	expiresAt: number | null;
}

function isoTime(unixSeconds: number | null): string | null {
	return unixSeconds === null ? null : new Date(unixSeconds * 1000).toISOString();
}

function readUnixSeconds(value: unknown): number | null {
	const seconds = typeof value === 'number' ? value : Number(value);
	return Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}

/**
 * A completed job's signed link: the one the job carries while it has a minute left, else a fresh
 * one. Without one (the link route failed) the agent still gets the job, and is told to ask again.
 */
async function downloadLink(ctx: IExecuteFunctions, job: VideoJob, itemIndex: number): Promise<Link | undefined> {
	const carried = readUnixSeconds(job.expires_at);
	if (typeof job.download_url === 'string' && job.download_url !== '' && carried !== null && carried * 1000 > Date.now() + 60000) {
		return { url: job.download_url, expiresAt: carried };
	}
	try {
		const link = await createDownloadUrl(ctx, job.id, { index: 0, ttl_seconds: TOOL_LINK_TTL_SECONDS, disposition: 'attachment' }, itemIndex);
		return { url: link.download_url, expiresAt: readUnixSeconds(link.expires_at) };
	} catch (error) {
		rethrowIfCancelled(ctx, error);
		return undefined;
	}
}

function statusUrl(job: VideoJob, baseUrl: string): string {
	const polling = (job as IDataObject).polling_url;
	return typeof polling === 'string' && /^https?:\/\//.test(polling) ? polling : `${baseUrl}/videos/${encodeURIComponent(job.id)}`;
}

function costText(cost: IDataObject): string {
	if (typeof cost.cost === 'number') return `cost ${cost.cost.toFixed(2)} ${String(cost.cost_currency)}`;
	if (typeof cost.cost_estimated === 'number') return `estimated cost ${cost.cost_estimated.toFixed(2)} ${String(cost.cost_currency)}, charged only if it completes`;
	return 'cost not reported yet';
}

function summaryLine(job: VideoJob, status: string, cost: IDataObject, link: Link | undefined, justCreated: boolean): string {
	const model = job.model ? ` (${job.model})` : '';
	if (status === 'completed') {
		if (!link) return `Video ${job.id}${model} is ready, but no download link could be made now: ask Get Download Link; ${costText(cost)}.`;
		const until = link.expiresAt === null ? '' : ` until ${isoTime(link.expiresAt)}`;
		return `Video ${job.id}${model} is ready; download_url works without a key${until}; ${costText(cost)}.`;
	}
	if (status === 'queued' || status === 'processing') {
		const progress = typeof job.progress === 'number' ? `, ${job.progress}%` : '';
		const after = typeof job.poll_after_seconds === 'number' ? `about ${job.poll_after_seconds} s` : 'a minute';
		const start = justCreated ? `Started video ${job.id}${model}: ${status}` : `Video ${job.id}${model} is ${status}${progress}`;
		return `${start}; ${costText(cost)}. Videos take minutes: check again in ${after} with Get and this video_id; once completed Get returns a download link.`;
	}
	const detail = jobErrorDetail(job);
	return `Video ${job.id}${model} ended ${status}${detail ? `: ${detail}` : ''}; ${costText(cost)}.`;
}

/** What an agent gets for a job: id, status, cost, a link and a one-line summary. Never binary data. */
export async function toolJobResult(ctx: IExecuteFunctions, job: VideoJob, itemIndex: number, justCreated = false): Promise<IDataObject> {
	const status = normalizeStatus(job.status);
	const cost = costFields(job);
	const link = status === 'completed' ? await downloadLink(ctx, job, itemIndex) : undefined;
	return {
		video_id: job.id,
		status,
		progress: typeof job.progress === 'number' ? job.progress : null,
		model: job.model ?? null,
		...cost,
		status_url: statusUrl(job, await readBaseUrl(ctx)),
		download_url: link?.url ?? null,
		download_expires_at: isoTime(link?.expiresAt ?? null),
		error_detail: status === 'completed' ? null : (jobErrorDetail(job) ?? null),
		summary: summaryLine(job, status, cost, link, justCreated),
	};
}

/**
 * The create answer lacks cost (production sends the OpenAI-style object): read the job once.
 * Should that read fail, the job still reaches the agent, from the create answer.
 */
async function readBack(ctx: IExecuteFunctions, job: VideoJob, itemIndex: number): Promise<VideoJob> {
	try {
		return await getVideo(ctx, job.id, itemIndex);
	} catch (error) {
		rethrowIfCancelled(ctx, error);
		return job;
	}
}

/** Generate for an agent: create each job once and answer at once (no polling, parking or download). */
export async function generateForAgent(ctx: IExecuteFunctions, prepared: PreparedItem[], concurrency: number): Promise<INodeExecutionData[]> {
	const created = await createBatch(ctx, prepared, { concurrency, send: jobSender(ctx) });
	const output: INodeExecutionData[] = [];
	for (const entry of created) {
		if ('error' in entry) {
			output.push(errorItem(entry.itemIndex, entry.error));
			continue;
		}
		const job = await readBack(ctx, entry.job, entry.itemIndex);
		output.push(...pairedItems(entry.itemIndex, await toolJobResult(ctx, job, entry.itemIndex, true)));
	}
	return output;
}
