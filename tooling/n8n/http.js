'use strict';

/** A JSON request with a timeout; resolves { status, headers, text, json } (json undefined when not JSON). */
async function httpJson(url, { method = 'GET', headers = {}, body, timeoutMs = 30000 } = {}) {
	const res = await fetch(url, {
		method,
		headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
		body: body !== undefined ? JSON.stringify(body) : undefined,
		signal: AbortSignal.timeout(timeoutMs),
	});
	const text = await res.text();
	let json;
	try {
		json = text ? JSON.parse(text) : undefined;
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, text, json };
}

module.exports = { httpJson };
