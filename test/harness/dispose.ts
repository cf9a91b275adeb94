import { removeBinaryStorage } from './binary-data';

/**
 * Deletes the binary storage folders the harness created in this process. Call it from
 * `afterAll` once no test needs a run's files any more. (The harness opens no sockets or
 * timers that outlive a call, so nothing else needs closing.)
 */
export function disposeHarness(): void {
	removeBinaryStorage();
}
