import type { INodeProperties } from 'n8n-workflow';

import { downloadIdleTimeoutOption, verifyChecksumOption } from '../../../../shared/download.description';
import { eventOptions } from '../../../../shared/events';
import { includeSignedLinksOption, multipleOutputsOption } from '../../common.description';
import { REFERENCE_ROLES } from './body';
import { createFieldProperties } from './fields';

const roleNames: Record<(typeof REFERENCE_ROLES)[number], string> = {
	first_frame: 'First Frame',
	last_frame: 'Last Frame',
	mask: 'Mask',
	reference: 'Reference',
	source: 'Source',
};

const waitingModes = { show: { waitForCompletion: ['poll', 'webhook'] } };

/** On Failed Job, whose default depends on the node's typeVersion. */
function onJobFailureProperty(defaultValue: 'error' | 'output', versions: Array<number | { _cnd: { gte: number } }>): INodeProperties {
	return {
		displayName: 'On Failed Job',
		name: 'onJobFailure',
		type: 'options',
		options: [
			{
				name: 'Output the Job',
				value: 'output',
				description:
					'Keep the batch: every other video is returned, and the failed, expired or cancelled job becomes an item with its status, the gateway\'s error detail and the request ID (route it with an If node on "status")',
			},
			{
				name: 'Stop With an Error',
				value: 'error',
				description:
					'Any failed, expired or cancelled job fails the node (or gives an error item with Continue On Fail); the other videos are not output, only listed in the error by ID (status and cost), to fetch later with Download',
			},
		],
		default: defaultValue,
		description:
			'What to do when a job ends failed, expired or cancelled. For a batch (e.g. 50 sheet rows), Output the Job keeps the 49 videos and records the one failure; Stop With an Error suits single videos that must all succeed.',
		displayOptions: { show: { ...waitingModes.show, '@version': versions } },
	};
}

