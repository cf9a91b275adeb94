import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { GatewayApiError } from '../../../../shared/errors';
import { calculatePricing, type ModelEntry } from '../../../../shared/gateway';
import { rethrowIfCancelled } from '../../../helpers/items';

/**
 * The expected cost of one create body, from the gateway's pricing route (POST
 * /pricing/calculate, endpoint `video.generate`, meter `output_video_seconds`), before anything
 * is created. When the route cannot price the request the estimate is null with the reason:
 * never a guess.
 */

export const PRICING_ENDPOINT = 'video.generate';

export interface CostEstimate {
	cost_estimate: number | null;
	cost_estimate_currency: string;
	/** Why there is no estimate (null when there is one). */
	cost_estimate_reason: string | null;
	/** What was priced: provider, model, billed seconds (duration × samples), resolution, audio. */
	cost_estimate_basis: IDataObject | null;
}

function noEstimate(reason: string, basis: IDataObject | null = null): CostEstimate {
	return { cost_estimate: null, cost_estimate_currency: 'USD', cost_estimate_reason: reason, cost_estimate_basis: basis };
}

/** The catalogue's default for a parameter (`supported_params_detail.<name>.default`). */
function catalogueDefault(entry: ModelEntry, param: string): unknown {
	const detail = entry.supported_params_detail?.[param] as IDataObject | undefined;
	return detail?.default;
}

/** The provider the request goes to: the routing's first choice when it names one the model has, else the model's first. */
function providerOf(entry: ModelEntry, body: IDataObject): string | undefined {
	const providers = (Array.isArray(entry.providers) ? (entry.providers as unknown[]) : [])
		.map((provider) => (typeof provider === 'string' ? provider : String((provider as IDataObject)?.id ?? '')))
		.filter((id) => id !== '');
	const routing = (body.provider ?? {}) as IDataObject;
	const preferred = [...((routing.only as string[]) ?? []), ...((routing.order as string[]) ?? [])].find((id) => providers.includes(id));
	return preferred ?? providers[0];
}

function positiveInteger(value: unknown): number | undefined {
	const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
	return typeof number === 'number' && Number.isInteger(number) && number > 0 ? number : undefined;
}

/** The usage the gateway bills a video by, or why it cannot be known before the create. */
export function pricingUsage(body: IDataObject, entry: ModelEntry | undefined): { basis: IDataObject; usage: IDataObject; provider: string } | { reason: string } {
	const model = String(body.model ?? '');
	if (!entry) return { reason: `Model ${model} is not in the gateway's model catalogue (or the catalogue is unavailable), so its provider and defaults are unknown.` };
	const provider = providerOf(entry, body);
	if (!provider) return { reason: `The catalogue names no provider for model ${model}.` };
	const duration = positiveInteger(body.duration) ?? positiveInteger(body.seconds) ?? positiveInteger(catalogueDefault(entry, 'duration'));
	if (!duration) return { reason: `Duration is not set and model ${model} has no default duration in the catalogue.` };
	const samples = positiveInteger(body.sample_count) ?? 1;
	const resolution = body.size ?? body.resolution ?? catalogueDefault(entry, 'resolution') ?? catalogueDefault(entry, 'size');
	const audio = typeof body.generate_audio === 'boolean' ? body.generate_audio : catalogueDefault(entry, 'generate_audio');
	const videoParams: IDataObject = {};
	if (typeof resolution === 'string') videoParams.resolution = resolution;
	if (typeof audio === 'boolean') videoParams.generate_audio = audio;
	const seconds = duration * samples;
	return {
		provider,
		usage: { output_video_seconds: seconds, video_params: videoParams },
		basis: { provider, model, duration_seconds: duration, sample_count: samples, billed_seconds: seconds, ...videoParams },
	};
}

/** The estimate of one body (never throws except on cancellation). */
export async function estimateBody(
	ctx: IExecuteFunctions,
	body: IDataObject,
	entry: ModelEntry | undefined,
	itemIndex: number,
): Promise<CostEstimate> {
	const priced = pricingUsage(body, entry);
	if ('reason' in priced) return noEstimate(priced.reason);
	try {
		const answer = await calculatePricing(
			ctx,
			{ provider: priced.provider, model: String(body.model), endpoint: PRICING_ENDPOINT, usage: priced.usage },
			itemIndex,
		);
		const pricing = answer.pricing ?? {};
		const cost = Number(pricing.cost_usd);
		// The route prices usage that matches no rule at 0 with no lines: that is "unknown", not free.
		if (!Array.isArray(pricing.lines) || pricing.lines.length === 0 || !Number.isFinite(cost)) {
			return noEstimate(`The gateway has no price rule for this request (${JSON.stringify(priced.usage.video_params)}).`, priced.basis);
		}
		return {
			cost_estimate: cost,
			cost_estimate_currency: String(pricing.currency ?? 'USD').toUpperCase(),
			cost_estimate_reason: null,
			cost_estimate_basis: priced.basis,
		};
	} catch (error) {
		rethrowIfCancelled(ctx, error);
		if (error instanceof GatewayApiError && error.gateway.httpStatus === 404) {
			return noEstimate(`The gateway has no pricing data for ${String(body.model)} on ${priced.provider}.`, priced.basis);
		}
		return noEstimate(`The gateway's pricing route did not answer: ${(error as Error).message}`, priced.basis);
	}
}
