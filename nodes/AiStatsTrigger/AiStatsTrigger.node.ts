import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { CREDENTIAL_NAME, readWebhookSecret } from '../shared/credentials';
import { normalizeEventName } from '../shared/events';
import { handleDelivery } from './delivery';
import { TRIGGER_WEBHOOK_PATH, triggerProperties } from './description';
import { deleteEndpoint, endpointExists, registerEndpoint } from './endpoints';

function usesRegisteredEndpoint(ctx: IHookFunctions): boolean {
	return ctx.getNodeParameter('secretSource', 'sharedSecret') === 'registeredEndpoint';
}

export class AiStatsTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AI Stats Trigger',
		name: 'aiStatsTrigger',
		icon: { light: 'file:aiStats.svg', dark: 'file:aiStats.dark.svg' },
		// n8n 3.0 drops defaults.color for iconColor (a preset of its design system; n8n 1.x knows it too).
		iconColor: 'violet',
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["events"].join(", ")}}',
		description: 'Starts the workflow when the AI Stats Gateway reports a video event (completed, failed, …)',
		defaults: { name: 'AI Stats Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_NAME, required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: TRIGGER_WEBHOOK_PATH,
			},
		],
		properties: triggerProperties,
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				if (!usesRegisteredEndpoint(this)) return true;
				return await endpointExists(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				if (!usesRegisteredEndpoint(this)) {
					// Never accept unsigned events: refuse to activate without a secret.
					if (!(await readWebhookSecret(this))) {
						throw new NodeOperationError(this.getNode(), 'The AI Stats credential has no Webhook Signing Secret', {
							description:
								'Signing Secret Source is "Shared Secret": add the secret (the one Generate sends with its webhook URL) to the credential, or switch to "Registered Endpoint".',
						});
					}
					return true;
				}
				const events = (this.getNodeParameter('events', []) as string[]).map(normalizeEventName);
				return await registerEndpoint(this, events);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				if (!usesRegisteredEndpoint(this)) return true;
				return await deleteEndpoint(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await handleDelivery(this);
	}
}
