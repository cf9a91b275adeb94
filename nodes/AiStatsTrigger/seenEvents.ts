import { createHash } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

/**
 * Which event ids a trigger has already started an execution for. The gateway's event id is
 * stable across its delivery attempts (`evt_video_<job>_<delivery key>`), so one id = one event.
 *
 * Two memories, because neither is enough alone in n8n:
 * - this process's map: claimed synchronously before anything is awaited, so deliveries that
 *   overlap in one n8n process (the gateway's retries, a proxy's repeats) see each other at once;
 * - the node's workflow static data: what survives restarts. n8n reads it when a request starts
 *   and writes it back whole after `webhook()` returns, so overlapping requests overwrite each
 *   other (last writer wins); each write therefore carries everything this process has seen.
 *
 * Ids are stored as 12-hex-digit SHA-256 prefixes with the time seen: 20 characters each, so the
 * window can hold many days of events, progress events included, in a small static-data entry.
 */

/** How long an id is remembered; the gateway's last retry comes ~21 minutes after the first. */
export const SEEN_EVENTS_MAX_AGE_SECONDS = 3 * 24 * 60 * 60;
/** How many ids are remembered per trigger (≈ 400 KB of static data when full). */
export const SEEN_EVENTS_MAX_COUNT = 20_000;

const RECORD_LENGTH = 20;
const DIGEST_LENGTH = 12;

/** Seen ids of every trigger in this process: scope → digest → unix seconds, oldest first. */
const processSeen = new Map<string, Map<string, number>>();

function digest(eventId: string): string {
	return createHash('sha256').update(eventId).digest('hex').slice(0, DIGEST_LENGTH);
}

function nowSeconds(): number {
	return Math.floor(Date.now() / 1000);
}

/** Drops what is too old, then the oldest beyond the count limit (a Map keeps insertion order). */
function prune(seen: Map<string, number>, now: number): void {
	for (const [id, at] of seen) {
		if (now - at < SEEN_EVENTS_MAX_AGE_SECONDS && seen.size <= SEEN_EVENTS_MAX_COUNT) break;
		seen.delete(id);
	}
}

/** The stored window: "<12 hex digest><8 hex seconds>" records, oldest first; older formats read too. */
function readStored(staticData: IDataObject): Map<string, number> {
	const stored = new Map<string, number>();
	const value = staticData.seenEvents;
	if (typeof value === 'string') {
		for (let offset = 0; offset + RECORD_LENGTH <= value.length; offset += RECORD_LENGTH) {
			stored.set(value.slice(offset, offset + DIGEST_LENGTH), parseInt(value.slice(offset + DIGEST_LENGTH, offset + RECORD_LENGTH), 16));
		}
	} else if (Array.isArray(value)) {
		// Version 1 of the node kept [eventId, unixSeconds] pairs.
		for (const entry of value as Array<[string, number]>) {
			if (Array.isArray(entry) && typeof entry[0] === 'string') stored.set(digest(entry[0]), Number(entry[1]) || 0);
		}
	}
	return stored;
}

/** When `id` was stored, without parsing the whole window (one native string search per hit). */
function storedAt(staticData: IDataObject, id: string): number | undefined {
	const value = staticData.seenEvents;
	if (typeof value !== 'string') return readStored(staticData).get(id);
	for (let offset = value.indexOf(id); offset !== -1; offset = value.indexOf(id, offset + 1)) {
		if (offset % RECORD_LENGTH === 0) return parseInt(value.slice(offset + DIGEST_LENGTH, offset + RECORD_LENGTH), 16);
	}
	return undefined;
}

function writeStored(staticData: IDataObject, seen: Map<string, number>): void {
	let text = '';
	for (const [id, at] of seen) text += id + at.toString(16).padStart(RECORD_LENGTH - DIGEST_LENGTH, '0');
	staticData.seenEvents = text;
}

function scopeMap(scope: string): Map<string, number> {
	let seen = processSeen.get(scope);
	if (!seen) {
		seen = new Map();
		processSeen.set(scope, seen);
	}
	return seen;
}

/**
 * Claims `eventId` for one execution: false when it was already claimed (in this process, or in
 * the stored window). Synchronous on purpose: nothing may run between the check and the claim.
 */
export function claimEvent(scope: string, staticData: IDataObject, eventId: string): boolean {
	const now = nowSeconds();
	const id = digest(eventId);
	const mine = scopeMap(scope);
	prune(mine, now);
	if (mine.has(id)) return false;
	const at = storedAt(staticData, id);
	if (at !== undefined && now - at < SEEN_EVENTS_MAX_AGE_SECONDS) {
		mine.set(id, at);
		return false;
	}
	mine.set(id, now);
	return true;
}

/**
 * Writes the window to static data: what was stored, plus everything this process has claimed
 * (so a write that races another request's write still carries that request's id), bounded by
 * age and count. Call it last before returning from `webhook()`, and return `noWebhookResponse`:
 * n8n saves static data when the node's response is settled, which for a node that returns
 * workflow items with n8n's own response happens only after the run has reset the change flag
 * (n8n 2.x), i.e. never.
 */
export function persistClaims(scope: string, staticData: IDataObject): void {
	const now = nowSeconds();
	const merged = readStored(staticData);
	for (const [id, at] of scopeMap(scope)) if ((merged.get(id) ?? -1) < at) merged.set(id, at);
	const ordered = new Map([...merged].sort((a, b) => a[1] - b[1]));
	prune(ordered, now);
	writeStored(staticData, ordered);
}
