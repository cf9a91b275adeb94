/**
 * An `ICredentialsHelper` backed by an in-memory list of credentials instead of n8n's
 * database. It follows packages/cli/src/credentials-helper.ts where it matters for nodes:
 *
 * - data is stored encrypted with n8n-core's `Credentials` (the instance's encryption
 *   key), and decrypted on every `getDecrypted`, as n8n does;
 * - defaults of the credential type's properties are applied, then `={{ }}` expressions
 *   in the data are resolved;
 * - `authenticate` applies a declarative `{ type: 'generic', properties }` block by
 *   resolving its values with `$credentials`, or calls a function `authenticate`;
 * - `preAuthentication` refreshes an expirable property and writes it back.
 */
import { Credentials, getAdditionalKeys } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsExpressionResolveValues,
	ICredentialType,
	IExecuteData,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IWorkflowDataProxyAdditionalKeys,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import {
	ICredentialsHelper,
	NodeHelpers,
	UnexpectedError,
	UserError,
	Workflow,
	isExpression,
} from 'n8n-workflow';

import { ensureHarnessReady } from './bootstrap';

/** A stored credential, as `n8n import:credentials` takes it (plain data). */
export interface HarnessCredential {
	id: string;
	name: string;
	type: string;
	data: ICredentialDataDecryptedObject;
}

/** Node used to resolve credential expressions outside a workflow (as the cli does). */
const EXPRESSION_HOST_TYPE = 'harness.credentialExpressionHost';
const expressionHostNodeTypes: INodeTypes = {
	getByName: () => expressionHostType,
	getByNameAndVersion: () => expressionHostType,
	getKnownTypes: () => ({}),
};
const expressionHostType = { description: { properties: [] } } as unknown as INodeType;
const expressionHostNode: INode = {
	id: 'harness-credential-host',
	name: '',
	typeVersion: 1,
	type: EXPRESSION_HOST_TYPE,
	position: [0, 0],
	parameters: {},
};

export class HarnessCredentialsHelper extends ICredentialsHelper {
	/** Encrypted data by credential id, like the `credentials_entity` table. */
	private readonly stored = new Map<string, { id: string; name: string; type: string; data: string }>();

	private constructor(private readonly credentialTypes: Record<string, ICredentialType>) {
		super();
	}

	static async create(
		credentialTypes: Record<string, ICredentialType>,
		credentials: HarnessCredential[] = [],
	): Promise<HarnessCredentialsHelper> {
		ensureHarnessReady(); // encryption needs the harness's key provider
		const helper = new HarnessCredentialsHelper(indexByName(credentialTypes));
		for (const credential of credentials) await helper.store(credential);
		return helper;
	}

	async store({ id, name, type, data }: HarnessCredential): Promise<void> {
		this.getCredentialType(type); // fail early on a typo
		const credentials = new Credentials({ id, name }, type);
		await credentials.setData(data);
		this.stored.set(id, { id, name, type, data: credentials.getDataToSave().data as string });
	}

