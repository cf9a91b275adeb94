/**
 * Webhook trigger nodes, as n8n's server drives them:
 *
 * - `runWebhookTrigger` ≈ packages/cli/src/webhooks/live-webhooks.ts (production URL,
 *   mode 'webhook') / test-webhooks.ts (test URL, mode 'manual') + webhook-helpers.ts:
 *   the node's `webhook()` runs for one request; with `workflowData` the rest of the
 *   workflow runs with it as the trigger's output. Static data is saved afterwards.
 * - `runWebhookMethod` ≈ webhook.service.ts runWebhookMethod, called on activation
 *   (checkExists, then create) and deactivation (delete) in a real `HookContext`.
 *   ActiveWorkflowManager saves the workflow's static data afterwards.
 */
import { HookContext, WorkflowExecute } from 'n8n-core';
import type { IDataObject, WebhookType, WorkflowActivateMode } from 'n8n-workflow';
import { UnexpectedError, createRunExecutionData } from 'n8n-workflow';

import { activateBinaryStore } from './binary-data';
import { ensureHarnessReady } from './bootstrap';
import type { HarnessHttpRequest, HarnessHttpResponse } from './http-emulation';
import { EmulatedRequest, EmulatedResponse } from './http-emulation';
import { superviseExecution } from './run';
import {
	ExecutionTracker,
	buildAdditionalData,
	buildWorkflow,
	createRunContext,
	nextExecutionId,
	plainStaticData,
	workflowBase,
} from './run-context';
import type { RunOptions, RunResult } from './types';
import {
	RESPONSE_WAIT_MS,
	getNodeWebhooks,
	invokeWebhook,
	respondAfterRun,
	respondAfterStart,
} from './webhook-invocation';

export interface WebhookTriggerOptions extends RunOptions {
	triggerNode: string;
	/** Webhook description name, default 'default'. */
	webhookName?: string;
	request: HarnessHttpRequest;
	/** Workflow static data as persisted by earlier calls (e.g. from `runWebhookMethod`). */
	staticData?: IDataObject;
	/** Call the test URL (editor "Listen for test event", mode 'manual') instead of production. */
	test?: boolean;
}

export interface WebhookTriggerResult {
	response: HarnessHttpResponse;
	/** The workflow run the call started; undefined if `webhook()` returned no workflowData (or threw). */
	result?: RunResult;
	/** Static data after the call and run, to pass to the next call. */
	staticData: IDataObject;
	/** The error `webhook()` threw, if it did (n8n answers 500 and logs it). */
	webhookError?: Error;
}

export interface WebhookMethodOptions extends RunOptions {
	triggerNode: string;
	method: 'checkExists' | 'create' | 'delete';
	/** Webhook description name: 'default' (or 'setup'). */
	webhookName?: WebhookType;
	staticData?: IDataObject;
	/** Pin what `this.getNodeWebhookUrl()` returns (default: built from webhookBaseUrl). */
	webhookUrl?: string;
	/** Default 'activate'. */
	activation?: WorkflowActivateMode;
	test?: boolean;
}

export interface WebhookMethodResult {
	returned: boolean;
	staticData: IDataObject;
}

