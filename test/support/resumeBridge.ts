import { resumeWaiting, type RunResult } from '../harness';
import { SerialBridge, type BridgedRequest, type BridgedResponse } from './serialBridge';

/**
 * Stands in for n8n's `/webhook-waiting/<executionId>/<path>` endpoint: real HTTP requests from
 * the simulator's webhook deliveries go to the harness's resumeWaiting, and the node's answer
 * goes back to the simulator.
 */
export class ResumeBridge extends SerialBridge {
	current?: RunResult;
	readonly calls: Array<{ status: number; body: unknown }> = [];
	private settled?: (result: RunResult) => void;

	/** Resolves when the execution leaves the waiting state. */
	async finished(timeoutMs = 20_000): Promise<RunResult> {
		if (this.current && this.current.status !== 'waiting') return this.current;
		return await new Promise<RunResult>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('the execution was not resumed in time')), timeoutMs);
			this.settled = (result) => {
				clearTimeout(timer);
				resolve(result);
			};
		});
	}

	protected async handle(request: BridgedRequest): Promise<BridgedResponse> {
		const url = new URL(request.url, 'http://bridge');
		const match = /^\/webhook-waiting\/([^/]+)\/?(.*)$/.exec(url.pathname);
		if (!match || !this.current || match[1] !== this.current.executionId) {
			return { status: 404, headers: {}, body: Buffer.from('no such waiting execution') };
		}
		if (this.current.status !== 'waiting') return { status: 409, headers: {}, body: Buffer.from('execution is not waiting') };
		const { response, result } = await resumeWaiting(this.current, {
			method: request.method,
			pathSuffix: match[2],
			headers: request.headers,
			body: request.body,
			query: Object.fromEntries(url.searchParams),
		});
		this.current = result;
		this.calls.push({ status: response.status, body: response.body });
		if (result.status !== 'waiting') this.settled?.(result);
		return { status: response.status, headers: response.headers, body: response.rawBody };
	}
}
