import type { IExecuteFunctions } from 'n8n-workflow';

import { mapLimited } from '../../../../shared/concurrency';
import { isInlineWebhookRefused, asNodeError } from '../../../../shared/errors';
import { createVideo } from '../../../../shared/gateway';
import { rethrowIfCancelled } from '../../../helpers/items';
import type { CreatedJob } from '../../../waiting/items';
import type { PreparedItem } from './bodies';

/**
 * Creates every valid item's job (bounded concurrency). Failures stay per item when
 * `keepErrors` (Continue On Fail, or a caller that decides itself); otherwise the first one throws.
 */
export async function createJobs(
	ctx: IExecuteFunctions,
	prepared: PreparedItem[],
	concurrency: number,
	keepErrors = ctx.continueOnFail(),
): Promise<CreatedJob[]> {
	return await mapLimited(prepared, concurrency, async (entry): Promise<CreatedJob> => {
		if ('error' in entry) return entry;
		try {
			return { itemIndex: entry.itemIndex, job: await createVideo(ctx, entry.body, entry.itemIndex) };
		} catch (error) {
			rethrowIfCancelled(ctx, error);
			if (!keepErrors) throw asNodeError(ctx.getNode(), error, entry.itemIndex);
			return { itemIndex: entry.itemIndex, error: error as Error };
		}
	});
}

/** Without Continue On Fail, the first failed item stops the node. */
export function throwFirstCreateFailure(ctx: IExecuteFunctions, created: CreatedJob[]): void {
	if (ctx.continueOnFail()) return;
	const failed = created.find((entry): entry is { itemIndex: number; error: Error } => 'error' in entry);
	if (failed) throw asNodeError(ctx.getNode(), failed.error, failed.itemIndex);
}

/**
 * The production gateway refuses inline webhook URLs (nothing is created then): create those
 * items again without the callback. `refused` tells the caller to wait by polling instead.
 */
export async function createAgainWithoutWebhook(
	ctx: IExecuteFunctions,
	prepared: PreparedItem[],
	created: CreatedJob[],
	concurrency: number,
): Promise<{ created: CreatedJob[]; refused: boolean }> {
	const refused = created.filter((entry) => 'error' in entry && isInlineWebhookRefused(entry.error)).map((entry) => entry.itemIndex);
	if (refused.length === 0) return { created, refused: false };
	ctx.logger.warn('AI Stats: the gateway does not accept inline webhook URLs; waiting by polling instead', { jobs: refused.length });
	const retry = prepared
		.filter((entry) => refused.includes(entry.itemIndex))
		.map((entry) => {
			if (!('body' in entry)) return entry;
			const body = { ...entry.body };
			delete body.webhook;
			return { itemIndex: entry.itemIndex, body };
		});
	const recreated = await createJobs(ctx, retry, concurrency, true);
	return { created: created.map((entry) => recreated.find((again) => again.itemIndex === entry.itemIndex) ?? entry), refused: true };
}
