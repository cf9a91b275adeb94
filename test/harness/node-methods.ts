/**
 * Resource-locator list searches and loadOptions methods, called as the editor's
 * /rest/dynamic-node-parameters endpoints do (packages/cli/src/services/
 * dynamic-node-parameters.service.ts): on a temporary one-node workflow, in n8n-core's
 * real `LoadOptionsContext`, with the node's current parameters and credentials.
 */
import { LoadOptionsContext } from 'n8n-core';
import type {
	ICredentialType,
	INode,
	INodeCredentials,
	INodeListSearchResult,
	INodeParameters,
	INodeType,
	IVersionedNodeType,
} from 'n8n-workflow';
import { NodeHelpers, UnexpectedError, Workflow } from 'n8n-workflow';

import { ensureHarnessReady } from './bootstrap';
import type { HarnessCredential } from './credentials';
import { HarnessCredentialsHelper } from './credentials';
import { HarnessNodeTypes } from './node-types';
import { buildAdditionalData, buildUrls } from './run-context';

export interface NodeMethodOptions {
	credentialTypes?: Record<string, ICredentialType>;
	/** Stored credentials; the node is given the first one of each type it declares. */
	credentials?: HarnessCredential[];
	/** The node's current parameter values (what `getCurrentNodeParameter` returns). */
	parameters?: INodeParameters;
	typeVersion?: number;
	/** Path of the parameter being edited, e.g. 'parameters.model' (default 'parameters'). */
	path?: string;
	webhookBaseUrl?: string;
}

export interface ListSearchOptions extends NodeMethodOptions {
	filter?: string;
	paginationToken?: string;
}

export async function callListSearch(
	nodeType: INodeType | IVersionedNodeType,
	methodName: string,
	options: ListSearchOptions = {},
): Promise<INodeListSearchResult> {
	const { type, context } = await prepare(nodeType, options);
	const method = type.methods?.listSearch?.[methodName];
	if (!method) throw new UnexpectedError(`Node has no methods.listSearch.${methodName}`);
	return await method.call(context, options.filter, options.paginationToken);
}

async function prepare(nodeType: INodeType | IVersionedNodeType, options: NodeMethodOptions) {
	ensureHarnessReady();
	const type = NodeHelpers.getVersionedNodeType(nodeType, options.typeVersion);
	const typeName = type.description.name;
	const typeVersion =
		options.typeVersion ??
		(Array.isArray(type.description.version)
			? Math.max(...type.description.version)
			: type.description.version);

	const credentials: INodeCredentials = {};
	for (const { name } of type.description.credentials ?? []) {
		const stored = options.credentials?.find((credential) => credential.type === name);
		if (stored) credentials[name] = { id: stored.id, name: stored.name };
	}
	const node: INode = {
		id: 'harness-node-methods',
		name: 'Temp-Node',
		type: typeName,
		typeVersion,
		position: [0, 0],
		parameters: { ...(options.parameters ?? {}) },
		credentials,
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new HarnessNodeTypes({ [typeName]: nodeType }),
	});
	const additionalData = buildAdditionalData(
		{
			credentialsHelper: await HarnessCredentialsHelper.create(
				options.credentialTypes ?? {},
				options.credentials ?? [],
			),
			urls: buildUrls(options.webhookBaseUrl),
			workflowId: 'harness-node-methods',
		},
		{ workflow },
	);
	additionalData.currentNodeParameters = node.parameters;
	const context = new LoadOptionsContext(workflow, node, additionalData, options.path ?? 'parameters');
	return { type, context };
}
