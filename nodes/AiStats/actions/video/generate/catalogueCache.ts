import { createHash } from 'node:crypto';
import type { IExecuteFunctions } from 'n8n-workflow';

import { readApiKey, readBaseUrl } from '../../../../shared/credentials';
import { listModels, type ModelEntry } from '../../../../shared/gateway';

/**
 * The model catalogue for the model check, kept for a short time across executions: a workflow
 * that generates every few seconds should not read the whole catalogue each time. Keyed by Base
 * URL and a hash of the key (a different account can see different models); failures are not kept.
 */
export const CATALOGUE_TTL_MS = 60_000;
const MAX_ENTRIES = 50;

const cache = new Map<string, { storedAt: number; entries: Promise<ModelEntry[]> }>();

async function cacheKey(ctx: IExecuteFunctions): Promise<string> {
	const baseUrl = await readBaseUrl(ctx);
	return createHash('sha256').update(`${baseUrl}\n${await readApiKey(ctx)}`).digest('hex');
}

/** The catalogue's entries; throws what the gateway request threw. */
export async function cachedCatalogue(ctx: IExecuteFunctions): Promise<ModelEntry[]> {
	const key = await cacheKey(ctx);
	const now = Date.now();
	const cached = cache.get(key);
	if (cached && now - cached.storedAt < CATALOGUE_TTL_MS) return await cached.entries;
	for (const [staleKey, entry] of cache) {
		if (now - entry.storedAt >= CATALOGUE_TTL_MS || cache.size >= MAX_ENTRIES) cache.delete(staleKey);
	}
	const entries = listModels(ctx).then((list) => {
		if (!Array.isArray(list.data)) throw new Error('the catalogue answer has no data list');
		return list.data;
	});
	cache.set(key, { storedAt: now, entries });
	entries.catch(() => {
		if (cache.get(key)?.entries === entries) cache.delete(key);
	});
	return await entries;
}

/** Drops every cached catalogue (tests that count catalogue reads start from here). */
export function forgetCachedCatalogues(): void {
	cache.clear();
}
