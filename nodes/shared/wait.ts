import type { INode } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

/** The user stopped the execution: not a failure of any item, so never an error item. */
export class ExecutionCancelledError extends NodeOperationError {
	constructor(node: INode) {
		super(node, 'The execution was cancelled', { level: 'info' });
	}
}

/**
 * Waits `ms` unless the execution is cancelled first. n8n-workflow 2.41 exports no sleepWithAbort,
 * so the sleep is raced against the abort event (which also works where sleep ignores the signal).
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
		// n8n-workflow 2.x clears its timer when the signal aborts; older versions ignore the signal.
		sleep(ms, signal).then(
			() => {
				signal.removeEventListener('abort', onAbort);
				resolve();
			},
			() => undefined,
		);
	});
}
