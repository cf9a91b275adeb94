'use strict';
/**
 * A running instance's public API (/api/v1 with an API key created on first use), and waiting
 * for what it reports: executions, registered webhooks.
 */
const { httpJson } = require('./http');
const { createApiKey } = require('./owner');
const { sleep, tail } = require('./processes');

const TERMINAL_STATUSES = ['success', 'error', 'crashed', 'canceled'];

/** Adds apiKey(), api(), executions(), execution(), endedExecutions(), (de)activateWorkflow(), waitForExecution(), waitForWebhook(). */
function attachApi(instance) {
	const { url, logs } = instance;
	let apiKeyPromise = null;
	instance.apiKey = () => {
		if (!apiKeyPromise) apiKeyPromise = createApiKey(instance).catch((e) => {
			apiKeyPromise = null;
			throw e;
		});
		return apiKeyPromise;
	};
	instance.api = async (p, init = {}) => {
		const key = await instance.apiKey();
		const res = await httpJson(`${url}/api/v1${p.startsWith('/') ? p : '/' + p}`, {
			...init,
			headers: { 'X-N8N-API-KEY': key, ...(init.headers || {}) },
		});
		if (res.status >= 400 && !init.allowError) throw new Error(`public API ${p}: HTTP ${res.status} ${res.text.slice(0, 500)}`);
		return res.json;
	};
	/** GET /api/v1/executions (includeData=true by default); resolves the `data` array. */
	instance.executions = async (query = {}) => {
		const q = new URLSearchParams({ includeData: 'true', limit: '100', ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])) });
		const res = await instance.api(`/executions?${q}`);
		return res.data;
	};
	instance.execution = async (id) => instance.api(`/executions/${id}?includeData=true`);
	/** Activate (2.x: publish the current version of) a workflow on the running instance. */
	instance.activateWorkflow = async (id) => instance.api(`/workflows/${id}/activate`, { method: 'POST' });
	instance.deactivateWorkflow = async (id) => instance.api(`/workflows/${id}/deactivate`, { method: 'POST' });
	/**
	 * Ended executions (a terminal status), newest first, each with its data. Listed without data
	 * and read one at a time: one list of many executions with large data (binary data in memory
	 * mode) times out n8n's API.
	 */
	instance.endedExecutions = async (query = {}) => {
		const ended = (await instance.executions({ ...query, includeData: false })).filter((e) => TERMINAL_STATUSES.includes(e.status));
		const executions = [];
		for (const e of ended) executions.push(await instance.execution(e.id));
		return executions;
	};
	/**
	 * Poll GET /api/v1/executions until one has a status in `statuses` (default: a terminal one:
	 * success, error, crashed, canceled) and pred(execution) is true. Use { statuses: ['waiting'] }
	 * for an execution parked by putExecutionToWait, and { query: { workflowId } } to narrow the
	 * list. Listed without data; candidates are read one at a time (see endedExecutions), and an
	 * ended one that does not match is not read again.
	 */
	instance.waitForExecution = async (pred = () => true, { timeoutMs = 60000, query = {}, statuses = TERMINAL_STATUSES } = {}) => {
		const t0 = Date.now();
		const rejected = new Set();
		for (;;) {
			const list = await instance.executions({ ...query, includeData: false });
			for (const summary of list) {
				if (!statuses.includes(summary.status) || rejected.has(summary.id)) continue;
				const execution = await instance.execution(summary.id);
				if (pred(execution)) return execution;
				if (TERMINAL_STATUSES.includes(execution.status)) rejected.add(summary.id);
			}
			if (Date.now() - t0 > timeoutMs) throw new Error(`no matching execution after ${timeoutMs} ms; have: ${JSON.stringify(list.map((e) => ({ id: e.id, status: e.status, workflowId: e.workflowId })))}`);
			await sleep(300);
		}
	};
	/**
	 * Wait until a production webhook path is registered (webhooks register shortly after
	 * readiness or activation). Nothing is executed while probing:
	 *  - /webhook/... paths are probed with a method the webhook does not use (PATCH, or PUT for
	 *    a PATCH webhook): n8n answers 404 "...is not registered." until the path exists and
	 *    404 "...not registered for PATCH requests. Did you mean..." after;
	 *  - /form/... paths are probed with GET (it only renders the form): 404 page until registered.
	 * opts.probe forces a probe method ('GET' then waits for a non-404).
	 */
	instance.waitForWebhook = async (p, { method = 'POST', probe, timeoutMs = 30000 } = {}) => {
		const rel = p.startsWith('/') ? p : '/' + p;
		const probeMethod = probe || (/^\/form(-waiting)?\//.test(rel) ? 'GET' : method.toUpperCase() === 'PATCH' ? 'PUT' : 'PATCH');
		const t0 = Date.now();
		for (;;) {
			const r = await fetch(`${url}${rel}`, { method: probeMethod, signal: AbortSignal.timeout(5000) }).catch(() => null);
			const body = r ? await r.text().catch(() => '') : '';
			if (r && (r.status !== 404 || /did you mean/i.test(body))) return;
			if (Date.now() - t0 > timeoutMs) throw new Error(`webhook ${rel} not registered after ${timeoutMs} ms\n${tail(logs())}`);
			await sleep(200);
		}
	};
}

module.exports = { TERMINAL_STATUSES, attachApi };
