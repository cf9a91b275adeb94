/**
 * In-process n8n execution harness: runs workflows, webhooks, credential tests and
 * list searches through n8n-core 2.41's real engine on Node 20 (see README.md here).
 */
export { runWorkflow } from './run';
export { resumeWaiting, resumeAfterWaitTimeout } from './waiting';
export type { ResumeOptions, WebhookCallResult } from './waiting';
export { runWebhookTrigger, runWebhookMethod } from './triggers';
export type {
	WebhookMethodOptions,
	WebhookMethodResult,
	WebhookTriggerOptions,
	WebhookTriggerResult,
} from './triggers';
export { testCredential } from './credential-test';
export type { CredentialTestOptions } from './credential-test';
export { callListSearch } from './node-methods';
export type { ListSearchOptions, NodeMethodOptions } from './node-methods';
export { harnessLogs, harnessLogText } from './logs';
export type { HarnessLogEntry, HarnessLogLevel } from './logs';
export { HarnessCredentialsHelper } from './credentials';
export type { HarnessCredential } from './credentials';
export { HARNESS_START_NODE_TYPE } from './node-types';
export type { HarnessBinaryInput, HarnessStartItem } from './node-types';
export type { HarnessBinaryMode } from './binary-data';
export type { HarnessHttpRequest, HarnessHttpResponse } from './http-emulation';
export type { CancellationReport, HarnessWorkflow, RunOptions, RunResult } from './types';
export { disposeHarness } from './dispose';
