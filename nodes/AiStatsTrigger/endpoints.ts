import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readApiKey, readManagementKey } from '../shared/credentials';
import { GatewayApiError, asNodeError } from '../shared/errors';
import {
	createWebhookEndpoint,
	deleteWebhookEndpoint,
	getWebhookEndpoint,
	updateWebhookEndpoint,
	type WebhookEndpoint,
} from '../shared/gateway';

/**
 * Registered-endpoint mode: the trigger's URL is registered with the gateway's management API
 * once; the endpoint id and its signing secret live in the node's static data and are reused on
 * every later activation (deactivate/activate, re-publish, restarts). n8n calls `delete` for a
 * deactivation, a re-publish and a removal alike, so the endpoint is kept there unless the user
 * chose otherwise: jobs already running keep their endpoint, and the gateway retries deliveries
 * that arrive while the workflow is inactive.
 */

export interface EndpointState extends IDataObject {
	endpointId?: string;
	signingSecret?: string;
	endpointUrl?: string;
}

function state(ctx: IHookFunctions): EndpointState {
	return ctx.getWorkflowStaticData('node') as EndpointState;
}

function forget(saved: EndpointState): void {
	delete saved.endpointId;
	delete saved.signingSecret;
	delete saved.endpointUrl;
}

/** The URL as the gateway stores it (trimmed, parsed, fragment dropped), for comparing. */
export function normalizeEndpointUrl(url: string): string {
	try {
		const parsed = new URL(url.trim());
		parsed.hash = '';
		return parsed.toString();
	} catch {
		return url.trim();
	}
}

/** The subscription as the gateway stores it: lower case, no repeats, order ignored. */
function sameEvents(a: string[] = [], b: string[] = []): boolean {
	const norm = (list: string[]) => [...new Set(list.map((event) => event.trim().toLowerCase()))].sort().join(',');
	return norm(a) === norm(b);
}

/**
 * The bearer for /webhook-endpoints: the credential's Management Key. A credential from before
 * that field, whose API Key is a management key, still works ('' = send the API Key).
 */
async function managementKey(ctx: IHookFunctions): Promise<string> {
	const key = await readManagementKey(ctx);
	if (key || /^phaseo_v1_mk_/.test((await readApiKey(ctx)).trim())) return key;
	throw new NodeOperationError(ctx.getNode(), 'The AI Stats credential has no Management Key', {
		description:
			'Registered Endpoint mode registers this trigger with a management key (phaseo_v1_mk_…): add it to the credential\'s "Management Key" field, next to the inference key in "API Key".',
	});
}

function webhookUrl(ctx: IHookFunctions): string {
	const url = ctx.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(ctx.getNode(), 'n8n did not provide a webhook URL for this trigger');
	return url;
}

/** Registration errors worth their own explanation; anything else as the gateway said it. */
function registrationError(ctx: IHookFunctions, error: unknown): Error {
	if (error instanceof GatewayApiError && error.gateway.reason === 'batch_api_feature_flag_disabled') {
		return new NodeOperationError(ctx.getNode(), 'Webhook endpoints need the Batch API feature of your AI Stats workspace (403 batch_api_feature_flag_disabled)', {
			description:
				'The gateway only lets workspaces with the Batch API feature register webhook endpoints. Ask AI Stats to enable the Batch API for the workspace, or use Signing Secret Source "Shared Secret" on a gateway that accepts inline webhooks.',
		});
	}
	return asNodeError(ctx.getNode(), error);
}

/**
 * Activation: true when the stored endpoint still exists at the gateway. Its URL, events and
 * status are brought up to date in place (PATCH), so id and secret stay the same.
 */
export async function endpointExists(ctx: IHookFunctions, events: string[]): Promise<boolean> {
	const saved = state(ctx);
	if (!saved.endpointId || !saved.signingSecret) return false;
	const key = await managementKey(ctx);
	let endpoint: WebhookEndpoint;
	try {
		endpoint = await getWebhookEndpoint(ctx, saved.endpointId, key);
	} catch (error) {
		if (error instanceof GatewayApiError && error.gateway.httpStatus === 404) {
			// Deleted at the gateway (or by the user): register a new one.
			forget(saved);
			return false;
		}
		throw registrationError(ctx, error);
	}
	const url = webhookUrl(ctx);
	const changes: { url?: string; events?: string[]; status?: 'active' } = {};
	if (normalizeEndpointUrl(endpoint.url ?? '') !== normalizeEndpointUrl(url)) changes.url = url;
	if (!sameEvents(endpoint.events, events)) changes.events = events;
	if (endpoint.status === 'disabled') changes.status = 'active';
	if (Object.keys(changes).length > 0) {
		try {
			await updateWebhookEndpoint(ctx, saved.endpointId, changes, key);
		} catch (error) {
			throw registrationError(ctx, error);
		}
	}
	if (saved.endpointUrl !== url) saved.endpointUrl = url;
	return true;
}

export async function registerEndpoint(ctx: IHookFunctions, events: string[]): Promise<boolean> {
	const url = webhookUrl(ctx);
	const workflow = ctx.getWorkflow();
	const key = await managementKey(ctx);
	let endpoint: WebhookEndpoint;
	try {
		endpoint = await createWebhookEndpoint(
			ctx,
			{ name: `n8n: ${workflow.name ?? workflow.id ?? 'workflow'}`.slice(0, 100), url, events },
			key,
		);
	} catch (error) {
		throw registrationError(ctx, error);
	}
	if (!endpoint.id || !endpoint.signing_secret) {
		throw new NodeOperationError(ctx.getNode(), 'The gateway registered the endpoint but returned no ID or signing secret');
	}
	const saved = state(ctx);
	saved.endpointId = endpoint.id;
	saved.signingSecret = endpoint.signing_secret;
	saved.endpointUrl = url;
	return true;
}

/**
 * Deactivation, re-publish or removal (n8n does not say which). Keeps the endpoint and its state
 * unless `deleteAtGateway` (the node's explicit option): then the endpoint is deleted and forgotten.
 */
export async function releaseEndpoint(ctx: IHookFunctions, deleteAtGateway: boolean): Promise<boolean> {
	if (!deleteAtGateway) return true;
	const saved = state(ctx);
	if (saved.endpointId) {
		try {
			await deleteWebhookEndpoint(ctx, saved.endpointId, await managementKey(ctx));
		} catch (error) {
			// Already gone at the gateway: nothing left to clean up.
			if (!(error instanceof GatewayApiError && error.gateway.httpStatus === 404)) return false;
		}
	}
	forget(saved);
	return true;
}
