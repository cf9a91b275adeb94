/**
 * Everything one harness run (and its later resumptions) shares: node types, credential
 * store, binary store, URLs — and the builders for n8n's `Workflow`, lifecycle hooks and
 * `IWorkflowExecuteAdditionalData`, the object through which n8n-core reaches "the
 * server" (credentials, URLs, sub-workflows, status updates).
 */
import { ExecutionLifecycleHooks, ExternalSecretsProxy } from 'n8n-core';
import type {
	ExecutionStatus,
	IDataObject,
	INode,
	IRun,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { UnexpectedError, Workflow, deepCopy } from 'n8n-workflow';

import type { HarnessBinaryStore } from './binary-data';
import { createBinaryStore } from './binary-data';
import { HarnessCredentialsHelper } from './credentials';
import { Container } from './n8n-internals';
import { HARNESS_START_NODE_TYPE, HarnessNodeTypes, normaliseStartItems } from './node-types';
import type { RunOptions } from './types';

export const DEFAULT_BASE_URL = 'http://localhost:5678/';

/** n8n's URLs, built as packages/cli/src/workflow-execute-additional-data.ts getBase does. */
export interface HarnessUrls {
	instanceBaseUrl: string;
	restApiUrl: string;
	webhookBaseUrl: string;
	webhookWaitingBaseUrl: string;
	webhookTestBaseUrl: string;
	formBaseUrl: string;
	formWaitingBaseUrl: string;
	formTestBaseUrl: string;
	mcpBaseUrl: string;
	mcpTestBaseUrl: string;
}

export function buildUrls(baseUrl = DEFAULT_BASE_URL): HarnessUrls {
	const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
	return {
		instanceBaseUrl: base,
		restApiUrl: `${base}rest`,
		webhookBaseUrl: `${base}webhook`,
		webhookWaitingBaseUrl: `${base}webhook-waiting`,
		webhookTestBaseUrl: `${base}webhook-test`,
		formBaseUrl: `${base}form`,
		formWaitingBaseUrl: `${base}form-waiting`,
		formTestBaseUrl: `${base}form-test`,
		mcpBaseUrl: `${base}mcp`,
		mcpTestBaseUrl: `${base}mcp-test`,
	};
}

export interface HarnessRunContext {
	options: RunOptions;
	mode: WorkflowExecuteMode;
	nodeTypes: HarnessNodeTypes;
	credentialsHelper: HarnessCredentialsHelper;
	binaryStore: HarnessBinaryStore;
	urls: HarnessUrls;
	workflowId: string;
}

export async function createRunContext(options: RunOptions): Promise<HarnessRunContext> {
	return {
		options,
		mode: options.mode ?? 'manual',
		nodeTypes: new HarnessNodeTypes(options.nodeTypes),
		credentialsHelper: await HarnessCredentialsHelper.create(
			options.credentialTypes ?? {},
			options.credentials ?? [],
		),
		binaryStore: await createBinaryStore(options.binaryMode ?? 'default'),
		urls: buildUrls(options.webhookBaseUrl),
		workflowId: options.workflow.id ?? 'harness-workflow',
	};
}

/** A fresh `Workflow` from the JSON: n8n mutates node parameters (defaults), so never share them. */
export function buildWorkflow(context: HarnessRunContext, staticData?: IDataObject): Workflow {
	// Start-node Buffers become base64 first: deepCopy would mangle them.
	const nodes = deepCopy(
		context.options.workflow.nodes.map((node: INode) =>
			node.type === HARNESS_START_NODE_TYPE
				? {
						...node,
						parameters: { ...node.parameters, items: normaliseStartItems(node.parameters.items) as never },
					}
				: node,
		),
	);
	return new Workflow({
		id: context.workflowId,
		name: context.options.workflow.name ?? 'Harness workflow',
		nodes,
		connections: deepCopy(context.options.workflow.connections),
		active: false,
		nodeTypes: context.nodeTypes,
		staticData: deepCopy(staticData ?? context.options.workflow.staticData ?? {}),
		settings: { executionOrder: 'v1', ...(context.options.workflow.settings ?? {}) },
	});
}

export function workflowBase(context: HarnessRunContext, workflow: Workflow): IWorkflowBase {
	const now = new Date();
	return {
		id: context.workflowId,
		name: workflow.name ?? 'Harness workflow',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: now,
		updatedAt: now,
		nodes: Object.values(workflow.nodes),
		connections: workflow.connectionsBySourceNode,
		settings: workflow.settings,
		staticData: workflow.staticData,
	};
}

/** Records what n8n's lifecycle hooks and status updates report for one execution. */
export class ExecutionTracker {
	readonly statusHistory: ExecutionStatus[] = [];
	/** The IRun the engine hands to `workflowExecuteAfter` (for a cancel: at cancel time). */
	afterRun?: IRun;
	readonly hooks: ExecutionLifecycleHooks;

	constructor(mode: WorkflowExecuteMode, executionId: string, workflowData: IWorkflowBase) {
		this.hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
		this.hooks.addHandler('workflowExecuteAfter', (run) => {
			this.afterRun = run;
		});
	}

	readonly setExecutionStatus = (status: ExecutionStatus) => {
		this.statusHistory.push(status);
	};
}

export function buildAdditionalData(
	context: Pick<HarnessRunContext, 'urls' | 'credentialsHelper' | 'workflowId'>,
	{
		executionId,
		tracker,
		workflow,
	}: { executionId?: string; tracker?: ExecutionTracker; workflow?: Workflow },
): IWorkflowExecuteAdditionalData {
	const unsupported = (what: string) => async () => {
		throw new UnexpectedError(`${what} is not supported by the test harness`);
	};
	return {
		...context.urls,
		credentialsHelper: context.credentialsHelper,
		executionId,
		hooks: tracker?.hooks,
		setExecutionStatus: tracker?.setExecutionStatus,
		currentNodeExecutionIndex: 0,
		workflowId: context.workflowId,
		workflowSettings: workflow?.settings,
		variables: {},
		userId: 'harness-user',
		externalSecretsProxy: Container.get(ExternalSecretsProxy),
		executeWorkflow: unsupported('Executing a sub-workflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: unsupported('The Code node task runner'),
		logAiEvent: () => {},
	} as IWorkflowExecuteAdditionalData;
}

let executionCounter = 0;
/** Numeric ids like n8n's, distinct per jest worker. */
export function nextExecutionId(): string {
	executionCounter += 1;
	return String(process.pid * 1000 + executionCounter);
}

/** Workflow static data as plain JSON (n8n keeps it in an observable proxy). */
export function plainStaticData(workflow: Workflow): IDataObject {
	return JSON.parse(JSON.stringify(workflow.staticData ?? {})) as IDataObject;
}
