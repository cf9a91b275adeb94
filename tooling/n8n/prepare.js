'use strict';
const path = require('node:path');

const { importCredentials, importWorkflow } = require('./cli');
const { installPackage, makeUserFolder } = require('./user-folder');

/**
 * What every run in real n8n starts from: a user folder with the packed package installed, then
 * `credentials` ([{ id, name, type, data }]) and `workflows` (objects with fixed ids) imported,
 * one CLI call each. Resolves { userFolder, files } (files: the folder Read/Write Files may use).
 */
async function prepareUserFolder({ version, tarball, credentials = [], workflows = [], extraEnv, userFolder = makeUserFolder(`ai-stats-${version}-`) }) {
	if (!tarball) throw new Error('prepareUserFolder needs the packed package (tarball)');
	installPackage(userFolder, tarball);
	if (credentials.length) await importCredentials(version, userFolder, credentials, { extraEnv });
	if (workflows.length) await importWorkflow(version, userFolder, workflows, { extraEnv });
	return { userFolder, files: path.join(userFolder, 'files') };
}

module.exports = { prepareUserFolder };