export const generateProperties: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The video model to use',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a model...',
				typeOptions: { searchListMethod: 'searchModels', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. google/veo-3.1-lite',
			},
		],
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		placeholder: 'e.g. A cinematic sunrise over a mountain lake',
		description: 'What the video should show. May be empty with an image reference, where the model allows it.',
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'options',
		options: [
			{
				name: "Don't Wait",
				value: 'none',
				description: 'Return the job at once; use Get, Download or the AI Stats Trigger later',
			},
			{
				name: 'Poll',
				value: 'poll',
				description: 'Wait in this node, checking every job of the batch at once, then return the video(s)',
			},
			{
				name: 'Webhook (Resume)',
				value: 'webhook',
				description: 'Pause the execution without holding a worker; the gateway\'s signed callback resumes it',
			},
		],
		default: 'poll',
		description: 'Whether to return the job at once or wait until the video is ready',
	},
	{
		displayName:
			'The gateway must be able to reach this n8n instance (its public webhook URL, set with WEBHOOK_URL) and the credential needs a Webhook Signing Secret. When Max Wait passes first, n8n continues with the input item unchanged: check the "status" field downstream.',
		name: 'webhookModeNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { waitForCompletion: ['webhook'] } },
	},
	{
		displayName: 'Download Video',
		name: 'downloadVideo',
		type: 'boolean',
		default: true,
		description: 'Whether to put the finished video into the output item as binary data',
		displayOptions: waitingModes,
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		hint: 'The name of the output binary field to put the video in',
		displayOptions: { show: { waitForCompletion: ['poll', 'webhook'], downloadVideo: [true] } },
	},
	// typeVersion 2 changed the default to keep a batch's other videos; version 1 workflows keep theirs.
	onJobFailureProperty('error', [1]),
	onJobFailureProperty('output', [{ _cnd: { gte: 2 } }]),
	{
		displayName:
			'With Retry On Fail (Settings), a retry picks up the jobs this execution already created instead of buying them again; only items without a job, or whose job failed (not billed), are sent again. "Retry execution" in n8n starts a new execution and buys every video again.',
		name: 'retryNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		// The simple create fields come from fields.ts; the collection lists everything by name.
		options: ([
			{
				displayName: 'Allow Private Reference URLs',
				name: 'allowPrivateReferenceUrls',
				type: 'boolean',
				default: false,
				description:
					'Whether signed links to binary references may point at a private or non-https n8n address. Only for self-hosted gateways on the same network (and tests): the public gateway cannot fetch them.',
			},
			{
				displayName: 'Check Against Model Catalogue',
				name: 'checkModel',
				type: 'boolean',
				default: true,
				description:
					'Whether to refuse parameters, inputs and values the model\'s catalogue entry says it does not support, before a job is created and funds are held',
			},
			includeSignedLinksOption,
			{
				displayName: 'Output Access',
				name: 'outputAccess',
				type: 'options',
				options: [
					{ name: 'Both', value: 'both', description: 'Authenticated content URL and signed download links' },
					{ name: 'Bytes', value: 'bytes', description: 'Authenticated content URL only' },
					{ name: 'Signed URL', value: 'signed_url', description: 'Signed download links only' },
				],
				default: 'both',
				description: 'How the finished video may be fetched',
			},
			{
				displayName: 'Provider Params (JSON)',
				name: 'providerParams',
				type: 'json',
				default: '{}',
				description: 'Extra provider-specific parameters as a JSON object. They may not repeat the fields above.',
			},
			...createFieldProperties,
		] as INodeProperties[]).sort((a, b) => a.displayName.localeCompare(b.displayName)),
	},
	{
		displayName: 'Input References',
		name: 'inputReferences',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Reference',
		default: {},
		description: 'Images (or video/audio, where the model takes them) that guide the video',
		options: [
			{
				displayName: 'Reference',
				name: 'reference',
				values: [
					{
						displayName: 'Input Binary Field',
						name: 'binaryPropertyName',
						type: 'string',
						default: 'data',
						hint: 'The name of the input binary field holding the file',
						displayOptions: { show: { source: ['binary'] } },
					},
					{
						displayName: 'Media Type',
						name: 'mediaType',
						type: 'options',
						options: [
							{ name: 'Audio', value: 'audio' },
							{ name: 'Image', value: 'image' },
							{ name: 'Video', value: 'video' },
						],
						default: 'image',
					},
					{
						displayName: 'Reference Delivery',
						name: 'delivery',
						type: 'options',
						options: [
							{
								name: 'Auto',
								value: 'auto',
								description:
									'Inline when the model takes it (a PNG, JPEG or WebP image as the first frame: up to 12 MB, or up to 20 MB for models on OpenAI), otherwise a signed link when n8n is reachable over https',
							},
							{
								name: 'Inline',
								value: 'inline',
								description: 'The image travels inside the request, so it works on an n8n the internet cannot reach',
							},
							{
								name: 'Signed Link',
								value: 'link',
								description:
									'A signed link to this n8n instance; n8n must be reachable over https (WEBHOOK_URL) and store binary data in filesystem or S3 mode',
							},
						],
						default: 'auto',
						description: 'How the file reaches the gateway',
						displayOptions: { show: { source: ['binary'] } },
					},
					{
						displayName: 'Reference Source',
						name: 'source',
						type: 'options',
						options: [
							{
								name: 'URL',
								value: 'url',
								description: 'A public https:// URL the gateway can fetch',
							},
							{
								name: 'Binary Field',
								value: 'binary',
								description:
									'A file of the input item (e.g. a Form Trigger upload), sent inline or as a signed link (see Reference Delivery)',
							},
						],
						default: 'url',
					},
					{
						displayName: 'Reference Type',
						name: 'referenceType',
						type: 'string',
						default: '',
						placeholder: 'e.g. asset',
						description: 'Provider-specific kind of reference (optional)',
					},
					{
						displayName: 'Role',
						name: 'role',
						type: 'options',
						options: REFERENCE_ROLES.map((role) => ({ name: roleNames[role], value: role })).sort((a, b) =>
							a.name.localeCompare(b.name),
						),
						default: 'first_frame',
						description: 'How the model uses this reference',
					},
					{
						displayName: 'URL',
						name: 'url',
						type: 'string',
						default: '',
						placeholder: 'e.g. https://example.com/photo.jpg',
						description: 'A public https:// URL the gateway can fetch',
						displayOptions: { show: { source: ['url'] } },
					},
				],
			},
		],
	},
	{
		displayName: 'Provider Routing',
		name: 'providerRouting',
		type: 'collection',
		placeholder: 'Add Routing Rule',
		default: {},
		options: [
			{
				displayName: 'Ignore Providers',
				name: 'ignore',
				type: 'string',
				default: '',
				placeholder: 'e.g. fal',
				description: 'Providers never to use (comma-separated)',
			},
			{
				displayName: 'Include Alpha Providers',
				name: 'includeAlpha',
				type: 'boolean',
				default: false,
				description: 'Whether providers in alpha may be used',
			},
			{
				displayName: 'Only Providers',
				name: 'only',
				type: 'string',
				default: '',
				placeholder: 'e.g. google-vertex',
				description: 'Use only these providers (comma-separated)',
			},
			{
				displayName: 'Provider Order',
				name: 'order',
				type: 'string',
				default: '',
				placeholder: 'e.g. google-vertex, fal',
				description: 'Providers to try first, in order (comma-separated)',
			},
		],
	},
	{
		displayName: 'Notify Webhook',
		name: 'notifyWebhook',
		type: 'collection',
		placeholder: 'Add Webhook Setting',
		default: {},
		description: 'Have the gateway post lifecycle events elsewhere, e.g. to an AI Stats Trigger',
		displayOptions: { show: { waitForCompletion: ['none', 'poll'] } },
		options: [
			{
				displayName: 'Endpoint ID',
				name: 'endpointId',
				type: 'string',
				default: '',
				placeholder: 'e.g. we_01JAB2CDEF',
				description: 'A webhook endpoint registered with the gateway (the AI Stats Trigger shows its ID). Use this or URL.',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: eventOptions(false),
				default: [],
				description: 'Which events to send; none selected = the gateway default (status changes and the four terminal events)',
			},
			{
				displayName: 'URL',
				name: 'url',
				type: 'string',
				default: '',
				placeholder: 'e.g. https://n8n.example.com/webhook/…/ai-stats',
				description: 'Where to post the events, signed with the credential\'s Webhook Signing Secret. Use this or Endpoint ID.',
			},
		],
	},
	{
		displayName: 'Waiting Options',
		name: 'waitOptions',
		type: 'collection',
		placeholder: 'Add Waiting Option',
		default: {},
		displayOptions: waitingModes,
		options: [
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 50 },
				default: 10,
				description: 'Max number of requests to the gateway at the same time (job creation, status checks, downloads)',
			},
			downloadIdleTimeoutOption,
			{
				displayName: 'Max Wait (Minutes)',
				name: 'maxWaitMinutes',
				type: 'number',
				typeOptions: { minValue: 0.05, numberPrecision: 2 },
				default: 30,
				description: 'Give up waiting after this long (the jobs keep running on the gateway)',
			},
			multipleOutputsOption('For jobs with several samples: one item per video, or one item with a binary field per video'),
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollIntervalSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Seconds between status checks in Poll mode; 0 follows the gateway\'s poll_after_seconds (20 s in production). Never less than 1 s.',
			},
			verifyChecksumOption,
			{
				displayName: 'Callback Timestamp Tolerance (Seconds)',
				name: 'toleranceSeconds',
				type: 'number',
				typeOptions: { minValue: 30, maxValue: 3600 },
				default: 300,
				description: 'Webhook (Resume) only: refuse callbacks whose signed timestamp is further than this from now (replay protection), as the AI Stats Trigger does',
			},
		],
	},
];