export async function runWebhookTrigger(options: WebhookTriggerOptions): Promise<WebhookTriggerResult> {
	ensureHarnessReady();
	const context = await createRunContext({ ...options, mode: options.test ? 'manual' : 'webhook' });
	activateBinaryStore(context.binaryStore);
	const workflow = buildWorkflow(context, options.staticData);
	const triggerNode = workflow.getNode(options.triggerNode);
	if (!triggerNode) throw new UnexpectedError(`Node "${options.triggerNode}" is not in the workflow`);

	const method = (options.request.method ?? 'POST').toUpperCase();
	const webhookName = options.webhookName ?? 'default';
	const webhookData = getNodeWebhooks(
		workflow,
		triggerNode,
		buildAdditionalData(context, { workflow }),
		options.test,
	).find(
		(webhook) =>
			webhook.webhookDescription.name === webhookName &&
			webhook.httpMethod === method &&
			webhook.webhookDescription.restartWebhook !== true,
	);
	if (!webhookData) {
		throw new UnexpectedError(
			`Node "${triggerNode.name}" has no "${webhookName}" webhook for ${method} (is the node disabled?)`,
		);
	}

	const res = new EmulatedResponse();
	const base = options.test ? context.urls.webhookTestBaseUrl : context.urls.webhookBaseUrl;
	const req = new EmulatedRequest({
		request: options.request,
		path: `${new URL(base).pathname}/${webhookData.path}`,
		baseUrl: context.urls.instanceBaseUrl,
	});
	const call = await invokeWebhook(context, {
		workflow,
		node: triggerNode,
		webhookData,
		mode: context.mode,
		runExecutionData: null,
		req,
		res,
	});
	const workflowData = call.webhookResultData.workflowData;
	if (call.failed || workflowData === undefined) {
		return {
			response: await res.collect(RESPONSE_WAIT_MS),
			staticData: plainStaticData(workflow),
			webhookError: call.error,
		};
	}

	// prepareExecutionData: the trigger starts the run with the webhook's items as its output.
	const executionId = options.executionId ?? nextExecutionId();
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: triggerNode, data: { main: workflowData }, source: null }],
		},
	});
	const tracker = new ExecutionTracker(context.mode, executionId, workflowBase(context, workflow));
	const additionalData = buildAdditionalData(context, { executionId, tracker, workflow });
	const engine = new WorkflowExecute(additionalData, context.mode, runExecutionData);
	const execution = engine.processRunExecutionData(workflow);
	respondAfterStart(call, res);
	const result = await superviseExecution(context, {
		execution,
		executionId,
		workflow,
		tracker,
		abortAfterMs: options.abortAfterMs,
	});
	respondAfterRun(call, res, result);
	return {
		response: await res.collect(RESPONSE_WAIT_MS),
		result,
		staticData: plainStaticData(workflow),
	};
}

export async function runWebhookMethod(options: WebhookMethodOptions): Promise<WebhookMethodResult> {
	ensureHarnessReady();
	const context = await createRunContext({ ...options, mode: options.test ? 'manual' : 'trigger' });
	activateBinaryStore(context.binaryStore);
	const workflow = buildWorkflow(context, options.staticData);
	const node = workflow.getNode(options.triggerNode);
	if (!node) throw new UnexpectedError(`Node "${options.triggerNode}" is not in the workflow`);

	const webhookName: WebhookType = options.webhookName ?? 'default';
	const additionalData = buildAdditionalData(context, { workflow });
	// Activation registers every non-restart webhook of the node (once per HTTP method).
	const webhookData = getNodeWebhooks(workflow, node, additionalData, options.test).find(
		(webhook) =>
			webhook.webhookDescription.name === webhookName &&
			webhook.webhookDescription.restartWebhook !== true,
	);
	if (!webhookData) throw new UnexpectedError(`Node "${node.name}" has no "${webhookName}" webhook`);

	const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const webhookFn = nodeType.webhookMethods?.[webhookName]?.[options.method];
	if (!webhookFn) {
		throw new UnexpectedError(`Node type "${node.type}" has no webhookMethods.${webhookName}.${options.method}`);
	}
	const hookContext = new HookContext(
		workflow,
		node,
		additionalData,
		context.mode,
		options.activation ?? 'activate',
		webhookData,
	);
	if (options.webhookUrl !== undefined) {
		const pinned = options.webhookUrl;
		hookContext.getNodeWebhookUrl = () => pinned;
	}
	const returned = (await webhookFn.call(hookContext)) as boolean;
	// ActiveWorkflowManager saves the workflow's static data after (de)activation.
	return { returned, staticData: plainStaticData(workflow) };
}
