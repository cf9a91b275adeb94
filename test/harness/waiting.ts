/**
 * Resuming a waiting execution — one whose node called `putExecutionToWait` — the two
 * ways n8n does it:
 *
 * - `resumeWaiting`: an HTTP call to the resume URL
 *   (`<base>webhook-waiting/<executionId>/<suffix>`), as
 *   packages/cli/src/webhooks/waiting-webhooks.ts handles it: the waiting node's
 *   `restartWebhook: true` webhook() runs; if it returns `workflowData`, the node is
 *   disabled, its "waiting" run entry is replaced by that data (on all its outputs) and
 *   the engine continues with `WorkflowExecute.processRunExecutionData`. Without
 *   `workflowData` (or when webhook() throws) the stored execution is not touched and
 *   stays waiting.
 * - `resumeAfterWaitTimeout`: `waitTill` passed, as packages/cli/src/wait-tracker.ts
 *   restarts it: the engine (handleWaitingState) disables the waiting node, which then
 *   passes its *input* through unchanged — no error, no marker.
 */
import { WorkflowExecute, getNextExecutionIndex } from 'n8n-core';
import type { IRunExecutionData, ITaskData } from 'n8n-workflow';
import { UnexpectedError } from 'n8n-workflow';

import { activateBinaryStore } from './binary-data';
import { ensureHarnessReady } from './bootstrap';
import type { HarnessHttpRequest, HarnessHttpResponse } from './http-emulation';
import { EmulatedRequest, EmulatedResponse, sendErrorResponse } from './http-emulation';
import type { HarnessRunResult } from './run';
import { superviseExecution } from './run';
import { ExecutionTracker, buildAdditionalData, buildWorkflow, workflowBase } from './run-context';
import type { RunResult } from './types';
import {
	RESPONSE_WAIT_MS,
	getNodeWebhooks,
	invokeWebhook,
	respondAfterRun,
	respondAfterStart,
} from './webhook-invocation';

export interface ResumeOptions {
	/** Cancel the resumed execution after this many ms. */
	abortAfterMs?: number;
}

export interface WebhookCallResult {
	response: HarnessHttpResponse;
	/** The execution after the call: continued (success/error/waiting…) or unchanged (still waiting). */
	result: RunResult;
}

