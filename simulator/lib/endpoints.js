'use strict';
/**
 * Registered webhook endpoints (`/v1/webhook-endpoints`, management keys only), per workspace.
 *
 * Mirrors the gateway's control route: records are serialised with the server's own field names
 * (`workspaceId`, `hasSecret`, `createdAt`, … — camelCase), `status` is `active|disabled`, the
 * `signing_secret` (`whsec_…`) is returned only by create and rotate-secret, deletes are soft, and
 * validation / not-found errors use the nested `{error: {type, message, details}}` shape.
 */

const crypto = require('node:crypto');
const { newId, isPlainObject } = require('./util');
const { nestedError } = require('./errors');
const { webhookUrlProblem, normalizeWebhookEvents } = require('./validate');

const DEFAULT_ENDPOINT_EVENTS = ['video.completed', 'video.failed', 'video.cancelled', 'batch.completed', 'batch.failed', 'batch.cancelled'];
const PAGE_SIZE = 100;

const newSigningSecret = () => `whsec_${crypto.randomBytes(32).toString('base64url')}`;

/** Lower-cased, de-duplicated event list; the server falls back to its defaults when empty. */
function normalizeEndpointEvents(value) {
	const source = Array.isArray(value) ? value : DEFAULT_ENDPOINT_EVENTS;
	const out = source.map((entry) => (typeof entry === 'string' ? entry.trim().toLowerCase() : '')).filter(Boolean);
	return [...new Set(out.length > 0 ? out : DEFAULT_ENDPOINT_EVENTS)];
}

class EndpointStore {
	constructor() {
		/** @type {Map<string, any>} */
		this.endpoints = new Map();
	}

	reset() {
		this.endpoints.clear();
	}

	/** Endpoint visible to a workspace (not deleted), or undefined. */
	get(workspaceId, id) {
		const endpoint = this.endpoints.get(id);
		if (!endpoint || endpoint.workspaceId !== workspaceId || endpoint.status === 'deleted') return undefined;
		return endpoint;
	}

	/**
	 * What a delivery needs: url, current secret, normalised video events. Null when the endpoint is
	 * missing, disabled or deleted (the gateway then silently skips the delivery).
	 */
	signingConfig(workspaceId, id) {
		const endpoint = this.get(workspaceId, id);
		if (!endpoint || endpoint.status !== 'active') return null;
		return { url: endpoint.url, secret: endpoint.secret, events: normalizeWebhookEvents(endpoint.events) };
	}

	toPublic(endpoint) {
		return {
			id: endpoint.id,
			workspaceId: endpoint.workspaceId,
			name: endpoint.name,
			url: endpoint.url,
			status: endpoint.status,
			events: [...endpoint.events],
			hasSecret: true,
			createdBy: null,
			createdAt: endpoint.createdAt,
			updatedAt: endpoint.updatedAt,
			deletedAt: endpoint.deletedAt,
		};
	}

	/**
	 * Handles one /webhook-endpoints request for an authenticated management key.
	 * @param {{method: string, id?: string, action?: string, body: unknown, query: URLSearchParams, workspaceId: string,
	 *   requireHttps: boolean}} req
	 * @returns {{status: number, json: unknown}}
	 */
	handle(req) {
		const { method, id, action, workspaceId } = req;
		if (!id && method === 'GET') return this.list(workspaceId, req.query);
		if (!id && method === 'POST') return this.create(workspaceId, req.body, req.requireHttps);
		if (id && !action && method === 'GET') {
			const endpoint = this.get(workspaceId, id);
			return endpoint ? { status: 200, json: this.toPublic(endpoint) } : notFound();
		}
		if (id && !action && method === 'PATCH') return this.update(workspaceId, id, req.body, req.requireHttps);
		if (id && !action && method === 'DELETE') return this.remove(workspaceId, id);
		if (id && action === 'rotate-secret' && method === 'POST') return this.rotate(workspaceId, id);
		return undefined;
	}

	list(workspaceId, query) {
		const limit = Math.max(1, Math.min(PAGE_SIZE, Number(query.get('limit') ?? PAGE_SIZE) || PAGE_SIZE));
		const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
		const includeDeleted = query.get('include_deleted') === 'true';
		const data = [...this.endpoints.values()]
			.filter((endpoint) => endpoint.workspaceId === workspaceId && (includeDeleted || endpoint.status !== 'deleted'))
			.sort((a, b) => b.createdMs - a.createdMs || b.seq - a.seq)
			.slice(offset, offset + limit)
			.map((endpoint) => this.toPublic(endpoint));
		return { status: 200, json: { object: 'list', data } };
	}

