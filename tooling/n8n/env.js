'use strict';
/**
 * The environment of one isolated n8n process: nothing leaks in from the developer's shell,
 * everything n8n writes goes to its user folder, nothing calls home.
 */
const fs = require('node:fs');
const path = require('node:path');

const { assertVersion, getInstall } = require('./install');

/** Fixed test-only secret: instances are throwaway and listen on 127.0.0.1 only. */
const ENCRYPTION_KEY = 'ai-stats-e2e-encryption-key-not-secret';

/** Remove the variables a developer's shell might leak into an isolated instance. */
function sanitizedParentEnv() {
	const env = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (/^(N8N_|DB_|QUEUE_|EXECUTIONS_|WEBHOOK_URL$|GENERIC_TIMEZONE$|CREDENTIALS_|NODES_|NODE_FUNCTION_|NODE_OPTIONS$|NODE_PATH$|npm_)/.test(k)) continue;
		env[k] = v;
	}
	return env;
}

function applyEnv(target, source) {
	for (const [k, v] of Object.entries(source || {})) {
		if (v === undefined || v === null) delete target[k];
		else target[k] = String(v);
	}
	return target;
}

/**
 * The environment of one n8n process. Order: sanitized parent env < defaults < env < extraEnv
 * (a value of null/undefined removes a variable).
 */
function buildEnv({ version, userFolder, port, brokerPort, env, extraEnv }) {
	assertVersion(version);
	if (!userFolder) throw new Error('userFolder is required (every n8n process writes into N8N_USER_FOLDER)');
	const inst = getInstall(version);
	const base = sanitizedParentEnv();
	base.PATH = `${path.dirname(inst.node)}${path.delimiter}${base.PATH || ''}`;
	const defaults = {
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		DB_TYPE: 'sqlite',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_SECURE_COOKIE: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_PUBLIC_API_DISABLED: 'false',
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_RESTRICT_FILE_ACCESS_TO: path.join(userFolder, 'files'),
		N8N_SSRF_PROTECTION_ENABLED: 'false',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		N8N_GIT_NODE_DISABLE_BARE_REPOS: 'true',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		NODE_ENV: 'production',
	};
	if (version === 'v2') {
		Object.assign(defaults, {
			// No Python in the Code node (its runner needs a venv; n8n still logs one warning about it).
			N8N_PYTHON_ENABLED: 'false',
			// Otherwise it fetches https://api.n8n.io/api/mcp-servers at start and logs a stack trace.
			N8N_DISABLED_MODULES: 'mcp-registry',
			N8N_RUNNERS_TASK_TIMEOUT: '300',
		});
	} else {
		Object.assign(defaults, {
			// 1.x defaults to the isolated-vm engine, which needs Node >= 22 (we run 1.x on Node 20).
			N8N_EXPRESSION_ENGINE: 'legacy',
			N8N_RUNNERS_ENABLED: 'true',
			N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
		});
	}
	if (port) {
		defaults.N8N_PORT = String(port);
		// 2.x renamed WEBHOOK_URL (still read, with a deprecation warning) to N8N_WEBHOOK_URL
		defaults[version === 'v2' ? 'N8N_WEBHOOK_URL' : 'WEBHOOK_URL'] = `http://127.0.0.1:${port}/`;
		defaults.N8N_EDITOR_BASE_URL = `http://127.0.0.1:${port}/`;
	}
	if (brokerPort) defaults.N8N_RUNNERS_BROKER_PORT = String(brokerPort);
	applyEnv(base, defaults);
	applyEnv(base, env);
	applyEnv(base, extraEnv);
	fs.mkdirSync(userFolder, { recursive: true });
	if (base.N8N_RESTRICT_FILE_ACCESS_TO) {
		for (const p of base.N8N_RESTRICT_FILE_ACCESS_TO.split(';')) if (p) fs.mkdirSync(p, { recursive: true });
	}
	return base;
}

module.exports = { ENCRYPTION_KEY, buildEnv };
