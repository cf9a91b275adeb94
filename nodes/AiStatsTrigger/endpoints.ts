import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { GatewayApiError, asNodeError } from '../shared/errors';
import { createWebhookEndpoint, deleteWebhookEndpoint, getWebhookEndpoint } from '../shared/gateway';

/**
 * Registered-endpoint mode: the trigger's production (or test) URL is registered with the
 * gateway's management API; the endpoint id and its signing secret live in the node's static data.
 */

export interface EndpointState extends IDataObject {
	endpointId?: string;
	signingSecret?: string;
	endpointUrl?: string;
}

function state(ctx: IHookFunctions): EndpointState {
	return ctx.getWorkflowStaticData('node') as EndpointState;
}

export async function endpointExists(ctx: IHookFunctions): Promise<boolean> {
	const saved = state(ctx);
	if (!saved.endpointId) return false;
	try {
		const endpoint = await getWebhookEndpoint(ctx, saved.endpointId);
		// A stored secret is required to verify; an endpoint for another URL is not ours.
		return endpoint.url === ctx.getNodeWebhookUrl('default') && Boolean(saved.signingSecret);
	} catch (error) {
		if (error instanceof GatewayApiError && error.gateway.httpStatus === 404) {
			delete saved.endpointId;
			delete saved.signingSecret;
			delete saved.endpointUrl;
			return false;
		}
		throw asNodeError(ctx.getNode(), error);
	}
}

export async function registerEndpoint(ctx: IHookFunctions, events: string[]): Promise<boolean> {
	const url = ctx.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(ctx.getNode(), 'n8n did not provide a webhook URL for this trigger');
	const workflow = ctx.getWorkflow();
	const endpoint = await createWebhookEndpoint(ctx, {
		name: `n8n: ${workflow.name ?? workflow.id ?? 'workflow'}`.slice(0, 100),
		url,
		events,
	});
	if (!endpoint.id || !endpoint.signing_secret) {
		throw new NodeOperationError(ctx.getNode(), 'The gateway registered the endpoint but returned no ID or signing secret');
	}
	const saved = state(ctx);
	saved.endpointId = endpoint.id;
	saved.signingSecret = endpoint.signing_secret;
	saved.endpointUrl = url;
	return true;
}

export async function deleteEndpoint(ctx: IHookFunctions): Promise<boolean> {
	const saved = state(ctx);
	if (saved.endpointId) {
		try {
			await deleteWebhookEndpoint(ctx, saved.endpointId);
		} catch (error) {
			// Already gone at the gateway: nothing left to clean up.
			if (!(error instanceof GatewayApiError && error.gateway.httpStatus === 404)) return false;
		}
	}
	delete saved.endpointId;
	delete saved.signingSecret;
	delete saved.endpointUrl;
	return true;
}
