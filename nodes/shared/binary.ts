import type { IBinaryData, IDataObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { asNodeError } from './errors';
import { streamSignedUrl, streamVideoContent } from './gateway';
import { describeNetworkError, headerValue, networkErrorCode } from './network';
import { readPolicy, runWithRetries } from './retry';
import {
	DEFAULT_IDLE_TIMEOUT_MS,
	TransferStoppedError,
	meterTransfer,
	type BodyStream,
	type TransferLimits,
	type TransferStop,
} from './transfer';
import type { StreamResponse } from './transport';
import { redactUrl } from './urls';
import type { VideoJob } from './video';
import { ExecutionCancelledError } from './wait';

type BinaryFunctions = IExecuteFunctions | IWebhookFunctions;

export interface VideoDownloadRequest {
	videoId: string;
	/** Output index; undefined = the gateway's default (index 0) without `?index=`. */
	index?: number;
	fileName: string;
	/** The job as last seen, for the expected size and checksum (asset describes output 0). */
	job?: VideoJob;
	/** A signed link to try first (no bearer key); falls back to the content route when it fails. */
	signedUrl?: string;
	/** The content route of this output, already requested: used for the first attempt if it answered. */
	opened?: Promise<StreamResponse | undefined>;
	/** Whether to compute the SHA-256 while the file streams (and check it when the job has one). */
	verifyChecksum?: boolean;
	/** Fail a body that sends nothing for this long (default 30 s). */
	idleTimeoutMs?: number;
	/** Bound on one whole download, all attempts included (e.g. the node's Max Wait). */
	maxDurationMs?: number;
	itemIndex?: number;
}

/** What the received file was compared with: only checks that actually ran are listed. */
export type IntegrityCheck = 'content-length' | 'asset.bytes' | 'asset.sha256';

export interface DownloadedVideo {
	binary: IBinaryData;
	bytes: number;
	/** SHA-256 computed while the file streamed (undefined when Verify Checksum is off). */
	sha256?: string;
	verifiedAgainst: IntegrityCheck[];
	source: 'content' | 'signed_url';
}

/** What an item says about a downloaded file: its size, hash and what they were checked against. */
export function fileFacts(download: DownloadedVideo): IDataObject {
	return { bytes: download.bytes, sha256: download.sha256 ?? null, verified_against: download.verifiedAgainst };
}

class IntegrityError extends Error {}

function expectedAsset(request: VideoDownloadRequest): { bytes?: number; sha256?: string } {
	const asset = request.job?.asset;
	if (!asset || (request.index !== undefined && request.index !== 0)) return {};
	return {
		bytes: typeof asset.bytes === 'number' && asset.bytes > 0 ? asset.bytes : undefined,
		sha256: typeof asset.sha256 === 'string' && /^[a-f0-9]{64}$/i.test(asset.sha256) ? asset.sha256.toLowerCase() : undefined,
	};
}

/** Content-Length of the file itself; a compressed answer's length says nothing about the bytes we get. */
function declaredLength(response: StreamResponse): number | undefined {
	const encoding = headerValue(response.headers, 'content-encoding');
	if (encoding && encoding.trim().toLowerCase() !== 'identity') return undefined;
	const length = Number(headerValue(response.headers, 'content-length'));
	return Number.isInteger(length) && length > 0 ? length : undefined;
}

interface Stored {
	binary: IBinaryData;
	bytes: number;
	sha256?: string;
	verifiedAgainst: IntegrityCheck[];
}

/**
 * Hands the response stream to prepareBinaryData (so no copy of the video is held in memory in
 * the filesystem modes) while a meter counts and hashes the same chunks on their way into the
 * store: one pass, checked against everything the gateway said about the file.
 */
async function storeAndVerify(
	ctx: BinaryFunctions,
	response: StreamResponse,
	request: VideoDownloadRequest,
	limits: TransferLimits,
): Promise<Stored> {
	const mimeType = (headerValue(response.headers, 'content-type') ?? 'video/mp4').split(';')[0].trim() || 'video/mp4';
	const expected = expectedAsset(request);
	const hashing = request.verifyChecksum !== false;
	const meter = meterTransfer(response.body as unknown as BodyStream, limits, hashing);
	let binary: IBinaryData;
	try {
		binary = await ctx.helpers.prepareBinaryData(response.body as unknown as Buffer, request.fileName, mimeType);
	} catch (error) {
		throw meter.stopped ? new TransferStoppedError(meter.stopped) : error;
	} finally {
		meter.finish();
	}
	const bytes = meter.bytes;
	const sha256 = meter.digest();
	const verifiedAgainst: IntegrityCheck[] = [];
	// n8n 2.x reports the stored size: it must be what passed the meter.
	if (typeof binary.bytes === 'number' && binary.bytes !== bytes) {
		throw new IntegrityError(`stored ${binary.bytes} bytes but received ${bytes}`);
	}
	const length = declaredLength(response);
	if (length !== undefined) {
		if (bytes !== length) throw new IntegrityError(`received ${bytes} of ${length} bytes (Content-Length)`);
		verifiedAgainst.push('content-length');
	}
	if (expected.bytes !== undefined) {
		if (bytes !== expected.bytes) throw new IntegrityError(`received ${bytes} bytes but the job's asset has ${expected.bytes}`);
		verifiedAgainst.push('asset.bytes');
	}
	if (hashing && expected.sha256 !== undefined) {
		if (sha256 !== expected.sha256) {
			throw new IntegrityError(`the SHA-256 of the received file (${sha256}) differs from the job's asset (${expected.sha256})`);
		}
		verifiedAgainst.push('asset.sha256');
	}
	if (bytes === 0) throw new IntegrityError('received an empty file');
	binary.fileSize = binary.fileSize ?? String(bytes);
	return { binary, bytes, sha256, verifiedAgainst };
}

function stoppedError(ctx: BinaryFunctions, request: VideoDownloadRequest, stop: TransferStop, limits: TransferLimits): Error {
	const node = ctx.getNode();
	if (stop.kind === 'cancelled') return new ExecutionCancelledError(node);
	const details = { video_id: request.videoId, received_bytes: stop.bytes };
	if (stop.kind === 'stalled') {
		const seconds = Math.round(limits.idleTimeoutMs / 1000);
		return new NodeApiError(node, { ...details, problem: 'stalled' }, {
			message: `Video download stalled for ${request.videoId}: no data for ${seconds} s after ${stop.bytes} bytes`,
			description: `The gateway stopped sending the file and the transfer was abandoned after ${seconds} s without data (option "Download Idle Timeout"). No file was returned. Try again later; on a slow link raise the idle timeout.`,
			itemIndex: request.itemIndex,
		});
	}
	const limitSeconds = Math.round((request.maxDurationMs ?? 0) / 1000);
	return new NodeApiError(node, { ...details, problem: 'time limit' }, {
		message: `Video download for ${request.videoId} took longer than ${limitSeconds} s and was stopped after ${stop.bytes} bytes`,
		description: 'The download is bounded by Max Wait. No file was returned. Raise Max Wait, or fetch the video later with Download.',
		itemIndex: request.itemIndex,
	});
}

/**
 * Streams a finished video into n8n binary data. A broken or short transfer is repeated from the
 * start (the gateway has no Range support) under the read policy; a file that is still wrong
 * after that fails the item: a truncated video is never returned as a success. A stalled or
 * overlong transfer is not repeated: that would multiply the wait it bounds.
 */
export async function downloadVideo(ctx: BinaryFunctions, request: VideoDownloadRequest): Promise<DownloadedVideo> {
	const signal = 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal() : undefined;
	const limits: TransferLimits = {
		idleTimeoutMs: request.idleTimeoutMs && request.idleTimeoutMs > 0 ? request.idleTimeoutMs : DEFAULT_IDLE_TIMEOUT_MS,
		deadline: request.maxDurationMs && request.maxDurationMs > 0 ? Date.now() + request.maxDurationMs : undefined,
		signal,
	};
	let useSignedUrl = request.signedUrl !== undefined;
	return await runWithRetries<DownloadedVideo>(readPolicy, ctx.getNode(), signal, async (attempt) => {
		if (attempt > 1 && limits.deadline !== undefined && Date.now() >= limits.deadline) {
			throw stoppedError(ctx, request, { kind: 'time-limit', bytes: 0 }, limits);
		}
		const attemptAbort = new AbortController();
		const read = { idleTimeoutMs: limits.idleTimeoutMs, abortSignal: attemptAbort.signal };
		let response: StreamResponse | undefined;
		if (useSignedUrl) {
			try {
				response = await streamSignedUrl(ctx, request.signedUrl as string, request.itemIndex, read);
			} catch (error) {
				if (error instanceof ExecutionCancelledError) throw asNodeError(ctx.getNode(), error, request.itemIndex);
				// Expired or refused link: the authenticated content route serves the same bytes.
				useSignedUrl = false;
			}
		}
		if (!response) {
			// The content route requested ahead (Download) serves the first attempt when it answered.
			response = attempt === 1 ? await request.opened : undefined;
			try {
				response ??= await streamVideoContent(ctx, request.videoId, request.index, request.itemIndex, read);
			} catch (error) {
				throw asNodeError(ctx.getNode(), error, request.itemIndex);
			}
		}
		const source = useSignedUrl ? 'signed_url' : 'content';
		let storeFailure: unknown;
		try {
			const stored = await storeAndVerify(ctx, response, request, { ...limits, abortRequest: () => attemptAbort.abort() });
			return { ok: true, value: { ...stored, source } };
		} catch (error) {
			storeFailure = error;
			response.body.destroy?.();
		}
		if (signal?.aborted) throw new ExecutionCancelledError(ctx.getNode());
		if (storeFailure instanceof TransferStoppedError) {
			return { ok: false, retry: false, error: stoppedError(ctx, request, storeFailure.stop, limits) };
		}
		const problem =
			storeFailure instanceof IntegrityError
				? storeFailure.message
				: `the transfer broke off (${describeNetworkError(networkErrorCode(storeFailure))})`;
		return { ok: false, retry: true, error: incompleteDownload(ctx, request, problem, useSignedUrl) };
	});
}

function incompleteDownload(ctx: BinaryFunctions, request: VideoDownloadRequest, problem: string, fromSignedUrl: boolean): NodeApiError {
	const where = request.signedUrl && fromSignedUrl ? ` from ${redactUrl(request.signedUrl)}` : '';
	return new NodeApiError(
		ctx.getNode(),
		{ video_id: request.videoId, problem },
		{
			message: `Incomplete video download for ${request.videoId}: ${problem}`,
			description: `The video${where} was downloaded ${readPolicy.maxAttempts} times and was incomplete or corrupt each time, so no file was returned. Try again later; if it persists, report the video ID to AI Stats support.`,
			itemIndex: request.itemIndex,
		},
	);
}
