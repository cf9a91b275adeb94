'use strict';
/**
 * Input-reference fetching (`fetchReferences` mode): on create the simulator GETs every
 * input_references URL the way a provider would (redirects followed, bounded size, timeout),
 * streaming the body through sha256 and recording what it saw. A job whose references could not be
 * fetched later fails with a provider error, as it would upstream.
 */

const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');

const MAX_REDIRECTS = 5;
const MAX_REFERENCE_BYTES = 512 * 1024 * 1024;

/**
 * @typedef {{url: string, status: number|undefined, bytes: number, sha256: string|undefined,
 *   contentType: string|undefined, error: string|undefined, jobId: string, time: number}} ReferenceFetch
 */

class ReferenceFetcher {
	/** @param {{options: () => Record<string, any>}} deps */
	constructor(deps) {
		this.deps = deps;
		/** @type {ReferenceFetch[]} */
		this.log = [];
		/** @type {Set<import('node:http').ClientRequest>} */
		this.inflight = new Set();
	}

	reset() {
		this.log = [];
		for (const request of this.inflight) request.destroy(new Error('simulator reset'));
		this.inflight.clear();
	}

	/**
	 * Fetches all URLs concurrently.
	 * @returns {Promise<ReferenceFetch[]>}
	 */
	fetchAll(jobId, urls) {
		return Promise.all(urls.map((url) => this.fetchOne(jobId, url)));
	}

	async fetchOne(jobId, url) {
		const started = Date.now();
		const result = await this.get(url, 0);
		/** @type {ReferenceFetch} */
		const entry = { url, status: result.status, bytes: result.bytes ?? 0, sha256: result.sha256, contentType: result.contentType, error: result.error, jobId, time: started };
		if (entry.error === undefined && entry.status !== undefined && (entry.status < 200 || entry.status >= 300)) {
			entry.error = `HTTP ${entry.status}`;
		}
		this.log.push(entry);
		return entry;
	}

	get(url, redirects) {
		const options = this.deps.options();
		return new Promise((resolve) => {
			let parsed;
			try {
				parsed = new URL(url);
			} catch {
				resolve({ error: 'invalid URL' });
				return;
			}
			const transport = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : null;
			if (!transport) {
				resolve({ error: `unsupported protocol ${parsed.protocol}` });
				return;
			}
			let settled = false;
			const finish = (value) => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				this.inflight.delete(request);
				resolve(value);
			};
			const request = transport.get(parsed, {
				agent: false,
				rejectUnauthorized: !options.insecureTls,
				headers: { 'user-agent': 'Phaseo-Simulated-Provider/1.0', accept: '*/*' },
			});
			this.inflight.add(request);
			const timer = setTimeout(() => {
				request.destroy();
				finish({ error: `timed out after ${options.referenceTimeoutMs}ms` });
			}, options.referenceTimeoutMs);
			timer.unref?.();
			request.on('error', (error) => finish({ error: error.message || String(error) }));
			request.on('response', (response) => {
				const status = response.statusCode ?? 0;
				if (status >= 300 && status < 400 && response.headers.location) {
					response.resume();
					if (redirects >= MAX_REDIRECTS) {
						finish({ status, error: 'too many redirects' });
						return;
					}
					const next = new URL(response.headers.location, parsed).toString();
					this.get(next, redirects + 1).then(finish);
					return;
				}
				const hash = crypto.createHash('sha256');
				let bytes = 0;
				response.on('data', (chunk) => {
					bytes += chunk.length;
					if (bytes > MAX_REFERENCE_BYTES) {
						response.destroy();
						finish({ status, bytes, error: 'reference larger than the provider limit' });
						return;
					}
					hash.update(chunk);
				});
				response.on('end', () =>
					finish({ status, bytes, sha256: hash.digest('hex'), contentType: response.headers['content-type'] }),
				);
				response.on('error', (error) => finish({ status, bytes, error: error.message }));
				response.on('close', () => {
					if (!response.complete) finish({ status, bytes, error: 'connection closed before the body completed' });
				});
			});
		});
	}
}

module.exports = { ReferenceFetcher };
