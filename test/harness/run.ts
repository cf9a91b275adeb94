/**
 * Running a workflow with n8n-core's real engine (`WorkflowExecute`).
 *
 * Cancellation: `WorkflowExecute.run()` / `processRunExecutionData()` return a
 * `PCancelable<IRun>`. `cancel()` (what n8n's ActiveExecutions.stopExecution calls when
 * the stop button is pressed) aborts the engine's private AbortController — the very
 * signal nodes get from `this.getExecutionCancelSignal()` and that
 * `httpRequestWithAuthentication` puts on every request — marks running tasks 'canceled'
 * and fires `workflowExecuteAfter` with status 'canceled' at once (that is what n8n
 * stores). The promise itself does not reject: it resolves once the running node returns
 * or throws, with whatever status that produces.
 */
import { WorkflowExecute } from 'n8n-core';
import type {
	ExecutionError,
	IBinaryData,
	IDataObject,
	INodeExecutionData,
	IRun,
	IRunExecutionData,
	Workflow,
} from 'n8n-workflow';
import { UnexpectedError } from 'n8n-workflow';

import { activateBinaryStore, binaryPath, readBinary } from './binary-data';
import { ensureHarnessReady } from './bootstrap';
import type { HarnessRunContext } from './run-context';
import {
	ExecutionTracker,
	buildAdditionalData,
	buildWorkflow,
	createRunContext,
	nextExecutionId,
	plainStaticData,
	workflowBase,
} from './run-context';
import type { CancellationReport, RunOptions, RunResult } from './types';

const DEFAULT_CANCEL_GRACE_MS = 5000;

/** The engine's PCancelable<IRun>. */
type EngineExecution = ReturnType<WorkflowExecute['processRunExecutionData']>;

export async function runWorkflow(options: RunOptions): Promise<RunResult> {
	ensureHarnessReady();
	const context = await createRunContext(options);
	const workflow = buildWorkflow(context);
	const startNodeName = options.workflow.nodes[0]?.name;
	const startNode = startNodeName ? workflow.getNode(startNodeName) : null;
	if (!startNode) throw new UnexpectedError(`Start node "${startNodeName}" is not in the workflow`);

	const executionId = options.executionId ?? nextExecutionId();
	const tracker = new ExecutionTracker(context.mode, executionId, workflowBase(context, workflow));
	const additionalData = buildAdditionalData(context, { executionId, tracker, workflow });
	activateBinaryStore(context.binaryStore);

	const engine = new WorkflowExecute(additionalData, context.mode);
	return await superviseExecution(context, {
		execution: engine.run({ workflow, startNode }),
		executionId,
		workflow,
		tracker,
		abortAfterMs: options.abortAfterMs,
	});
}

/** Awaits an execution, cancelling it after `abortAfterMs` if asked, and wraps the outcome. */
export async function superviseExecution(
	context: HarnessRunContext,
	{
		execution,
		executionId,
		workflow,
		tracker,
		abortAfterMs,
	}: {
		execution: EngineExecution;
		executionId: string;
		workflow: Workflow;
		tracker: ExecutionTracker;
		abortAfterMs?: number;
	},
): Promise<HarnessRunResult> {
	const startedAt = Date.now();
	const graceMs = DEFAULT_CANCEL_GRACE_MS;
	let cancelledAt: number | undefined;
	let abortTimer: NodeJS.Timeout | undefined;
	let graceTimer: NodeJS.Timeout | undefined;

	const settled = await new Promise<{ run?: IRun; settledAt?: number }>((resolve, reject) => {
		execution.then((run) => resolve({ run, settledAt: Date.now() }), reject);
		if (abortAfterMs === undefined) return;
		abortTimer = setTimeout(() => {
			cancelledAt = Date.now();
			execution.cancel();
			// A node that ignores the cancel signal would keep the run going forever.
			graceTimer = setTimeout(() => resolve({}), graceMs);
		}, abortAfterMs);
	}).finally(() => {
		clearTimeout(abortTimer);
		clearTimeout(graceTimer);
	});

	let cancellation: CancellationReport | undefined;
	if (cancelledAt !== undefined) {
		cancellation = {
			requestedAfterMs: cancelledAt - startedAt,
			settledAfterMs: settled.settledAt !== undefined ? settled.settledAt - cancelledAt : undefined,
		};
	}
	const run = settled.run ?? tracker.afterRun;
	if (!run) throw new UnexpectedError('The execution ended without a result');
	return new HarnessRunResult(context, {
		run,
		status: cancellation ? 'canceled' : run.status,
		executionId,
		workflow,
		statusHistory: tracker.statusHistory,
		cancellation,
	});
}

