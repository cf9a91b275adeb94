import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import { downloadVideo, fileFacts, type DownloadedVideo } from '../../shared/binary';
import type { StreamResponse } from '../../shared/transport';
import { jobToJson, outputIndexes, toUnixSeconds, videoFileName, type VideoJob } from '../../shared/video';

export interface VideoItemOptions {
	binaryPropertyName: string;
	/** `all` = every output; a number = that output only. */
	outputs: 'all' | number;
	/** With several outputs: one item each, or all binaries on one item (`data`, `data_1`, …). */
	layout: 'separateItems' | 'oneItem';
	fileName?: string;
	verifyChecksum?: boolean;
	/** Download idle timeout; undefined = the default. */
	idleTimeoutMs?: number;
	/** Bound on each download (Generate: Max Wait). */
	maxDownloadMs?: number;
	/** Keep the job's signed links in the output json. */
	keepSignedLinks?: boolean;
	/** Try the job's signed link before the authenticated content route. */
	preferSignedUrl?: boolean;
	/** The content route of one output (index 0: the default output), requested ahead of the job read. */
	opened?: { index: number; response: Promise<StreamResponse | undefined> };
	itemIndex: number;
}

function signedUrlFor(job: VideoJob, index: number): string | undefined {
	const output = job.outputs?.find((entry) => entry.index === index);
	const candidate = output?.download_url ?? (index === 0 ? job.download_url : undefined);
	const expiresAt = toUnixSeconds(output?.expires_at ?? (index === 0 ? job.expires_at : undefined));
	// Skip links about to expire: the content route is as good and needs no refresh.
	if (!candidate || (expiresAt !== undefined && expiresAt * 1000 < Date.now() + 30_000)) return undefined;
	return candidate;
}

/** Downloads the job's video(s) into output items: the job in `json`, the file(s) in `binary`. */
export async function videoItems(
	ctx: IExecuteFunctions | IWebhookFunctions,
	job: VideoJob,
	options: VideoItemOptions,
): Promise<INodeExecutionData[]> {
	const available = outputIndexes(job);
	const indexes = options.outputs === 'all' ? available : [options.outputs];
	const sampleCount = available.length;
	const downloads: Array<{ index: number } & DownloadedVideo> = [];
	for (const index of indexes) {
		const fileName =
			options.fileName && indexes.length === 1
				? options.fileName
				: options.fileName
					? options.fileName.replace(/(\.[a-z0-9]+)?$/i, (extension) => `-${index}${extension || '.mp4'}`)
					: videoFileName(job.id, index, sampleCount);
		const downloaded = await downloadVideo(ctx, {
			videoId: job.id,
			index: sampleCount > 1 || index > 0 ? index : undefined,
			fileName,
			job,
			verifyChecksum: options.verifyChecksum,
			idleTimeoutMs: options.idleTimeoutMs,
			maxDurationMs: options.maxDownloadMs,
			signedUrl: options.preferSignedUrl ? signedUrlFor(job, index) : undefined,
			opened: options.opened?.index === index ? options.opened.response : undefined,
			itemIndex: options.itemIndex,
		});
		downloads.push({ index, ...downloaded });
	}
	const json = jobToJson(job, options.keepSignedLinks === true);
	if (options.layout === 'oneItem' && downloads.length > 1) {
		const binary: Record<string, IBinaryData> = {};
		const files: IDataObject[] = [];
		for (const download of downloads) {
			const property =
				download === downloads[0] ? options.binaryPropertyName : `${options.binaryPropertyName}_${download.index}`;
			binary[property] = download.binary;
			files.push({ output_index: download.index, binary_property: property, file_name: download.binary.fileName ?? null, ...fileFacts(download) });
		}
		return [{ json: { ...json, files }, binary }];
	}
	return downloads.map((download) => ({
		json: {
			...json,
			output_index: download.index,
			file_name: download.binary.fileName ?? null,
			...fileFacts(download),
		},
		binary: { [options.binaryPropertyName]: download.binary },
	}));
}
