import type { IHttpRequestOptions, INode } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { headerValue, type Headers } from './network';
import { redactUrl } from './urls';

/**
 * Redirects of authenticated requests. n8n follows redirects anywhere and keeps the
 * Authorization header, so transport turns following off and asks here, hop by hop: only a
 * redirect within the Base URL's origin is followed, and never one that would change the method
 * (a POST /videos must not become GET /videos, nor be sent again elsewhere).
 */

const MAX_HOPS = 5;

/** A redirect the node will not follow. Never retried: the answer would be the same. */
export class RedirectRefusedError extends NodeApiError {}

function refuse(node: INode, statusCode: number, message: string, description: string): RedirectRefusedError {
	return new RedirectRefusedError(node, { message, http_status: statusCode }, { message, description, httpCode: String(statusCode) });
}

const CHECK_BASE_URL =
	'Check the Base URL of the AI Stats credential: it should be the address the gateway answers at directly (for example https:// rather than http://, and the exact host).';

/** The URL to ask next for a 3xx answer within the origin, or undefined when the answer is not a redirect. */
export function nextHop(
	node: INode,
	request: IHttpRequestOptions,
	response: { statusCode: number; headers: Headers },
	origin: string,
	hop: number,
): string | undefined {
	const { statusCode } = response;
	const location = statusCode >= 300 && statusCode < 400 ? headerValue(response.headers, 'location') : undefined;
	if (!location) return undefined;
	const method = (request.method ?? 'GET').toUpperCase();
	const from = `${method} ${redactUrl(request.url)}`;
	let target: URL;
	try {
		target = new URL(location, request.url);
	} catch {
		throw refuse(node, statusCode, `The gateway redirected ${from} to an invalid address`, CHECK_BASE_URL);
	}
	if (target.origin !== origin) {
		throw refuse(
			node,
			statusCode,
			`Redirect to another origin refused (${statusCode}): ${from} → ${redactUrl(target.href)}`,
			`The API key is only ever sent to the Base URL's origin (${origin}), so this redirect was not followed and nothing was sent there. ${CHECK_BASE_URL}`,
		);
	}
	if (method !== 'GET' && statusCode !== 307 && statusCode !== 308) {
		throw refuse(
			node,
			statusCode,
			`The gateway answered ${from} with a redirect (${statusCode}) that would turn it into a GET; it was not followed`,
			`Only redirects that keep the method (307, 308) are followed for ${method}. ${CHECK_BASE_URL}`,
		);
	}
	if (hop >= MAX_HOPS) {
		throw refuse(node, statusCode, `Too many redirects for ${from} (more than ${MAX_HOPS})`, CHECK_BASE_URL);
	}
	return target.href;
}