export class HarnessRunResult implements RunResult {
	readonly status: RunResult['status'];
	readonly error?: ExecutionError;
	readonly waitTill?: Date;
	readonly run: IRun;
	readonly executionId: string;
	readonly workflow: Workflow;
	readonly runExecutionData: IRunExecutionData;
	readonly staticData: IDataObject;
	readonly statusHistory: RunResult['statusHistory'];
	readonly cancellation?: CancellationReport;
	readonly binaryStoragePath?: string;
	readonly options: RunOptions;

	constructor(
		/** Shared with resumptions of this execution (same credentials, binary store, URLs). */
		readonly context: HarnessRunContext,
		init: {
			run: IRun;
			status: RunResult['status'];
			executionId: string;
			workflow: Workflow;
			statusHistory: RunResult['statusHistory'];
			cancellation?: CancellationReport;
		},
	) {
		this.run = init.run;
		this.status = init.status;
		this.executionId = init.executionId;
		this.workflow = init.workflow;
		this.statusHistory = init.statusHistory;
		this.cancellation = init.cancellation;
		this.runExecutionData = init.run.data;
		this.error = init.run.data.resultData.error;
		this.waitTill = init.run.waitTill ?? undefined;
		this.staticData = plainStaticData(init.workflow);
		this.binaryStoragePath = context.binaryStore.storagePath;
		this.options = context.options;
	}

	output(nodeName: string, outputIndex = 0, runIndex = 0): INodeExecutionData[] {
		const task = this.runExecutionData.resultData.runData[nodeName]?.[runIndex];
		return task?.data?.main?.[outputIndex] ?? [];
	}

	nodeError(nodeName: string): ExecutionError | undefined {
		const tasks = this.runExecutionData.resultData.runData[nodeName] ?? [];
		return [...tasks].reverse().find((task) => task.error)?.error;
	}

	async binaryBuffer(item: INodeExecutionData, property = 'data'): Promise<Buffer> {
		return await readBinary(this.context.binaryStore, this.binaryOf(item, property));
	}

	binaryFilePath(item: INodeExecutionData, property = 'data'): string | undefined {
		return binaryPath(this.context.binaryStore, this.binaryOf(item, property));
	}

	async readSignedBinaryUrl(url: string): Promise<Buffer> {
		const { restApiUrl } = this.context.urls;
		const parsed = new URL(url);
		if (!url.startsWith(`${restApiUrl}/binary-data/signed`)) {
			throw new UnexpectedError(`Not a signed binary URL of this instance: ${url}`);
		}
		const token = parsed.searchParams.get('token') ?? '';
		// As packages/cli's binary-data controller: verify the JWT, then stream by id.
		const binaryDataId = this.context.binaryStore.service.validateSignedToken(token);
		return await readBinary(this.context.binaryStore, { id: binaryDataId, data: '', mimeType: '' });
	}

	private binaryOf(item: INodeExecutionData, property: string): IBinaryData {
		const binary = item.binary?.[property];
		if (!binary) {
			throw new UnexpectedError(
				`Item has no binary property "${property}" (has: ${Object.keys(item.binary ?? {}).join(', ') || 'none'})`,
			);
		}
		return binary;
	}
}
