import { createHash } from 'node:crypto';
import type { IBinaryData, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { asNodeError } from './errors';
import { streamSignedUrl, streamVideoContent } from './gateway';
import { describeNetworkError, headerValue, networkErrorCode } from './network';
import { readPolicy, runWithRetries } from './retry';
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
	verifyChecksum?: boolean;
	itemIndex?: number;
}

export interface DownloadedVideo {
	binary: IBinaryData;
	bytes: number;
	sha256?: string;
	source: 'content' | 'signed_url';
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

/**
 * Reads the stored binary back as a stream to count and hash it: the download itself is handed
 * untouched to prepareBinaryData (so no copy of the video is held in memory), and this check
 * costs one sequential read of the stored file.
 */
async function measureStored(
	ctx: BinaryFunctions,
	binary: IBinaryData,
	wantHash: boolean,
): Promise<{ bytes: number; sha256?: string }> {
	const knownBytes = typeof binary.bytes === 'number' ? binary.bytes : undefined;
	if (!wantHash && knownBytes !== undefined) return { bytes: knownBytes };
	const hash = createHash('sha256');
	let bytes = 0;
	if (binary.id) {
		const stream = await ctx.helpers.getBinaryStream(binary.id);
		for await (const chunk of stream as AsyncIterable<Buffer>) {
			bytes += chunk.length;
			hash.update(chunk);
		}
	} else {
		const buffer = Buffer.from(binary.data, 'base64');
		bytes = buffer.length;
		hash.update(buffer);
	}
	return { bytes, sha256: hash.digest('hex') };
}

async function storeAndVerify(
	ctx: BinaryFunctions,
	response: StreamResponse,
	request: VideoDownloadRequest,
): Promise<{ binary: IBinaryData; bytes: number; sha256?: string }> {
	const mimeType = (headerValue(response.headers, 'content-type') ?? 'video/mp4').split(';')[0].trim() || 'video/mp4';
	const declaredLength = Number(headerValue(response.headers, 'content-length'));
	const binary = await ctx.helpers.prepareBinaryData(response.body as unknown as Buffer, request.fileName, mimeType);
	const expected = expectedAsset(request);
	const wantHash = request.verifyChecksum !== false && expected.sha256 !== undefined;
	const measured = await measureStored(ctx, binary, wantHash);
	if (Number.isFinite(declaredLength) && declaredLength > 0 && measured.bytes !== declaredLength) {
		throw new IntegrityError(`received ${measured.bytes} of ${declaredLength} bytes (Content-Length)`);
	}
	if (expected.bytes !== undefined && measured.bytes !== expected.bytes) {
		throw new IntegrityError(`received ${measured.bytes} bytes but the job's asset has ${expected.bytes}`);
	}
	if (wantHash && measured.sha256 !== expected.sha256) {
		throw new IntegrityError(`the SHA-256 of the received file (${measured.sha256}) differs from the job's asset (${expected.sha256})`);
	}
	if (measured.bytes === 0) throw new IntegrityError('received an empty file');
	binary.fileSize = binary.fileSize ?? String(measured.bytes);
	return { binary, ...measured };
}

/**
 * Streams a finished video into n8n binary data. A broken or short transfer is repeated from the
 * start (the gateway has no Range support) under the read policy; a file that is still wrong
 * after that fails the item: a truncated video is never returned as a success.
 */
export async function downloadVideo(ctx: BinaryFunctions, request: VideoDownloadRequest): Promise<DownloadedVideo> {
	const signal = 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal() : undefined;
	let useSignedUrl = request.signedUrl !== undefined;
	return await runWithRetries<DownloadedVideo>(readPolicy, ctx.getNode(), signal, async () => {
		let response: StreamResponse | undefined;
		if (useSignedUrl) {
			try {
				response = await streamSignedUrl(ctx, request.signedUrl as string, request.itemIndex);
			} catch (error) {
				if (error instanceof ExecutionCancelledError) throw asNodeError(ctx.getNode(), error, request.itemIndex);
				// Expired or refused link: the authenticated content route serves the same bytes.
				useSignedUrl = false;
			}
		}
		if (!response) {
			try {
				response = await streamVideoContent(ctx, request.videoId, request.index, request.itemIndex);
			} catch (error) {
				throw asNodeError(ctx.getNode(), error, request.itemIndex);
			}
		}
		const source = useSignedUrl ? 'signed_url' : 'content';
		let storeFailure: unknown;
		try {
			const stored = await storeAndVerify(ctx, response, request);
			return { ok: true, value: { ...stored, source } };
		} catch (error) {
			storeFailure = error;
			response.body.destroy?.();
		}
		if (signal?.aborted) throw new ExecutionCancelledError(ctx.getNode());
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