	create(workspaceId, body, requireHttps) {
		const issues = [];
		if (!isPlainObject(body)) {
			issues.push({ code: 'invalid_type', path: [], message: `Expected object, received ${body === null ? 'null' : Array.isArray(body) ? 'array' : typeof body}` });
			return validationError('Invalid webhook endpoint payload.', issues);
		}
		const name = body.name === undefined ? 'Async webhooks' : body.name;
		checkName(name, issues);
		checkUrlShape(body.url, issues, true);
		checkEvents(body.events, issues);
		if (issues.length > 0) return validationError('Invalid webhook endpoint payload.', issues);
		const url = normalizeUrl(body.url, requireHttps);
		if (url.problem) return validationError('Invalid webhook endpoint URL.', { reason: url.problem });
		const now = Date.now();
		const endpoint = {
			id: newId('whep'),
			workspaceId,
			name: name.trim(),
			url: url.value,
			status: 'active',
			events: normalizeEndpointEvents(body.events),
			secret: newSigningSecret(),
			createdMs: now,
			seq: this.endpoints.size,
			createdAt: new Date(now).toISOString(),
			updatedAt: new Date(now).toISOString(),
			deletedAt: null,
		};
		this.endpoints.set(endpoint.id, endpoint);
		return { status: 201, json: { ...this.toPublic(endpoint), signing_secret: endpoint.secret } };
	}

	update(workspaceId, id, body, requireHttps) {
		const issues = [];
		if (!isPlainObject(body)) {
			issues.push({ code: 'invalid_type', path: [], message: `Expected object, received ${body === null ? 'null' : typeof body}` });
			return validationError('Invalid webhook endpoint payload.', issues);
		}
		if (body.name !== undefined) checkName(body.name, issues);
		if (body.url !== undefined) checkUrlShape(body.url, issues, false);
		checkEvents(body.events, issues);
		if (body.status !== undefined && body.status !== 'active' && body.status !== 'disabled') {
			issues.push({ code: 'invalid_enum_value', path: ['status'], message: "Invalid enum value. Expected 'active' | 'disabled'" });
		}
		if (issues.length > 0) return validationError('Invalid webhook endpoint payload.', issues);
		let url;
		if (body.url !== undefined) {
			url = normalizeUrl(body.url, requireHttps);
			if (url.problem) return validationError('Invalid webhook endpoint URL.', { reason: url.problem });
		}
		const endpoint = this.get(workspaceId, id);
		if (!endpoint) return notFound();
		if (body.name !== undefined) endpoint.name = body.name.trim();
		if (url) endpoint.url = url.value;
		if (body.events !== undefined) endpoint.events = normalizeEndpointEvents(body.events);
		if (body.status !== undefined) endpoint.status = body.status;
		endpoint.updatedAt = new Date().toISOString();
		return { status: 200, json: this.toPublic(endpoint) };
	}

	remove(workspaceId, id) {
		const endpoint = this.get(workspaceId, id);
		if (!endpoint) return notFound();
		endpoint.status = 'deleted';
		endpoint.deletedAt = new Date().toISOString();
		endpoint.updatedAt = endpoint.deletedAt;
		return { status: 200, json: { id, object: 'webhook_endpoint', deleted: true } };
	}

	rotate(workspaceId, id) {
		const endpoint = this.get(workspaceId, id);
		if (!endpoint) return notFound();
		endpoint.secret = newSigningSecret();
		endpoint.updatedAt = new Date().toISOString();
		return { status: 200, json: { ...this.toPublic(endpoint), signing_secret: endpoint.secret } };
	}
}

function checkName(name, issues) {
	if (typeof name !== 'string') issues.push({ code: 'invalid_type', path: ['name'], message: 'Expected string' });
	else if (name.trim().length < 1) issues.push({ code: 'too_small', path: ['name'], message: 'String must contain at least 1 character(s)' });
	else if (name.trim().length > 120) issues.push({ code: 'too_big', path: ['name'], message: 'String must contain at most 120 character(s)' });
}

function checkUrlShape(url, issues, required) {
	if (url === undefined) {
		if (required) issues.push({ code: 'invalid_type', path: ['url'], message: 'Required' });
		return;
	}
	if (typeof url !== 'string') return issues.push({ code: 'invalid_type', path: ['url'], message: 'Expected string' });
	try {
		new URL(url.trim());
	} catch {
		issues.push({ code: 'invalid_string', path: ['url'], message: 'Invalid url' });
	}
}

function checkEvents(events, issues) {
	if (events === undefined) return;
	if (!Array.isArray(events)) return issues.push({ code: 'invalid_type', path: ['events'], message: 'Expected array' });
	events.forEach((event, index) => {
		if (typeof event !== 'string') issues.push({ code: 'invalid_type', path: ['events', index], message: 'Expected string' });
		else if (event.trim().length < 1) issues.push({ code: 'too_small', path: ['events', index], message: 'String must contain at least 1 character(s)' });
	});
}

/** Delivery-time URL rules: https + public host when `requireHttps`, otherwise any http(s). */
function normalizeUrl(raw, requireHttps) {
	const problem = webhookUrlProblem(raw.trim(), { requireHttps });
	if (problem) {
		const reason = /\((\w+)\)/.exec(problem)?.[1] ?? 'webhook_url_invalid';
		return { problem: reason };
	}
	const url = new URL(raw.trim());
	url.hash = '';
	return { value: url.toString() };
}

const validationError = (message, details) => nestedError(400, 'validation_error', message, details);
const notFound = () => nestedError(404, 'not_found', 'Webhook endpoint not found.');

module.exports = { EndpointStore, DEFAULT_ENDPOINT_EVENTS, normalizeEndpointEvents };
