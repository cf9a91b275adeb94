'use strict';
/**
 * Where the n8n installs live, and what install.sh recorded about them.
 *
 * install.sh installs each n8n line once into a cache folder outside the clone
 * (${AI_STATS_E2E_CACHE:-$HOME/.cache/n8n-nodes-ai-stats}) and writes a marker last;
 * everything here reads that marker.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const VERSIONS = ['v2', 'v1'];
const INSTALLER = path.join(__dirname, 'install.sh');

function cacheDir() {
	return process.env.AI_STATS_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-ai-stats');
}

function assertVersion(version) {
	if (!VERSIONS.includes(version)) throw new Error(`n8n version must be one of ${VERSIONS.join(', ')}, got ${version}`);
}

const installs = new Map();
/**
 * What install.sh recorded for one version:
 * { version, n8nVersion, node, nodeVersion, dir, n8nBin, ... }.
 */
function getInstall(version) {
	assertVersion(version);
	if (installs.has(version)) return installs.get(version);
	const dir = path.join(cacheDir(), `n8n-${version}`);
	const marker = path.join(dir, '.install-complete.json');
	if (!fs.existsSync(marker)) throw new Error(`n8n ${version} is not installed in ${dir}: run bash tooling/n8n/install.sh ${version}`);
	const info = JSON.parse(fs.readFileSync(marker, 'utf8'));
	const result = { ...info, version, dir, n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n') };
	if (!fs.existsSync(result.node)) throw new Error(`node binary ${result.node} for n8n ${version} is missing: re-run bash tooling/n8n/install.sh ${version}`);
	installs.set(version, result);
	return result;
}

function isInstalled(version) {
	try {
		getInstall(version);
		return true;
	} catch {
		return false;
	}
}

/**
 * Runs install.sh for 'v2', 'v1' or 'all' (idempotent: well under a second when the cached
 * install is current), its progress on our stderr/stdout.
 */
function ensureInstalled(target = 'all') {
	if (target !== 'all') assertVersion(target);
	execFileSync('bash', [INSTALLER, target], { stdio: 'inherit' });
	installs.clear();
}

/** The versions to test, from AI_STATS_E2E_VERSIONS ("v2,v1" by default). */
function versionsUnderTest() {
	return (process.env.AI_STATS_E2E_VERSIONS || VERSIONS.join(',')).split(',').map((version) => version.trim());
}

module.exports = { VERSIONS, INSTALLER, cacheDir, assertVersion, getInstall, isInstalled, ensureInstalled, versionsUnderTest };
