/**
 * The part of n8n's webhook handling every webhook call shares
 * (packages/cli/src/webhooks/webhook.service.ts getNodeWebhooks and
 * webhook-helpers.ts executeWebhook): which webhooks a node has, evaluating the response
 * options, parsing the body, running the node's `webhook()` in n8n-core's real
 * `WebhookContext`, and answering the caller.
 */
import { ErrorReporter, WebhookContext } from 'n8n-core';
import type {
	IHttpRequestMethods,
	INode,
	INodeExecutionData,
	IRunExecutionData,
	IWebhookData,
	IWebhookDescription,
	IWebhookResponseData,
	IWorkflowDataProxyAdditionalKeys,
	IWorkflowExecuteAdditionalData,
	Workflow,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { Node, NodeHelpers, UnexpectedError, resolveWebhookDescriptionField } from 'n8n-workflow';

import type { EmulatedRequest, EmulatedResponse } from './http-emulation';
import { parseRequestBody, sendErrorResponse, sendLegacyResponse } from './http-emulation';
import { Container } from './n8n-internals';
import type { HarnessRunContext } from './run-context';
import { buildAdditionalData } from './run-context';
import type { RunResult } from './types';

/** How long to wait for a node that answers the HTTP request asynchronously. */
export const RESPONSE_WAIT_MS = 2000;

export function getNodeWebhooks(
	workflow: Workflow,
	node: INode,
	additionalData: IWorkflowExecuteAdditionalData,
	isTest = false,
): IWebhookData[] {
	if (node.disabled === true) return [];
	const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const descriptions = nodeType.description.webhooks ?? [];
	const workflowId = workflow.id || '__UNSAVED__';
	const webhooks: IWebhookData[] = [];
	for (const description of descriptions) {
		let nodeWebhookPath = String(webhookField(workflow, node, description, 'path', '') ?? '');
		if (nodeWebhookPath.startsWith('/')) nodeWebhookPath = nodeWebhookPath.slice(1);
		if (nodeWebhookPath.endsWith('/')) nodeWebhookPath = nodeWebhookPath.slice(0, -1);
		const isFullPath = webhookField(workflow, node, description, 'isFullPath', false) as boolean;
		const restartWebhook = webhookField(workflow, node, description, 'restartWebhook', false) as boolean;
		const path = NodeHelpers.getNodeWebhookPath(
			workflowId,
			node,
			nodeWebhookPath,
			isFullPath,
			restartWebhook,
		);
		const httpMethods = String(webhookField(workflow, node, description, 'httpMethod', 'GET'));
		const webhookId =
			(path.startsWith(':') || path.includes('/:')) && node.webhookId ? node.webhookId : undefined;
		for (const httpMethod of httpMethods.split(',')) {
			if (!httpMethod) continue;
			webhooks.push({
				httpMethod: httpMethod.trim() as IHttpRequestMethods,
				node: node.name,
				path,
				webhookDescription: description,
				workflowId,
				workflowExecuteAdditionalData: additionalData,
				webhookId,
				isTest,
			});
		}
	}
	return webhooks;
}

/** A webhook description field: natively resolved if declared so, else an expression. */
function webhookField(
	workflow: Workflow,
	node: INode,
	description: IWebhookDescription,
	field: string,
	fallback: string | boolean | number | undefined,
	mode: WorkflowExecuteMode = 'internal',
	additionalKeys: IWorkflowDataProxyAdditionalKeys = {},
) {
	const native = resolveWebhookDescriptionField(node, description, field);
	if (native.resolved) return native.value ?? fallback;
	return workflow.expression.getSimpleParameterValue(
		node,
		description[field] as string | boolean | undefined,
		mode,
		additionalKeys,
		undefined,
		fallback as string,
	);
}

export interface WebhookInvocation {
	webhookResultData: IWebhookResponseData;
	failed: boolean;
	error?: Error;
	responseMode: string;
	responseCode: number;
	responseData?: unknown;
}

/**
 * webhook-helpers.ts executeWebhook up to the start of the run: evaluate the response
 * options, parse the body, call the node's `webhook()` in a real WebhookContext and send
 * the immediate response.
 */
export async function invokeWebhook(
	context: HarnessRunContext,
	{
		workflow,
		node,
		webhookData,
		mode,
		executionId,
		runExecutionData,
		req,
		res,
	}: {
		workflow: Workflow;
		node: INode;
		webhookData: IWebhookData;
		mode: WorkflowExecuteMode;
		executionId?: string;
		runExecutionData: IRunExecutionData | null;
		req: EmulatedRequest;
		res: EmulatedResponse;
	},
): Promise<WebhookInvocation> {
	const description = webhookData.webhookDescription;
	const additionalKeys = { $executionId: executionId };
	const evaluate = (field: string, fallback: string | number | undefined) =>
		webhookField(workflow, node, description, field, fallback, mode, additionalKeys);
	const responseMode = String(evaluate('responseMode', 'onReceived'));
	const responseCode = Number(evaluate('responseCode', 200));
	const responseData = evaluate('responseData', undefined);
	if (!['onReceived', 'lastNode'].includes(responseMode)) {
		throw new UnexpectedError(
			`Webhook response mode "${responseMode}" is not supported by the harness (only onReceived and lastNode)`,
		);
	}

	const additionalData = buildAdditionalData(context, { executionId, workflow });
	additionalData.httpRequest = req as never;
	additionalData.httpResponse = res as never;

	const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	if (nodeType.webhook === undefined) {
		throw new UnexpectedError(`Node type "${node.type}" has no webhook() method`);
	}
	try {
		await parseRequestBody(req, node.typeVersion);
	} catch (error) {
		// body-parser.ts: UnprocessableRequestError
		sendErrorResponse(res, 422, 'Failed to parse request body');
		return { webhookResultData: {}, failed: true, error: error as Error, responseMode, responseCode };
	}

	let webhookResultData: IWebhookResponseData;
	try {
		const webhookContext = new WebhookContext(
			workflow,
			node,
			additionalData,
			mode,
			webhookData,
			[],
			runExecutionData,
		);
		webhookResultData =
			nodeType instanceof Node
				? await nodeType.webhook(webhookContext)
				: ((await nodeType.webhook.call(webhookContext)) as IWebhookResponseData);
	} catch (error) {
		// The cli reports the error (to the log) and answers with a generic 500.
		Container.get(ErrorReporter).error(error);
		sendErrorResponse(res, 500, 'Workflow Webhook Error: Workflow could not be started!');
		return {
			webhookResultData: { noWebhookResponse: true },
			failed: true,
			error: error as Error,
			responseMode,
			responseCode,
		};
	}

	// handleImmediateWebhookResponse
	if (webhookResultData.workflowData === undefined && webhookResultData.noWebhookResponse !== true) {
		sendLegacyResponse(
			res,
			webhookResultData.webhookResponse !== undefined
				? webhookResultData.webhookResponse
				: { message: 'Webhook call received' },
			responseCode,
		);
	}
	return { webhookResultData, failed: false, responseMode, responseCode, responseData };
}

/** 'onReceived': answer once the execution is started (extractWebhookOnReceivedResponse). */
export function respondAfterStart(call: WebhookInvocation, res: EmulatedResponse) {
	if (call.responseMode !== 'onReceived' || call.webhookResultData.noWebhookResponse === true) return;
	const { responseData, webhookResultData } = call;
	let body: unknown;
	if (responseData === 'noData') body = undefined;
	else if (responseData) body = responseData;
	else if (webhookResultData.webhookResponse !== undefined) body = webhookResultData.webhookResponse;
	else body = { message: 'Workflow was started' };
	if (res.headersSent || res.writableEnded) return;
	res.status(call.responseCode);
	if (body === undefined) res.end();
	else if (typeof body === 'string') res.send(body);
	else res.json(body);
}

/** 'lastNode': answer with the last node's data once the run is over. */
export function respondAfterRun(call: WebhookInvocation, res: EmulatedResponse, result: RunResult) {
	if (call.responseMode !== 'lastNode' || call.webhookResultData.noWebhookResponse === true) return;
	if (res.headersSent || res.writableEnded) return;
	if (result.error) {
		sendLegacyResponse(res, { message: 'Error in workflow' }, 500);
		return;
	}
	const lastNode = result.runExecutionData.resultData.lastNodeExecuted;
	const items: INodeExecutionData[] = lastNode ? result.output(lastNode) : [];
	if (items.length === 0) {
		sendLegacyResponse(
			res,
			{ message: 'Workflow executed successfully but the last node did not return any data' },
			call.responseCode,
		);
		return;
	}
	const body =
		call.responseData === 'allEntries'
			? items.map((item) => item.json)
			: call.responseData === 'noData'
				? undefined
				: items[0].json;
	res.status(call.responseCode);
	if (body === undefined) res.end();
	else res.json(body);
}
