import type { INode } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

/** The user stopped the execution: not a failure of any item, so never an error item. */
export class ExecutionCancelledError extends NodeOperationError {
	constructor(node: INode) {
		super(node, 'The execution was cancelled', { level: 'info' });
	}
}

/**
 * Waits `ms` unless the execution is cancelled first. n8n-workflow 2.41 has no sleepWithAbort,
 * so the plain sleep is raced against the abort event.
 */
export async function sleepUnlessCancelled(ms: number, node: INode, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted) throw new ExecutionCancelledError(node);
	if (!signal) {
		await sleep(ms);
		return;
	}
	await new Promise<void>((resolve, reject) => {
		const onAbort = () => reject(new ExecutionCancelledError(node));
		signal.addEventListener('abort', onAbort, { once: true });
		void sleep(ms).then(() => {
			signal.removeEventListener('abort', onAbort);
			resolve();
		});
	});
}

/** Exponential backoff with full jitter between half and all of the step, capped. */
export function backoffDelayMs(retryNumber: number, baseMs: number, capMs: number): number {
	const step = Math.min(capMs, baseMs * 2 ** retryNumber);
	return Math.round(step / 2 + Math.random() * (step / 2));
}
