'use strict';
/** An isolated n8n user folder, and this package installed in it the way n8n installs community packages. */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** A fresh temp folder to use as N8N_USER_FOLDER (with files/ for N8N_RESTRICT_FILE_ACCESS_TO). */
function makeUserFolder(prefix = 'n8n-e2e-') {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
	return dir;
}

/**
 * Place a packed community package (npm pack tarball) where n8n's own community-package
 * installer puts it: <userFolder>/.n8n/nodes/node_modules/<name>, unpacked, with dev/peer/
 * optional dependencies removed from its package.json (n8n does the same, so that no second
 * copy of n8n-workflow is ever installed), and listed in <userFolder>/.n8n/nodes/package.json.
 * n8n loads it on the next start (and in every CLI command) with its real type names,
 * e.g. n8n-nodes-ai-stats.aiStats. Returns { name, version, dir }.
 */
function installPackage(userFolder, tarballPath) {
	if (!fs.existsSync(tarballPath)) throw new Error(`tarball ${tarballPath} not found`);
	const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-pkg-'));
	try {
		execFileSync('tar', ['-xzf', path.resolve(tarballPath), '-C', staging, '--strip-components=1'], { stdio: 'pipe' });
		const pkgFile = path.join(staging, 'package.json');
		const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
		if (!/^(@[^/]+\/)?n8n-nodes-/.test(pkg.name)) {
			throw new Error(`n8n only scans packages named n8n-nodes-* or @scope/n8n-nodes-*, got ${pkg.name}`);
		}
		if (pkg.dependencies && Object.keys(pkg.dependencies).length) {
			throw new Error(`${pkg.name} has runtime dependencies (${Object.keys(pkg.dependencies).join(', ')}): installPackage does not install them, and community nodes must not have any`);
		}
		const { devDependencies, peerDependencies, optionalDependencies, ...stripped } = pkg;
		fs.writeFileSync(pkgFile, JSON.stringify(stripped, null, 2));
		for (const f of [...((pkg.n8n && pkg.n8n.nodes) || []), ...((pkg.n8n && pkg.n8n.credentials) || [])]) {
			if (!fs.existsSync(path.join(staging, f))) throw new Error(`${pkg.name}: ${f} listed in package.json "n8n" is not in the tarball`);
		}
		const nodesDir = path.join(userFolder, '.n8n', 'nodes');
		const dest = path.join(nodesDir, 'node_modules', ...pkg.name.split('/'));
		fs.rmSync(dest, { recursive: true, force: true });
		fs.mkdirSync(path.dirname(dest), { recursive: true });
		fs.cpSync(staging, dest, { recursive: true });
		const listFile = path.join(nodesDir, 'package.json');
		let list = { name: 'installed-nodes', private: true, dependencies: {} };
		if (fs.existsSync(listFile)) {
			list = JSON.parse(fs.readFileSync(listFile, 'utf8'));
			list.dependencies = list.dependencies || {};
		}
		list.dependencies[pkg.name] = pkg.version;
		fs.writeFileSync(listFile, JSON.stringify(list, null, 2));
		return { name: pkg.name, version: pkg.version, dir: dest };
	} finally {
		fs.rmSync(staging, { recursive: true, force: true });
	}
}

module.exports = { makeUserFolder, installPackage };
