'use strict';
/**
 * Fault injection registry.
 *
 * A fault targets one route key (see ROUTE_KEYS; omitted = any API route), fires `count` times
 * (default 1) or, with `probability`, randomly on every matching request. The first matching fault
 * in insertion order wins; one fault per request/delivery.
 */

const HTTP_KINDS = ['status', 'reset', 'drop', 'truncate', 'malformed', 'html', 'empty', 'huge', 'delay', 'corrupt', 'stall', 'no-length'];
const WEBHOOK_KINDS = ['duplicate', 'bad-signature', 'stale-timestamp', 'delay'];

const ROUTE_KEYS = [
	'POST /videos',
	'GET /videos',
	'GET /videos/models',
	'GET /videos/:id',
	'GET /videos/:id/content',
	'signed-content',
	'POST /videos/:id/download_url',
	'DELETE /videos/:id',
	'POST /videos/:id/cancel',
	'GET /webhook-endpoints',
	'POST /webhook-endpoints',
	'GET /webhook-endpoints/:id',
	'PATCH /webhook-endpoints/:id',
	'DELETE /webhook-endpoints/:id',
	'POST /webhook-endpoints/:id/rotate-secret',
	'POST /pricing/calculate',
	'GET /credits',
	'GET /generations',
	'webhook',
];

/**
 * @typedef {{route?: string, kind: string, count?: number, probability?: number, status?: number, error?: string,
 *   reason?: string, message?: string, delayMs?: number, bytes?: number, videoId?: string, eventType?: string,
 *   commit?: boolean, nonTerminalOnly?: boolean}} Fault
 */

/** Validates a fault description; throws TypeError with a helpful message. */
function normalizeFault(input) {
	if (!input || typeof input !== 'object' || Array.isArray(input)) throw new TypeError('fault must be an object');
	const fault = { ...input };
	if (fault.route !== undefined && !ROUTE_KEYS.includes(fault.route)) {
		throw new TypeError(`Unknown fault route '${fault.route}'. Known routes: ${ROUTE_KEYS.join(', ')}`);
	}
	const kinds = fault.route === 'webhook' ? WEBHOOK_KINDS : HTTP_KINDS;
	if (!kinds.includes(fault.kind)) throw new TypeError(`Unknown fault kind '${fault.kind}' for ${fault.route ?? 'API routes'}; expected one of ${kinds.join(', ')}`);
	if (fault.probability !== undefined && !(typeof fault.probability === 'number' && fault.probability >= 0 && fault.probability <= 1)) {
		throw new TypeError('fault.probability must be a number between 0 and 1');
	}
	if (fault.count !== undefined && !(Number.isInteger(fault.count) && fault.count > 0)) throw new TypeError('fault.count must be a positive integer');
	if (fault.status !== undefined && !(Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 599)) {
		throw new TypeError('fault.status must be an HTTP status code');
	}
	if (fault.delayMs !== undefined && !(typeof fault.delayMs === 'number' && fault.delayMs >= 0)) throw new TypeError('fault.delayMs must be >= 0');
	if (fault.bytes !== undefined && !(Number.isInteger(fault.bytes) && fault.bytes >= 0)) throw new TypeError('fault.bytes must be a non-negative integer');
	fault.remaining = fault.probability !== undefined ? Infinity : fault.count ?? 1;
	return fault;
}

class FaultRegistry {
	constructor() {
		/** @type {Array<Fault & {remaining: number}>} */
		this.faults = [];
	}

	add(fault) {
		const normalized = normalizeFault(fault);
		this.faults.push(normalized);
		return normalized;
	}

	clear() {
		this.faults = [];
	}

	list() {
		return this.faults.map(({ remaining, ...fault }) => ({ ...fault, remaining: remaining === Infinity ? null : remaining }));
	}

	/**
	 * Takes (consumes) the first fault matching the request, if any.
	 * @param {string} routeKey
	 * @param {{videoId?: string, eventType?: string, isApiRoute: boolean, jobIsTerminal?: (id: string) => boolean}} context
	 */
	take(routeKey, context) {
		for (let i = 0; i < this.faults.length; i += 1) {
			const fault = this.faults[i];
			if (fault.route === undefined ? !context.isApiRoute : fault.route !== routeKey) continue;
			if (fault.videoId !== undefined && fault.videoId !== context.videoId) continue;
			if (fault.eventType !== undefined && fault.eventType !== context.eventType) continue;
			if (fault.nonTerminalOnly && (!context.videoId || !context.jobIsTerminal || context.jobIsTerminal(context.videoId) !== false)) continue;
			if (fault.probability !== undefined) {
				if (Math.random() >= fault.probability) continue;
				return fault;
			}
			fault.remaining -= 1;
			if (fault.remaining <= 0) this.faults.splice(i, 1);
			return fault;
		}
		return undefined;
	}
}

module.exports = { FaultRegistry, normalizeFault, HTTP_KINDS, WEBHOOK_KINDS, ROUTE_KEYS };
