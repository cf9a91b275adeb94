import { createHash, type Hash } from 'node:crypto';
import { sleep } from 'n8n-workflow';

/**
 * Watches a response body while n8n stores it: counts the bytes and hashes them as they pass,
 * and stops the transfer when it stalls, runs past its time limit or the execution is cancelled.
 *
 * The count and hash come from a `data` listener added with `prependListener`. Unlike `on('data')`
 * it does not switch the stream into flowing mode, so the stream stays untouched until n8n's
 * binary store starts consuming it, however that store reads: `on('data')` (in-memory mode),
 * `pipe`/`pipeline` or async iteration (filesystem modes; `read()` emits `data` as well). Every
 * chunk the store receives passes the listener first, so there is no second pass and no copy.
 */

export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/** A Node.js Readable as far as this module uses it (node code may not import `stream`). */
export interface BodyStream {
	prependListener(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
	removeListener(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
	destroy(error?: Error): unknown;
	emit(event: 'error', error: Error): boolean;
	listenerCount(event: 'error'): number;
	readonly destroyed?: boolean;
	readonly readableFlowing?: boolean | null;
}

export interface TransferLimits {
	/** Fail when no byte arrives for this long. */
	idleTimeoutMs: number;
	/** Epoch ms by which the whole body must have arrived. */
	deadline?: number;
	signal?: AbortSignal;
	/** Aborts the request behind the body (where n8n lets a node abort its own request). */
	abortRequest?: () => void;
}

export type TransferStop =
	| { kind: 'stalled'; idleMs: number; bytes: number }
	| { kind: 'time-limit'; bytes: number }
	| { kind: 'cancelled' };

/** Thrown into the body when the watchdog stops it (the store then fails with it). */
export class TransferStoppedError extends Error {
	constructor(readonly stop: TransferStop) {
		super(`transfer stopped: ${stop.kind}`);
	}
}

export interface MeteredTransfer {
	readonly bytes: number;
	/** Why the watchdog stopped the body, if it did. */
	readonly stopped?: TransferStop;
	/** Lowercase hex SHA-256 of every byte seen; undefined when hashing was off. */
	digest(): string | undefined;
	/** Ends the watch (always call it, whether the store succeeded or not). */
	finish(): void;
}

/** How often the watchdog looks: a quarter of the idle timeout, within 100 ms – 5 s. */
function watchInterval(idleTimeoutMs: number): number {
	return Math.min(5000, Math.max(100, Math.floor(idleTimeoutMs / 4)));
}

export function meterTransfer(body: BodyStream, limits: TransferLimits, computeHash: boolean): MeteredTransfer {
	if (body.readableFlowing === true) {
		// Someone already reads it: a listener added now could miss chunks. Never the case for a
		// fresh response from n8n's request helpers; refuse rather than report a wrong count.
		throw new Error('the response body is already being read');
	}
	const hash: Hash | undefined = computeHash ? createHash('sha256') : undefined;
	let bytes = 0;
	let lastDataAt = Date.now();
	let stopped: TransferStop | undefined;
	let finished = false;
	const quit = new AbortController();

	const onData = (chunk: Buffer | string) => {
		const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
		bytes += buffer.length;
		hash?.update(buffer);
		lastDataAt = Date.now();
	};
	const stop = (reason: TransferStop) => {
		if (finished || stopped) return;
		stopped = reason;
		limits.abortRequest?.();
		if (body.destroyed) return;
		const error = new TransferStoppedError(reason);
		if (body.listenerCount('error') > 0) {
			// The store is reading: fail it now. destroy(error) alone is not enough: n8n 2.x hands out
			// axios's async-generator wrapper, whose destroy waits for the next chunk of the source,
			// which never comes when the body has stalled. (axios fails its stream the same way.)
			body.emit('error', error);
			body.destroy();
		} else {
			body.destroy(error);
		}
	};
	const onAbort = () => stop({ kind: 'cancelled' });

	body.prependListener('data', onData);
	limits.signal?.addEventListener('abort', onAbort, { once: true });
	if (limits.signal?.aborted) onAbort();

	const interval = watchInterval(limits.idleTimeoutMs);
	const watch = async () => {
		while (!finished && !stopped) {
			// n8n-workflow 2.x clears the timer when `quit` aborts; 1.x lets it run out (harmless).
			await sleep(interval, quit.signal).catch(() => undefined);
			if (finished || stopped) return;
			const now = Date.now();
			if (now - lastDataAt >= limits.idleTimeoutMs) stop({ kind: 'stalled', idleMs: now - lastDataAt, bytes });
			else if (limits.deadline !== undefined && now >= limits.deadline) stop({ kind: 'time-limit', bytes });
		}
	};
	void watch();

	return {
		get bytes() {
			return bytes;
		},
		get stopped() {
			return stopped;
		},
		digest: () => hash?.digest('hex'),
		finish: () => {
			if (finished) return;
			finished = true;
			quit.abort();
			body.removeListener('data', onData);
			limits.signal?.removeEventListener('abort', onAbort);
		},
	};
}
