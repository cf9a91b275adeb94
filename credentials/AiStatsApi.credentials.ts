import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * AI Stats (Phaseo) Gateway key. The test request reads the gateway's error body instead of
 * failing on the status, so the UI can tell a wrong key from a workspace without video access.
 */
export class AiStatsApi implements ICredentialType {
	name = 'aiStatsApi';

	displayName = 'AI Stats API';

	icon = { light: 'file:../nodes/AiStats/aiStats.svg', dark: 'file:../nodes/AiStats/aiStats.dark.svg' } as const;

	documentationUrl = 'https://docs.ai-stats.phaseo.app';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'phaseo_v1_sk_...',
			description:
				'An inference key (phaseo_v1_sk_… or aistats_v1_sk_…) for the video operations',
		},
		{
			displayName: 'Management Key',
			name: 'managementKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'phaseo_v1_mk_...',
			description:
				'Optional. A management key (phaseo_v1_mk_…) lets the nodes register webhook endpoints at the gateway: the AI Stats Trigger in "Registered Endpoint" mode, and Generate\'s Webhook (Resume) mode on gateways that only accept registered endpoints. Needs the workspace\'s Batch API feature.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.phaseo.app/v1',
			description: 'Change only for staging, a self-hosted gateway or a local simulator',
		},
		{
			displayName: 'Webhook Signing Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Secret used to sign and verify webhook deliveries (inline webhook URLs, the resume mode of Generate, and the AI Stats Trigger in "Shared Secret" mode). Leave empty if you do not use webhooks.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/videos',
			qs: { limit: 1 },
			// Read error bodies as data so the rules below can name the gateway's reason.
			ignoreHttpStatusErrors: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'reason',
					value: 'video_api_feature_disabled',
					message:
						'The key is valid, but the video API is not enabled for this workspace (501 video_api_feature_disabled). Ask the workspace owner to enable video generation.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'reason',
					value: 'key_not_found_or_revoked',
					message: 'Invalid API key (401 key_not_found_or_revoked): the key does not exist or was revoked',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'reason',
					value: 'invalid_key_format',
					message:
						'Invalid API key (401 invalid_key_format): inference keys look like phaseo_v1_sk_… (or aistats_v1_sk_…)',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'reason',
					value: 'key_expired',
					message: 'Invalid API key (401 key_expired): the key has expired',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: 'unauthorised',
					message:
						'Invalid API key (401 unauthorised): the gateway refused this key for the video API (management keys only work with the AI Stats Trigger)',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: 'not_implemented_yet',
					message: 'The video API is not available for this key (501 not_implemented_yet)',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: 'key_limit_exceeded',
					message: 'The key is valid but rate limited right now (429 key_limit_exceeded)',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error',
					value: 'gateway_error',
					message: 'The gateway had an internal error (500 gateway_error). Try again in a moment.',
				},
			},
			{
				// A real gateway answers the list route with {object:"list"}: anything else means the
				// base URL points somewhere else, or the gateway answered with an error page.
				type: 'responseSuccessBody',
				properties: {
					key: 'object',
					value: undefined,
					message:
						'The Base URL did not answer like the AI Stats video API (expected a list of videos). Check the Base URL, e.g. https://api.phaseo.app/v1',
				},
			},
		],
	};
}
