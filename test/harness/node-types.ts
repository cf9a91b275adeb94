/**
 * The node type registry the harness hands to n8n's `Workflow`, plus the harness's own
 * start node.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';
import { NodeHelpers, NodeOperationError, UnexpectedError } from 'n8n-workflow';

export const HARNESS_START_NODE_TYPE = 'harness.start';

/** One binary property of a start item, as test code writes it. */
export interface HarnessBinaryInput {
	/** The file's bytes: a Buffer, or base64 text. */
	data: Buffer | string;
	mimeType?: string;
	fileName?: string;
}

/** One item the start node emits. */
export interface HarnessStartItem {
	json: IDataObject;
	binary?: Record<string, HarnessBinaryInput>;
}

/**
 * Emits `parameters.items`. Binary properties go through `prepareBinaryData`, exactly as a
 * real node's would, so in filesystem mode they are written to the binary data store
 * (and carry an `id`) instead of staying inline as base64.
 */
export class HarnessStartNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Start',
		name: HARNESS_START_NODE_TYPE,
		group: ['input'],
		version: 1,
		description: 'Emits the items the test gives it',
		defaults: { name: 'Start' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{
				displayName: 'Items',
				name: 'items',
				type: 'json',
				default: '[]',
				description: 'Array of {json, binary?: {property: {data: base64, mimeType, fileName}}}',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0, [], { rawExpressions: true }) as unknown;
		const items = (typeof raw === 'string' ? JSON.parse(raw) : raw) as HarnessStartItem[];
		if (!Array.isArray(items)) {
			throw new NodeOperationError(this.getNode(), 'parameters.items must be an array');
		}
		const output: INodeExecutionData[] = [];
		for (const [index, item] of items.entries()) {
			const outputItem: INodeExecutionData = { json: item.json ?? {}, pairedItem: { item: 0 } };
			for (const [property, binary] of Object.entries(item.binary ?? {})) {
				const bytes = Buffer.isBuffer(binary.data)
					? binary.data
					: Buffer.from(binary.data as string, 'base64');
				outputItem.binary ??= {};
				outputItem.binary[property] = await this.helpers.prepareBinaryData(
					bytes,
					binary.fileName ?? `item-${index}-${property}`,
					binary.mimeType,
				);
			}
			output.push(outputItem);
		}
		return [output];
	}
}

export class HarnessNodeTypes implements INodeTypes {
	private readonly types: Record<string, INodeType | IVersionedNodeType>;

	constructor(types: Record<string, INodeType | IVersionedNodeType>) {
		this.types = { [HARNESS_START_NODE_TYPE]: new HarnessStartNode(), ...types };
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types[nodeType];
		if (!type) {
			throw new UnexpectedError(
				`Node type "${nodeType}" is not registered with the harness (known: ${Object.keys(this.types).join(', ')})`,
			);
		}
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

/** Buffers are not valid workflow JSON: store start-node binaries as base64 text. */
export function normaliseStartItems(items: unknown): unknown {
	if (!Array.isArray(items)) return items;
	return items.map((item: HarnessStartItem) => {
		if (!item?.binary) return item;
		const binary: Record<string, HarnessBinaryInput> = {};
		for (const [property, value] of Object.entries(item.binary)) {
			binary[property] = {
				...value,
				data: Buffer.isBuffer(value.data) ? value.data.toString('base64') : value.data,
			};
		}
		return { ...item, binary };
	});
}
