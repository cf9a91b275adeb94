import type {
	IExecuteFunctions,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { CREDENTIAL_NAME } from '../shared/credentials';
import { properties } from './actions/descriptions';
import { router } from './actions/router';
import { searchModels, searchVideos } from './methods/listSearch';
import { RESUME_WEBHOOK_PATH } from './waiting/park';
import { resumeWebhook } from './waiting/resume';

export class AiStats implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AI Stats',
		name: 'aiStats',
		icon: { light: 'file:aiStats.svg', dark: 'file:aiStats.dark.svg' },
		// n8n 3.0 drops defaults.color for iconColor (a preset of its design system; n8n 1.x knows it too).
		iconColor: 'violet',
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Generate, wait for and download AI videos with the AI Stats Gateway',
		defaults: { name: 'AI Stats' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_NAME, required: true }],
		// Only used by Generate in "Webhook (Resume)" mode: the gateway calls this execution's
		// resume URL, so nothing is registered when the workflow is activated.
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: RESUME_WEBHOOK_PATH,
				restartWebhook: true,
				isFullPath: false,
			},
		],
		properties,
	};

	methods = {
		listSearch: { searchModels, searchVideos },
	};

	// The resume URL belongs to one waiting execution and is handed to the gateway with each
	// job, so there is nothing to register or remove with the gateway on (de)activation.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await resumeWebhook(this);
	}
}
