import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readManagementKey } from '../../../shared/credentials';
import { getCredits } from '../../../shared/gateway';
import { forEachItem } from '../../helpers/items';

export const description: INodeProperties[] = [
	{
		displayName: 'Needs the credential\'s Management Key (phaseo_v1_mk_…). Amounts are in USD; the gateway counts in nanos (billionths).',
		name: 'creditsNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['account'], operation: ['getCredits'] } },
	},
];

const NANOS_PER_USD = 1_000_000_000;

function usdOf(nanos: unknown): number | null {
	const number = Number(nanos);
	return nanos !== null && nanos !== undefined && Number.isFinite(number) ? number / NANOS_PER_USD : null;
}

/** GET /credits with the management key: the balance, what running jobs hold, and what is free to spend. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const managementKey = await readManagementKey(this);
	return await forEachItem(this, async (itemIndex): Promise<IDataObject> => {
		if (!managementKey) {
			throw new NodeOperationError(this.getNode(), 'Get Credits needs a Management Key', {
				itemIndex,
				description: 'Add a management key (phaseo_v1_mk_…) to the AI Stats credential; the inference key cannot read the balance.',
			});
		}
		const answer = await getCredits(this, managementKey, itemIndex);
		const credits = (answer.credits ?? {}) as IDataObject;
		return {
			balance: usdOf(credits.balance_nanos),
			reserved: usdOf(credits.reserved_nanos),
			available: usdOf(credits.available_nanos ?? credits.remaining),
			currency: 'USD',
			thirty_day_usage: usdOf(credits.thirty_day_usage),
			thirty_day_requests: credits.thirty_day_requests ?? null,
			credits,
		};
	});
}
