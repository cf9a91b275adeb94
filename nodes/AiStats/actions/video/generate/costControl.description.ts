import type { INodeProperties } from 'n8n-workflow';

/** Generate's Cost Control collection (read by budget.ts; fallback by fallback.ts). */
export const costControlProperties: INodeProperties[] = [
	{
		displayName: 'Cost Control',
		name: 'costControl',
		type: 'collection',
		placeholder: 'Add Cost Control',
		default: {},
		options: [
			{
				displayName: 'Estimate Cost',
				name: 'estimateCost',
				type: 'boolean',
				default: false,
				description:
					"Whether to ask the gateway's pricing route for each item's expected cost before creating it, and add cost_estimate (null with cost_estimate_reason when it cannot be priced) to the output",
			},
			{
				displayName: 'Fallback Models',
				name: 'fallbackModels',
				type: 'string',
				// Fallback jobs are made while the node polls; a parked execution has no such moment.
				displayOptions: { show: { '/waitForCompletion': ['poll'] } },
				default: '',
				placeholder: 'e.g. google/veo-3.1, minimax/hailuo-02',
				description:
					'Poll mode only. Comma-separated models tried in order when a job fails because the provider failed or was unavailable (never after a content filter or invalid input). Each attempt is a new, separately billed job, checked against the model catalogue and the caps; the output lists every attempt.',
			},
			{
				displayName: 'Max Cost per Execution (USD)',
				name: 'maxCostPerExecution',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 4 },
				default: 0,
				description:
					'Items are refused before creation once the estimates of this run of the node would add up to more than this; 0 = no cap. Needs a price from the gateway: an item that cannot be estimated is refused.',
			},
			{
				displayName: 'Max Cost per Item (USD)',
				name: 'maxCostPerItem',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 4 },
				default: 0,
				description:
					'An item whose estimated cost is higher is refused before creation (an error item with Continue On Fail); 0 = no cap. An item that cannot be estimated is refused.',
			},
		],
	},
];
