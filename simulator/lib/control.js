'use strict';
/**
 * Unauthenticated control API under /__sim/ so e2e suites and demos can drive a simulator running
 * in another process. Every operation maps onto a method of the in-process `sim` object. Control
 * requests are not recorded in `sim.requests()` and are never subject to faults.
 */

const { isPlainObject } = require('./util');

/**
 * @param {any} sim the simulator object
 * @param {{method: string, segments: string[], query: URLSearchParams, body: {parsed?: unknown, invalid: boolean}}} req
 * @returns {Promise<{status: number, json?: unknown}>}
 */
async function handleControl(sim, req) {
	const { method, segments } = req;
	const [resource, id, action] = segments;
	const body = req.body.parsed;
	if (req.body.invalid) return { status: 400, json: { error: 'Request body is not valid JSON.' } };
	try {
		switch (resource) {
			case 'health':
				if (method === 'GET') return ok({ ok: true, origin: sim.origin, baseUrl: sim.baseUrl, jobs: sim.jobs().length, uptimeMs: Date.now() - sim.startedAt });
				break;
			case 'keys':
				if (method === 'GET') return ok(sim.keys);
				break;
			case 'reset':
				if (method === 'POST') {
					sim.reset();
					return ok({ ok: true });
				}
				break;
			case 'options':
				if (method === 'GET') return ok(sim.getOptions());
				if (method === 'POST' || method === 'PATCH') {
					sim.setOptions(body ?? {});
					return ok(sim.getOptions());
				}
				break;
			case 'faults':
				if (method === 'GET') return ok({ faults: sim.faults() });
				if (method === 'POST') {
					for (const fault of Array.isArray(body) ? body : [body]) sim.injectFault(fault);
					return ok({ faults: sim.faults() });
				}
				if (method === 'DELETE') {
					sim.clearFaults();
					return ok({ faults: [] });
				}
				break;
			case 'requests':
				if (method === 'GET') return ok(sim.requests());
				if (method === 'DELETE') {
					sim.clearRequests();
					return ok({ ok: true });
				}
				break;
			case 'deliveries':
				if (method === 'GET') return ok(sim.deliveries());
				if (method === 'DELETE') {
					sim.clearDeliveries();
					return ok({ ok: true });
				}
				break;
			case 'references':
				if (method === 'GET') return ok(sim.references());
				break;
			case 'received-references':
				if (method === 'GET') return ok(sim.receivedReferences());
				if (method === 'DELETE') {
					sim.clearReceivedReferences();
					return ok({ ok: true });
				}
				break;
			case 'jobs':
				return await jobs(sim, method, id, action, body);
			case 'content':
				if (method === 'GET' && id) {
					const index = Number(req.query.get('index') ?? 0);
					return ok(sim.contentFor(id, index));
				}
				break;
			case 'deliver':
				if (method === 'POST') return await deliver(sim, body);
				break;
			case 'sign':
				if (method === 'POST' && isPlainObject(body)) {
					return ok({ signature: sim.signPayload(String(body.secret), Number(body.timestamp), String(body.body ?? body.rawBody ?? '')) });
				}
				break;
			default:
				break;
		}
	} catch (error) {
		const status = error.code === 'not_found' ? 404 : error.code === 'terminal' ? 409 : 400;
		return { status, json: { error: error.message } };
	}
	return { status: 404, json: { error: `Unknown control route ${method} /__sim/${segments.join('/')}` } };
}

async function jobs(sim, method, id, action, body) {
	if (!id && method === 'GET') return ok(sim.jobs());
	if (id && !action && method === 'GET') {
		const job = sim.getJob(id);
		return job ? ok(job) : { status: 404, json: { error: `Unknown video id ${id}` } };
	}
	if (id && method === 'POST') {
		if (action === 'complete') return ok(await sim.completeJob(id));
		if (action === 'fail') return ok(sim.failJob(id, isPlainObject(body) ? body.error : undefined));
		if (action === 'expire') return ok(sim.expireJob(id));
		if (action === 'cancel') return ok(sim.cancelJob(id));
	}
	return { status: 404, json: { error: `Unknown control route ${method} /__sim/jobs/${[id, action].filter(Boolean).join('/')}` } };
}

async function deliver(sim, body) {
	if (!isPlainObject(body)) return { status: 400, json: { error: 'Body must be an object' } };
	const { jobId, type, extra, ...rest } = body;
	let event = rest.event;
	if (event === undefined) {
		if (typeof jobId !== 'string' || typeof type !== 'string') return { status: 400, json: { error: 'Provide event, or jobId and type' } };
		event = sim.buildEvent(jobId, type, isPlainObject(extra) ? extra : undefined);
	}
	try {
		const result = await sim.deliverEvent({ ...rest, event });
		return ok({ ...result, event });
	} catch (error) {
		return { status: error instanceof TypeError ? 400 : 502, json: { error: error.message } };
	}
}

const ok = (json) => ({ status: 200, json });

module.exports = { handleControl };
