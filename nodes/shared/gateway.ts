import type { IDataObject } from 'n8n-workflow';

import type { FormBody } from './multipart';
import { createPolicy, noRetryPolicy, readPolicy } from './retry';
import { gatewayRequest, gatewayStream, type BodyReadOptions, type GatewayFunctions, type StreamResponse } from './transport';
import type { VideoJob } from './video';

/**
 * One function per gateway route, with the types of what they answer. Operations, waiting, list
 * search and the trigger call these; transport.ts does the sending.
 */

export interface VideoList {
	data?: VideoJob[];
	has_more?: boolean;
	last_id?: string | null;
}

/** An entry of GET /videos/models (the fields the node reads; the detail format is open). */
export interface ModelEntry extends IDataObject {
	model: string;
	name?: string;
	status?: string;
	input_types?: string[];
	supported_params?: string[];
	supported_params_detail?: IDataObject;
}

export interface ModelList {
	data?: ModelEntry[];
}

export interface DownloadLinkRequest {
	index: number;
	ttl_seconds: number;
	disposition: string;
}

export interface DownloadLink {
	download_url: string;
	expires_at: number;
}

export interface WebhookEndpoint {
	id: string;
	name?: string;
	url?: string;
	status?: string;
	events?: string[];
	signing_secret?: string;
}

export interface WebhookEndpointList {
	data?: WebhookEndpoint[];
}

export interface WebhookEndpointRequest {
	name: string;
	url: string;
	events: string[];
}

/** A blank ID would ask for the collection route (`/videos/`) instead of one job. */
function idSegment(id: string, what: string): string {
	if (typeof id !== 'string' || id.trim() === '') throw new Error(`${what} is empty: there is nothing to ask the gateway for`);
	return encodeURIComponent(id.trim());
}

function videoPath(videoId: string): string {
	return `/videos/${idSegment(videoId, 'Video ID')}`;
}

function endpointPath(endpointId: string): string {
	return `/webhook-endpoints/${idSegment(endpointId, 'Webhook endpoint ID')}`;
}

/** POST /videos. Never repeated once sent: a repeat may bill a second job. */
export async function createVideo(ctx: GatewayFunctions, body: IDataObject | FormBody, itemIndex?: number): Promise<VideoJob> {
	return await gatewayRequest<VideoJob>(ctx, { method: 'POST', path: '/videos', body, retry: createPolicy, itemIndex });
}

/** GET /videos/{id}. */
export async function getVideo(ctx: GatewayFunctions, videoId: string, itemIndex?: number): Promise<VideoJob> {
	return await gatewayRequest<VideoJob>(ctx, { method: 'GET', path: videoPath(videoId), itemIndex });
}

/** GET /videos: one page, newest or oldest first, after the cursor `after`. */
export async function listVideos(ctx: GatewayFunctions, qs: IDataObject, itemIndex?: number): Promise<VideoList> {
	return await gatewayRequest<VideoList>(ctx, { method: 'GET', path: '/videos', qs, itemIndex });
}

/** DELETE /videos/{id}. */
export async function deleteVideo(ctx: GatewayFunctions, videoId: string, itemIndex?: number): Promise<IDataObject> {
	return await gatewayRequest<IDataObject>(ctx, { method: 'DELETE', path: videoPath(videoId), itemIndex });
}

/** POST /videos/{id}/download_url. Asking for a link twice is harmless, so it is read-retried. */
export async function createDownloadUrl(
	ctx: GatewayFunctions,
	videoId: string,
	request: DownloadLinkRequest,
	itemIndex?: number,
): Promise<DownloadLink> {
	return await gatewayRequest<DownloadLink>(ctx, {
		method: 'POST',
		path: `${videoPath(videoId)}/download_url`,
		body: { ...request },
		retry: readPolicy,
		itemIndex,
	});
}

/** GET /videos/{id}/content as a stream; `index` undefined = the gateway's default without `?index=`. */
export async function streamVideoContent(
	ctx: GatewayFunctions,
	videoId: string,
	index: number | undefined,
	itemIndex?: number,
	read?: BodyReadOptions,
): Promise<StreamResponse> {
	return await gatewayStream(
		ctx,
		{
			target: { path: `${videoPath(videoId)}/content`, qs: index !== undefined ? { index } : undefined },
			what: 'download the video',
			itemIndex,
		},
		read,
	);
}

/** A signed download link, opened without the key. */
export async function streamSignedUrl(ctx: GatewayFunctions, url: string, itemIndex?: number, read?: BodyReadOptions): Promise<StreamResponse> {
	return await gatewayStream(ctx, { target: { signedUrl: url }, what: 'download the video from its signed link', itemIndex }, read);
}

