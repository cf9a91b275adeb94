'use strict';
/**
 * Once before the e2e suites: install the n8n versions under test (cached) and pack this
 * package the way it is published. The tarball path is handed to the suites in the environment.
 */
const n8n = require('../tooling/n8n');
const { buildAndPack } = require('../scripts/pack');

module.exports = async () => {
	const versions = n8n.versionsUnderTest();
	n8n.ensureInstalled(versions.length > 1 ? 'all' : versions[0]);
	process.env.AI_STATS_E2E_TARBALL = buildAndPack({ quiet: true });
};
