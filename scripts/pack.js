'use strict';
/**
 * Builds the package and packs it the way it is published (`npm pack`): the tarball users
 * install. Prints and returns the tarball path. Used by the demo, the e2e suite and benchmarks.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

function buildAndPack({ quiet = false } = {}) {
	const stdio = quiet ? 'pipe' : 'inherit';
	execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio });
	const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-stats-pack-'));
	const name = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
		.toString()
		.trim()
		.split('\n')
		.pop();
	return path.join(out, name);
}

module.exports = { buildAndPack, ROOT };

if (require.main === module) console.log(buildAndPack());
