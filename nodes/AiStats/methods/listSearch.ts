import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { listModels, listVideos } from '../../shared/gateway';

function matches(filter: string | undefined, ...values: unknown[]): boolean {
	if (!filter) return true;
	const needle = filter.toLowerCase();
	return values.some((value) => typeof value === 'string' && value.toLowerCase().includes(needle));
}

/** Active video models from the gateway catalogue, searchable by ID or name. */
export async function searchModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const list = await listModels(this);
	const results: INodeListSearchItems[] = (list.data ?? [])
		.filter((model) => typeof model.model === 'string' && (model.status === undefined || model.status === 'active'))
		.filter((model) => matches(filter, model.model, model.name))
		.map((model) => {
			const inputs = Array.isArray(model.input_types) ? ` (${(model.input_types as string[]).join(', ')} → video)` : '';
			return {
				name: `${typeof model.name === 'string' ? model.name : String(model.model)}${inputs}`,
				value: String(model.model),
			};
		})
		.sort((a, b) => a.name.localeCompare(b.name));
	return { results };
}

function formatCreated(value: unknown): string {
	const date = typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : undefined;
	return date && !Number.isNaN(date.getTime()) ? date.toISOString().replace('T', ' ').slice(0, 16) : '';
}

/** Recent video jobs (newest first, one page per request, paged with the gateway's cursor). */
export async function searchVideos(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const page = await listVideos(this, { limit: 100, order: 'desc', ...(paginationToken ? { after: paginationToken } : {}) });
	const data = page.data ?? [];
	const results = data
		.filter((job) => matches(filter, job.id, job.model, job.status))
		.map((job) => ({
			name: [job.model, job.status, formatCreated(job.created_at)].filter(Boolean).join(' · ') || job.id,
			value: job.id,
			description: job.id,
		}));
	const last = page.last_id ?? data[data.length - 1]?.id;
	return { results, paginationToken: page.has_more && last ? last : undefined };
}
