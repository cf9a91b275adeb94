'use strict';
/**
 * The dev dependencies, installed from the lock file when they are missing or older than it
 * (`npm ci --ignore-scripts`: no install script of any dev dependency is needed). The first
 * step of `npm run demo` and `npm test` on a fresh clone.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

function devDepsCurrent() {
	const installed = path.join(ROOT, 'node_modules', '.package-lock.json');
	return fs.existsSync(installed) && fs.statSync(installed).mtimeMs >= fs.statSync(path.join(ROOT, 'package-lock.json')).mtimeMs;
}

function ensureDevDeps() {
	if (devDepsCurrent()) return;
	console.log('== installing dev dependencies from package-lock.json (npm ci, about 870 packages)');
	execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

module.exports = { ensureDevDeps };

if (require.main === module) ensureDevDeps();
