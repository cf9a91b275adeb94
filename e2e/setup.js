'use strict';
/**
 * Once before the e2e suites: install the n8n versions under test (cached) and pack this
 * package the way it is published. The tarball path is handed to the suites in the environment.
 */
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const { buildAndPack } = require('../scripts/pack');

module.exports = async () => {
	const versions = (process.env.AI_STATS_E2E_VERSIONS || 'v2,v1').split(',').map((version) => version.trim());
	const target = versions.length > 1 ? 'all' : versions[0];
	execFileSync('bash', [path.join(__dirname, 'install-n8n.sh'), target], { stdio: 'inherit' });
	process.env.AI_STATS_E2E_TARBALL = buildAndPack({ quiet: true });
};
