/**
 * The editor's credential "Test" button for a credential type with a declarative
 * `test: ICredentialTestRequest`, following packages/cli/src/services/
 * credentials-tester.service.ts: the test request runs through n8n-core's RoutingNode on
 * a temporary node (so `authenticate` and `={{$credentials.…}}` expressions apply, and
 * the request really goes out), then `test.rules` are checked.
 */
import { ExecuteContext, RoutingNode } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	ICredentialsDecrypted,
	IDataObject,
	INode,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypes,
} from 'n8n-workflow';
import { NodeHelpers, Workflow, createRunExecutionData } from 'n8n-workflow';

import { ensureHarnessReady } from './bootstrap';
import { HarnessCredentialsHelper } from './credentials';
import { buildAdditionalData, buildUrls } from './run-context';

export interface CredentialTestOptions {
	/** Parent credential types, if the tested type `extends` others. */
	credentialTypes?: Record<string, ICredentialType>;
	webhookBaseUrl?: string;
}

/** The cli runs the test on a copy of the noOp node; preAuthentication recognises it by type. */
const TEST_NODE_TYPE = 'n8n-nodes-base.noOp';

export async function testCredential(
	credentialType: ICredentialType,
	data: ICredentialDataDecryptedObject,
	options: CredentialTestOptions = {},
): Promise<INodeCredentialTestResult> {
	ensureHarnessReady();
	const testRequest = credentialType.test;
	if (!testRequest) {
		return { status: 'Error', message: 'No testing function found for this credential.' };
	}

	const credentialsHelper = await HarnessCredentialsHelper.create({
		...(options.credentialTypes ?? {}),
		[credentialType.name]: credentialType,
	});
	const additionalData = buildAdditionalData(
		{ credentialsHelper, urls: buildUrls(options.webhookBaseUrl), workflowId: 'harness-credential-test' },
		{},
	);

	const credentialsDecrypted: ICredentialsDecrypted = {
		id: 'harness-credential-under-test',
		name: 'Credential under test',
		type: credentialType.name,
		data,
	};
	try {
		credentialsDecrypted.data = await credentialsHelper.applyDefaultsAndOverwrites(
			additionalData,
			data,
			credentialType.name,
			'internal',
		);
	} catch (error) {
		return { status: 'Error', message: String((error as Error).message) };
	}

	const testNodeType: INodeType = {
		description: {
			displayName: 'Temp',
			name: TEST_NODE_TYPE,
			group: ['transform'],
			version: 1,
			description: 'Runs a credential test request',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: credentialType.name, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: testRequest.request },
					default: '',
				},
			],
		},
	};
	const nodeTypes: INodeTypes = {
		getByName: () => testNodeType,
		getByNameAndVersion: (name, version) => NodeHelpers.getVersionedNodeType(testNodeType, version),
		getKnownTypes: () => ({}),
	};
	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: TEST_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		credentials: {
			[credentialType.name]: { id: credentialsDecrypted.id, name: credentialsDecrypted.name },
		},
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const executeFunctions = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		createRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);

	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await new RoutingNode(executeFunctions, testNodeType, credentialsDecrypted).runNode();
	} catch (error) {
		const cause = (error as { cause?: { response?: { status: number; statusText?: string }; code?: string } })
			.cause;
		if (cause?.response) {
			const statusCode = cause.response.status;
			for (const rule of testRequest.rules ?? []) {
				if (rule.type === 'responseCode' && rule.properties.value === statusCode) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			if (statusCode < 199 || statusCode > 299) {
				return {
					status: 'Error',
					message: cause.response.statusText || `Received HTTP status code: ${statusCode}`,
				};
			}
		} else if (cause?.code) {
			return { status: 'Error', message: cause.code };
		}
		return { status: 'Error', message: String((error as Error).message) };
	}

	for (const rule of testRequest.rules ?? []) {
		if (rule.type !== 'responseSuccessBody') continue;
		const body = response?.[0]?.[0]?.json;
		if (valueAtPath(body, rule.properties.key) === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}

/** lodash.get for dotted paths ("error.code", "errors.0.type"). */
function valueAtPath(value: unknown, path: string): unknown {
	return path
		.split('.')
		.reduce<unknown>((current, key) => (current as IDataObject | undefined)?.[key], value);
}