/** GET /videos/models, optionally only models supporting all of `params`. */
export async function listModels(ctx: GatewayFunctions, params: string[] = [], itemIndex?: number): Promise<ModelList> {
	return await gatewayRequest<ModelList>(ctx, {
		method: 'GET',
		path: '/videos/models',
		qs: params.length ? { params: params.join(',') } : undefined,
		itemIndex,
	});
}

/**
 * The `/webhook-endpoints` routes take a management key (`managementKey`) as the bearer; without
 * one they are sent with the credential's inference key, which production refuses.
 */

/** GET /webhook-endpoints/{id}. */
export async function getWebhookEndpoint(ctx: GatewayFunctions, endpointId: string, managementKey?: string): Promise<WebhookEndpoint> {
	return await gatewayRequest<WebhookEndpoint>(ctx, { method: 'GET', path: endpointPath(endpointId), bearer: managementKey || undefined });
}

/** GET /webhook-endpoints: one page (`limit` ≤ 100, `offset`), newest first. */
export async function listWebhookEndpoints(ctx: GatewayFunctions, qs: IDataObject, managementKey?: string): Promise<WebhookEndpointList> {
	return await gatewayRequest<WebhookEndpointList>(ctx, { method: 'GET', path: '/webhook-endpoints', qs, bearer: managementKey || undefined });
}

/** POST /webhook-endpoints: the answer carries the signing secret, once. */
export async function createWebhookEndpoint(ctx: GatewayFunctions, request: WebhookEndpointRequest, managementKey?: string): Promise<WebhookEndpoint> {
	return await gatewayRequest<WebhookEndpoint>(ctx, { method: 'POST', path: '/webhook-endpoints', body: { ...request }, bearer: managementKey || undefined });
}

/**
 * DELETE /webhook-endpoints/{id}. The gateway deletes with a compare-and-set (only a row not yet
 * deleted; 404 otherwise), so of concurrent deletes exactly one succeeds. `once` sends it a
 * single time: a repeat after a lost answer would see 404 and misread its own success.
 */
export async function deleteWebhookEndpoint(ctx: GatewayFunctions, endpointId: string, managementKey?: string, once = false): Promise<void> {
	await gatewayRequest(ctx, {
		method: 'DELETE',
		path: endpointPath(endpointId),
		bearer: managementKey || undefined,
		...(once ? { retry: noRetryPolicy } : {}),
	});
}

/** PATCH /webhook-endpoints/{id}: URL, events or status; id and secret stay, so repeating it is harmless. */
export async function updateWebhookEndpoint(
	ctx: GatewayFunctions,
	endpointId: string,
	changes: Partial<WebhookEndpointRequest> & { status?: 'active' | 'disabled' },
	managementKey?: string,
): Promise<WebhookEndpoint> {
	return await gatewayRequest<WebhookEndpoint>(ctx, {
		method: 'PATCH',
		path: endpointPath(endpointId),
		body: { ...changes },
		retry: readPolicy,
		bearer: managementKey || undefined,
	});
}

/** POST /pricing/calculate: a bill computed from a usage description (nothing is created). */
export interface PricingRequest {
	provider: string;
	model: string;
	endpoint: string;
	usage: IDataObject;
}

export interface PricingAnswer {
	ok?: boolean;
	pricing?: { cost_usd?: number | string; cost_usd_str?: string; currency?: string; lines?: IDataObject[] };
}

/** POST /pricing/calculate. Asking twice is harmless, so it is read-retried. */
export async function calculatePricing(ctx: GatewayFunctions, request: PricingRequest, itemIndex?: number): Promise<PricingAnswer> {
	return await gatewayRequest<PricingAnswer>(ctx, { method: 'POST', path: '/pricing/calculate', body: { ...request }, retry: readPolicy, itemIndex });
}

/** GET /credits, with the management key (the inference key is refused). */
export async function getCredits(ctx: GatewayFunctions, managementKey: string, itemIndex?: number): Promise<IDataObject> {
	return await gatewayRequest<IDataObject>(ctx, { method: 'GET', path: '/credits', bearer: managementKey, itemIndex });
}

/** GET /generations?id=: the cost and routing of one request. */
export async function getGeneration(ctx: GatewayFunctions, requestId: string, itemIndex?: number): Promise<IDataObject> {
	return await gatewayRequest<IDataObject>(ctx, { method: 'GET', path: '/generations', qs: { id: requestId }, itemIndex });
}
