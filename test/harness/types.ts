import type {
	ExecutionError,
	ExecutionStatus,
	ICredentialType,
	IConnections,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeType,
	IRun,
	IRunExecutionData,
	IVersionedNodeType,
	IWorkflowSettings,
	Workflow,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import type { HarnessBinaryMode } from './binary-data';
import type { HarnessCredential } from './credentials';

/** Plain workflow JSON, as exported from the n8n editor. */
export interface HarnessWorkflow {
	id?: string;
	name?: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	staticData?: IDataObject;
}

export interface RunOptions {
	/** Node types under test, keyed by their type name, e.g. `{ 'n8n-nodes-ai-stats.aiStats': new AiStats() }`. */
	nodeTypes: Record<string, INodeType | IVersionedNodeType>;
	/** Credential types, e.g. `{ aiStatsApi: new AiStatsApi() }` (keyed by their `name` internally). */
	credentialTypes?: Record<string, ICredentialType>;
	workflow: HarnessWorkflow;
	credentials?: HarnessCredential[];
	/** Default 'default' (inline base64); 'filesystem' stores binaries on disk like n8n 2.x. */
	binaryMode?: HarnessBinaryMode;
	/**
	 * The instance's public base URL (n8n's WEBHOOK_URL), default `http://localhost:5678/`.
	 * Gives `$execution.resumeUrl` (`<base>webhook-waiting/<id>?signature=…`),
	 * `getNodeWebhookUrl` (`<base>webhook/…`) and `createBinarySignedUrl` (`<base>rest/…`).
	 */
	webhookBaseUrl?: string;
	/** Cancel the execution after this many ms, as the editor's stop button does. */
	abortAfterMs?: number;
	executionId?: string;
	/** Execution mode; default 'manual' (the editor's "Execute workflow"). */
	mode?: WorkflowExecuteMode;
}

export interface CancellationReport {
	/** When the cancel was requested, in ms after the run started. */
	requestedAfterMs: number;
	/** How long the engine took to settle after the cancel; undefined if it did not within the grace period. */
	settledAfterMs?: number;
}

export interface RunResult {
	/** What n8n records for the execution: 'success' | 'error' | 'waiting' | 'canceled' … */
	status: ExecutionStatus;
	error?: ExecutionError;
	waitTill?: Date;
	/** The engine's raw result. After a cancel: the run as it settled once the node stopped. */
	run: IRun;
	executionId: string;
	workflow: Workflow;
	/** What n8n would store for the execution; `resumeWaiting` continues from it. */
	runExecutionData: IRunExecutionData;
	/** Workflow static data after the run (plain JSON). */
	staticData: IDataObject;
	/** Every status the execution reported through `setExecutionStatus` (e.g. 'waiting'). */
	statusHistory: ExecutionStatus[];
	cancellation?: CancellationReport;
	/** Filesystem mode: the storage root of this run's binaries. */
	binaryStoragePath?: string;
	/** The options the run was started with (what a resume needs). */
	options: RunOptions;
	/** Items of a node's output (default: output 0 of run 0); [] if the node did not run. */
	output(nodeName: string, outputIndex?: number, runIndex?: number): INodeExecutionData[];
	/** Bytes of a binary property (default 'data'), inline or in the binary data store. */
	binaryBuffer(item: INodeExecutionData, property?: string): Promise<Buffer>;
	/** Filesystem mode: the file holding a binary property; undefined for inline data. */
	binaryFilePath(item: INodeExecutionData, property?: string): string | undefined;
	/** The error a node's last failing run recorded, if any. */
	nodeError(nodeName: string): ExecutionError | undefined;
	/** Bytes behind a URL made by `createBinarySignedUrl`, after verifying its token as n8n's REST endpoint does. */
	readSignedBinaryUrl(url: string): Promise<Buffer>;
}