export async function resumeWaiting(
	previous: RunResult,
	request: HarnessHttpRequest,
	options: ResumeOptions = {},
): Promise<WebhookCallResult> {
	ensureHarnessReady();
	const waiting = previous as HarnessRunResult;
	const { context, executionId } = waiting;
	activateBinaryStore(context.binaryStore);
	const res = new EmulatedResponse();
	const unchanged = async (): Promise<WebhookCallResult> => ({
		response: await res.collect(RESPONSE_WAIT_MS),
		result: previous,
	});

	// waiting-webhooks.ts executeWebhook: refuse executions that are not waiting.
	if (previous.status !== 'waiting') {
		const reason =
			previous.status === 'error' || previous.error
				? `The execution "${executionId}" has finished with error.`
				: previous.status === 'running'
					? `The execution "${executionId}" is running already.`
					: `The execution "${executionId} has finished already.`;
		sendErrorResponse(res, 409, reason);
		return await unchanged();
	}

	// The stored execution, as it comes back from the database (JSON, no shared objects).
	const runExecutionData = JSON.parse(JSON.stringify(previous.runExecutionData)) as IRunExecutionData;
	const lastNodeExecuted = runExecutionData.resultData.lastNodeExecuted;
	if (!lastNodeExecuted || !runExecutionData.executionData?.nodeExecutionStack[0]) {
		throw new UnexpectedError('The waiting execution has no node to resume');
	}
	// getWebhookExecutionData: disable the waiting node so it is not run again (it passes the
	// webhook's data through instead), drop waitTill, and drop its "waiting" run entry.
	runExecutionData.executionData.nodeExecutionStack[0].node.disabled = true;
	runExecutionData.waitTill = undefined;
	popRunEntry(runExecutionData.resultData.runData[lastNodeExecuted]);

	const workflow = buildWorkflow(context, previous.staticData);
	const waitingNode = workflow.getNode(lastNodeExecuted);
	if (!waitingNode) throw new UnexpectedError(`Node "${lastNodeExecuted}" is not in the workflow`);

	const method = (request.method ?? 'POST').toUpperCase();
	const suffix = request.pathSuffix ?? '';
	const webhookData = getNodeWebhooks(
		workflow,
		waitingNode,
		buildAdditionalData(context, { executionId, workflow }),
	).find(
		(webhook) =>
			webhook.httpMethod === method &&
			webhook.path === suffix &&
			webhook.webhookDescription.restartWebhook === true &&
			webhook.webhookDescription.nodeType !== 'form',
	);
	if (!webhookData) {
		sendErrorResponse(
			res,
			404,
			`The workflow for execution "${executionId}" does not contain a waiting webhook with a matching path/method.`,
		);
		return await unchanged();
	}

	const req = new EmulatedRequest({
		request,
		path: `/webhook-waiting/${executionId}${suffix ? `/${suffix}` : ''}`,
		baseUrl: context.urls.instanceBaseUrl,
	});
	const call = await invokeWebhook(context, {
		workflow,
		node: waitingNode,
		webhookData,
		mode: previous.run.mode,
		executionId,
		runExecutionData,
		req,
		res,
	});
	// webhook-helpers.ts: a failing webhook of a waiting execution changes nothing.
	if (call.failed || call.webhookResultData.workflowData === undefined) {
		return await unchanged();
	}

	// prepareExecutionData: the waiting node's output becomes the webhook's data, on all outputs.
	const resumingEntry = runExecutionData.executionData.nodeExecutionStack[0];
	resumingEntry.data.main = call.webhookResultData.workflowData;
	resumingEntry.metadata = { ...resumingEntry.metadata, forwardAllOutputs: true };

	const tracker = new ExecutionTracker(previous.run.mode, executionId, workflowBase(context, workflow));
	const additionalData = buildAdditionalData(context, { executionId, tracker, workflow });
	additionalData.restartExecutionId = executionId;
	additionalData.currentNodeExecutionIndex = getNextExecutionIndex(runExecutionData.resultData.runData);
	const engine = new WorkflowExecute(additionalData, previous.run.mode, runExecutionData);
	const execution = engine.processRunExecutionData(workflow);
	// 'onReceived' answers as soon as the execution has started.
	respondAfterStart(call, res);
	const result = await superviseExecution(context, {
		execution,
		executionId,
		workflow,
		tracker,
		abortAfterMs: options.abortAfterMs,
	});
	respondAfterRun(call, res, result);
	return { response: await res.collect(RESPONSE_WAIT_MS), result };
}

/** waiting-webhooks' preserveInputOverride: drop the entry, keep an AI-tool input override. */
function popRunEntry(runs: ITaskData[] | undefined) {
	const popped = runs?.pop();
	if (popped?.inputOverride) {
		runs!.push({
			startTime: 0,
			executionTime: 0,
			executionIndex: 0,
			source: popped.source,
			inputOverride: popped.inputOverride,
		});
	}
}

/**
 * What n8n does when `waitTill` passes without a callback: continue the stored execution
 * as it is. The waiting node is skipped (disabled) and forwards its input items.
 */
export async function resumeAfterWaitTimeout(
	previous: RunResult,
	options: ResumeOptions = {},
): Promise<RunResult> {
	ensureHarnessReady();
	if (previous.status !== 'waiting') {
		throw new UnexpectedError(`Execution "${previous.executionId}" is not waiting (${previous.status})`);
	}
	const { context, executionId } = previous as HarnessRunResult;
	activateBinaryStore(context.binaryStore);
	const runExecutionData = JSON.parse(JSON.stringify(previous.runExecutionData)) as IRunExecutionData;
	// JSON turned waitTill into a string; the engine only checks that it is set.
	runExecutionData.waitTill = new Date(previous.runExecutionData.waitTill ?? Date.now());
	const workflow = buildWorkflow(context, previous.staticData);
	const tracker = new ExecutionTracker(previous.run.mode, executionId, workflowBase(context, workflow));
	const additionalData = buildAdditionalData(context, { executionId, tracker, workflow });
	additionalData.restartExecutionId = executionId;
	additionalData.currentNodeExecutionIndex = getNextExecutionIndex(runExecutionData.resultData.runData);
	const engine = new WorkflowExecute(additionalData, previous.run.mode, runExecutionData);
	return await superviseExecution(context, {
		execution: engine.processRunExecutionData(workflow),
		executionId,
		workflow,
		tracker,
		abortAfterMs: options.abortAfterMs,
	});
}
