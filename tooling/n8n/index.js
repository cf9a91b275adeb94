'use strict';
/**
 * Real, isolated n8n for the e2e suites, the benchmarks and the demo (see README.md here).
 * CommonJS, no dependencies; depends on nothing else in the project.
 *
 *   const n8n = require('../tooling/n8n');
 *   n8n.ensureInstalled('v2');                                  // install.sh, cached
 *   const { userFolder } = await n8n.prepareUserFolder({ version: 'v2', tarball, credentials, workflows });
 *   const run = await n8n.executeWorkflow('v2', userFolder, workflowId);   // n8n execute --id
 *   await n8n.publishWorkflow('v2', userFolder, workflowId);
 *   const instance = await n8n.startN8n({ version: 'v2', userFolder });
 *   await instance.waitForWebhook('/webhook/my-path');
 *   const executions = await instance.executions();             // GET /api/v1/executions?includeData=true
 *   await instance.stop();
 *
 * install.js     cache folder, install.sh, what an install recorded
 * env.js         the isolated environment of one n8n process
 * processes.js   process groups, output capture, clean-up
 * user-folder.js a user folder and the package installed in it
 * cli.js         import, publish, execute
 * prepare.js     user folder + package + credentials + workflows in one step
 * server.js      start / webhook / worker processes, readiness, stop
 * owner.js       owner and API key
 * api.js         public API of a running instance, waiting for executions and webhooks
 * run-data.js    reading runs and execution records
 * services.js    Redis + PostgreSQL for queue mode (services.sh)
 */
const api = require('./api');
const cli = require('./cli');
const env = require('./env');
const http = require('./http');
const install = require('./install');
const owner = require('./owner');
const ports = require('./ports');
const prepare = require('./prepare');
const processes = require('./processes');
const runData = require('./run-data');
const server = require('./server');
const services = require('./services');
const userFolder = require('./user-folder');

module.exports = {
	...install,
	ENCRYPTION_KEY: env.ENCRYPTION_KEY,
	buildEnv: env.buildEnv,
	OWNER: owner.OWNER,
	bcryptHash: owner.bcryptHash,
	ownerEnv: owner.ownerEnv,
	TERMINAL_STATUSES: api.TERMINAL_STATUSES,
	httpJson: http.httpJson,
	freePort: ports.freePort,
	sleep: processes.sleep,
	...userFolder,
	...cli,
	...prepare,
	...server,
	...runData,
	...services,
};
