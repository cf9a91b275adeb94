'use strict';
/**
 * The instance owner and a public API key: 2.x sets the owner up from the environment at start,
 * 1.x through POST /rest/owner/setup; then log in and create a key with every scope allowed.
 */
const fs = require('node:fs');
const path = require('node:path');

const { httpJson } = require('./http');
const { getInstall } = require('./install');

const OWNER = Object.freeze({
	email: 'owner@e2e.ai-stats.test',
	password: 'E2e-Owner-Password-1',
	firstName: 'E2E',
	lastName: 'Owner',
});
const BROWSER_ID = 'ai-stats-e2e-browser';

/** bcrypt hash with the bcryptjs that n8n ships (no dependency of our own). */
function bcryptHash(version, password) {
	const inst = getInstall(version);
	const candidates = [
		path.join(inst.dir, 'node_modules', 'bcryptjs'),
		path.join(inst.dir, 'node_modules', 'n8n', 'node_modules', 'bcryptjs'),
	];
	const where = candidates.find((p) => fs.existsSync(path.join(p, 'package.json')));
	if (!where) throw new Error(`bcryptjs not found in the n8n ${version} install`);
	const bcrypt = require(where);
	return bcrypt.hashSync(password, 10);
}

const hashCache = new Map();
function ownerEnv(version) {
	if (!hashCache.has(version)) hashCache.set(version, bcryptHash(version, OWNER.password));
	return {
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
		N8N_INSTANCE_OWNER_PASSWORD_HASH: hashCache.get(version),
		N8N_INSTANCE_OWNER_FIRST_NAME: OWNER.firstName,
		N8N_INSTANCE_OWNER_LAST_NAME: OWNER.lastName,
	};
}

/** Log the owner in (browser-id bound cookie) and create a public API key with every scope allowed. */
async function createApiKey(instance) {
	const { url, version } = instance;
	const headers = { 'browser-id': BROWSER_ID };
	if (version === 'v1') await ensureOwnerV1(instance);
	const login = await httpJson(`${url}/rest/login`, {
		method: 'POST',
		headers,
		body: { emailOrLdapLoginId: OWNER.email, password: OWNER.password },
	});
	if (login.status !== 200) throw new Error(`owner login failed: HTTP ${login.status} ${login.text.slice(0, 300)}`);
	const cookie = (login.headers.getSetCookie ? login.headers.getSetCookie() : [login.headers.get('set-cookie')])
		.filter(Boolean)
		.map((c) => c.split(';')[0])
		.join('; ');
	const auth = { ...headers, cookie };
	const scopesRes = await httpJson(`${url}/rest/api-keys/scopes`, { headers: auth });
	const scopes = scopesRes.status === 200 ? unwrap(scopesRes.json) : undefined;
	const body = { label: `e2e-${Date.now()}`, expiresAt: null };
	if (Array.isArray(scopes)) body.scopes = scopes;
	const created = await httpJson(`${url}/rest/api-keys`, { method: 'POST', headers: auth, body });
	if (created.status !== 200) throw new Error(`API key creation failed: HTTP ${created.status} ${created.text.slice(0, 300)}`);
	const data = unwrap(created.json);
	const key = data.rawApiKey || data.apiKey;
	if (!key || key.includes('*')) throw new Error(`API key creation returned no raw key: ${created.text.slice(0, 300)}`);
	return key;
}

function unwrap(json) {
	return json && typeof json === 'object' && 'data' in json ? json.data : json;
}

/** n8n 1.x has no N8N_INSTANCE_OWNER_MANAGED_BY_ENV: set the owner up through the REST API once. */
async function ensureOwnerV1(instance) {
	const { url } = instance;
	const res = await httpJson(`${url}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'browser-id': BROWSER_ID },
		body: { email: OWNER.email, firstName: OWNER.firstName, lastName: OWNER.lastName, password: OWNER.password },
	});
	if (res.status === 200) return;
	if (res.status === 400 && /already/i.test(res.text)) return; // owner exists (restarted instance)
	throw new Error(`owner setup failed: HTTP ${res.status} ${res.text.slice(0, 300)}`);
}

module.exports = { OWNER, bcryptHash, ownerEnv, createApiKey };