	getCredentialType(typeName: string): ICredentialType {
		const type = this.credentialTypes[typeName];
		if (!type) {
			throw new UnexpectedError(
				`Credential type "${typeName}" is not registered with the harness (known: ${Object.keys(this.credentialTypes).join(', ')})`,
			);
		}
		return type;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incomingRequestOptions as IHttpRequestOptions;
		const { authenticate } = this.getCredentialType(typeName);
		if (!authenticate) return requestOptions;

		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions);
		}

		if (!workflow || !node) {
			throw new UnexpectedError(
				'Workflow and node are required for declarative credential authentication',
			);
		}
		requestOptions.headers ??= {};
		if (authenticate.type === 'generic') {
			// properties: { headers: {...}, qs: {...}, body: {...}, auth: {...} }
			for (const [target, entries] of Object.entries(authenticate.properties)) {
				const options = requestOptions as unknown as Record<string, Record<string, unknown>>;
				for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
					const resolvedKey = this.resolveValue(key, { $credentials: credentials }, workflow, node);
					const resolvedValue = this.resolveValue(
						value as string,
						{ $credentials: credentials },
						workflow,
						node,
					);
					options[target] ??= {};
					options[target][resolvedKey] = resolvedValue;
				}
			}
		}
		return requestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.getCredentialType(typeName);
		const expirableProperty = credentialType.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (expirableProperty?.name === undefined) return undefined;
		if (typeof credentialType.preAuthentication !== 'function') return undefined;

		// The credential test runs on a temporary noOp node with a `temp` parameter.
		const isTestingCredentials =
			node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';
		if (
			credentials[expirableProperty.name] !== '' &&
			!credentialsExpired &&
			!isTestingCredentials
		) {
			return undefined;
		}

		const output = (await credentialType.preAuthentication.call(
			helpers,
			credentials,
		)) as ICredentialDataDecryptedObject;
		if (output[expirableProperty.name] === undefined) return undefined;

		const nodeCredentials = node.credentials?.[credentialType.name];
		if (nodeCredentials) {
			const stored = await (await this.getCredentials(nodeCredentials, credentialType.name)).getData();
			await this.updateCredentials(nodeCredentials, credentialType.name, { ...stored, ...output });
			return Object.assign(credentials, output);
		}
		return undefined;
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.getCredentialType(typeName);
		if (typeof credentialType.preAuthentication !== 'function') return undefined;
		const output = await credentialType.preAuthentication.call(helpers, credentials);
		return (output as ICredentialDataDecryptedObject | undefined) ?? undefined;
	}

	getParentTypes(typeName: string): string[] {
		const parents = this.credentialTypes[typeName]?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		const type = this.credentialTypes[credentialType];
		if (!type?.restrictToSupportedNodes) return true;
		// supportedNodes holds short names ("aiStats"); nodeType is the full type name.
		return (type.supportedNodes ?? []).some(
			(supported) => nodeType === supported || nodeType.endsWith(`.${supported}`),
		);
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<Credentials> {
		const entry = this.findStored(nodeCredentials, type);
		return new Credentials({ id: entry.id, name: entry.name }, entry.type, entry.data);
	}

	/** Credential reads (decrypt + resolve) so far, as n8n counts `getCredentials` calls of nodes. */
	static reads = 0;

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		HarnessCredentialsHelper.reads++;
		const decrypted = await (await this.getCredentials(nodeCredentials, type)).getData();
		if (raw === true) return decrypted;
		return await this.applyDefaultsAndOverwrites(
			additionalData,
			decrypted,
			type,
			mode,
			executeData,
			expressionResolveValues,
		);
	}

	/** Type defaults, then `={{ }}` expressions in the data (mirrors the cli helper). */
	async applyDefaultsAndOverwrites(
		additionalData: IWorkflowExecuteAdditionalData,
		decryptedDataOriginal: ICredentialDataDecryptedObject,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const properties = this.getCredentialsProperties(type);
		let decryptedData = NodeHelpers.getNodeParameters(
			properties,
			decryptedDataOriginal as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		if (decryptedDataOriginal.oauthTokenData !== undefined) {
			decryptedData.oauthTokenData = decryptedDataOriginal.oauthTokenData;
		}

		const additionalKeys = getAdditionalKeys(additionalData, mode, null, { isCredential: true });
		if (expressionResolveValues) {
			try {
				decryptedData = expressionResolveValues.workflow.expression.getParameterValue(
					decryptedData as INodeParameters,
					expressionResolveValues.runExecutionData,
					expressionResolveValues.runIndex,
					expressionResolveValues.itemIndex,
					expressionResolveValues.node.name,
					expressionResolveValues.connectionInputData,
					mode,
					additionalKeys,
					executeData,
					false,
					decryptedData,
				) as ICredentialDataDecryptedObject;
			} catch (error) {
				(error as Error).message += ' [Error resolving credentials]';
				throw error;
			}
		} else {
			const workflow = new Workflow({
				nodes: [{ ...expressionHostNode }],
				connections: {},
				active: false,
				nodeTypes: expressionHostNodeTypes,
			});
			decryptedData = workflow.expression.getComplexParameterValue(
				expressionHostNode,
				decryptedData as INodeParameters,
				mode,
				additionalKeys,
				undefined,
				undefined,
				decryptedData,
			) as ICredentialDataDecryptedObject;
		}
		return decryptedData;
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const entry = this.findStored(nodeCredentials, type);
		await this.store({ id: entry.id, name: entry.name, type, data });
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const current = await (await this.getCredentials(nodeCredentials, type)).getData();
		await this.updateCredentials(nodeCredentials, type, {
			...current,
			oauthTokenData: data.oauthTokenData,
		});
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = this.getCredentialType(type);
		if (credentialType.extends === undefined) {
			if (['oAuth1Api', 'oAuth2Api'].includes(type)) {
				return [
					...credentialType.properties,
					{
						displayName: 'oauthTokenData',
						name: 'oauthTokenData',
						type: 'json',
						required: false,
						default: {},
					},
				];
			}
			return credentialType.properties;
		}
		const combined: INodeProperties[] = [];
		for (const parent of credentialType.extends) {
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, credentialType.properties);
		return combined;
	}

	private findStored(nodeCredentials: INodeCredentialsDetails, type: string) {
		// n8n looks credentials up by id and type only (CredentialMissingIdError without an id).
		if (!nodeCredentials.id) {
			throw new UserError(`Node credential "${nodeCredentials.name}" of type "${type}" has no id`);
		}
		const entry = this.stored.get(nodeCredentials.id);
		if (!entry || entry.type !== type) {
			throw new UserError(
				`Credential with ID "${nodeCredentials.id}" of type "${type}" does not exist in the harness's credential list`,
			);
		}
		return entry;
	}

	private resolveValue(
		parameterValue: string,
		additionalKeys: IWorkflowDataProxyAdditionalKeys,
		workflow: Workflow,
		node: INode,
	): string {
		if (!isExpression(parameterValue)) return parameterValue;
		const value = workflow.expression.getSimpleParameterValue(
			node,
			parameterValue,
			'internal',
			additionalKeys,
			undefined,
			'',
		);
		return value ? value.toString() : '';
	}
}

/** Accept `{ aiStatsApi: new AiStatsApi() }` and key the types by their real `name`. */
function indexByName(types: Record<string, ICredentialType>): Record<string, ICredentialType> {
	const byName: Record<string, ICredentialType> = {};
	for (const type of Object.values(types)) byName[type.name] = type;
	return byName;
}
