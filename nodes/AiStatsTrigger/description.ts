import type { INodeProperties } from 'n8n-workflow';

import { downloadIdleTimeoutOption } from '../shared/download.description';
import { TRIGGER_DEFAULT_EVENTS, eventOptions } from '../shared/events';

export const TRIGGER_WEBHOOK_PATH = 'ai-stats';

export const triggerProperties: INodeProperties[] = [
	{
		displayName: 'Signing Secret Source',
		name: 'secretSource',
		type: 'options',
		options: [
			{
				name: 'Registered Endpoint',
				value: 'registeredEndpoint',
				description:
					'Register this trigger\'s URL with the gateway when the workflow is activated (needs a management key, phaseo_v1_mk_…); the gateway issues the secret',
			},
			{
				name: 'Shared Secret',
				value: 'sharedSecret',
				description:
					'Verify with the credential\'s Webhook Signing Secret, the same one Generate sends with an inline webhook URL',
			},
		],
		default: 'sharedSecret',
	},
	{
		displayName:
			'Deliveries are verified with the Webhook Signing Secret of the credential. Activation fails while the credential has no secret: unsigned events are never accepted. In Generate, set Notify Webhook → URL to this trigger\'s production URL.',
		name: 'sharedSecretNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { secretSource: ['sharedSecret'] } },
	},
	{
		displayName:
			'The first activation registers this trigger\'s URL at the gateway (POST /webhook-endpoints) with the credential\'s Management Key and stores the issued signing secret. Later activations, re-publishing and restarts reuse the same endpoint (its URL and events are updated if they changed), and deactivating keeps it, so jobs already running still get their events. The endpoint ID appears in every output item as "endpoint_id": use it in Generate → Notify Webhook → Endpoint ID. The gateway must reach this n8n over public https.',
		name: 'registeredNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { secretSource: ['registeredEndpoint'] } },
	},
	{
		displayName: 'Delete Endpoint on Deactivation',
		name: 'deleteEndpointOnDeactivation',
		type: 'boolean',
		default: false,
		displayOptions: { show: { secretSource: ['registeredEndpoint'] } },
		description:
			'Whether to delete the registered endpoint at the gateway when the workflow is deactivated or re-published. Off: the endpoint (and its ID in Generate nodes) stays, and events of running jobs arrive after reactivation through the gateway\'s retries. n8n cannot tell a removal from a deactivation: delete endpoints you no longer use in the AI Stats dashboard, or turn this on before deactivating for the last time.',
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: eventOptions(true),
		default: [...TRIGGER_DEFAULT_EVENTS],
		required: true,
		description: 'Which events start the workflow; others are acknowledged and dropped',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Download Time Limit (Seconds)',
				name: 'downloadTimeLimit',
				type: 'number',
				typeOptions: { minValue: 5, maxValue: 3600 },
				default: 90,
				description:
					'With Download Video on: the execution starts by then at the latest: with the file, or with "download_error" when the download failed, stalled or is still running',
			},
			{
				displayName: 'Download Video',
				name: 'downloadVideo',
				type: 'boolean',
				default: false,
				description:
					'Whether to put the video into the output item as binary data on "Completed" events (from the event\'s signed link, or the authenticated content route with the API Key if it expired). A download that fails or runs past the time limit gives an item with "download_error" instead.',
			},
			downloadIdleTimeoutOption,
			{
				displayName: 'Drop Duplicate Deliveries',
				name: 'dropDuplicates',
				type: 'boolean',
				default: true,
				description:
					'Whether to ignore a redelivered event (same event ID) seen recently; the gateway delivers at least once, so duplicates happen',
			},
			{
				displayName: 'Include Signed Links',
				name: 'includeSignedLinks',
				type: 'boolean',
				default: false,
				description:
					'Whether to keep the event\'s signed download link (data.download_url, valid without a key for 15 minutes) in the output; off by default so it does not end up in execution logs',
			},
			{
				displayName: 'Put Output File in Field',
				name: 'binaryPropertyName',
				type: 'string',
				default: 'data',
				description: 'The name of the output binary field to put the video in',
			},
			{
				displayName: 'Timestamp Tolerance (Seconds)',
				name: 'toleranceSeconds',
				type: 'number',
				typeOptions: { minValue: 30, maxValue: 3600 },
				default: 300,
				description: 'Reject deliveries whose signed timestamp is further than this from now (replay protection)',
			},
		],
	},
];
