#!/usr/bin/env node
/**
 * Runs n8n's community-package scanner lint locally, without publishing.
 *
 * `npx @n8n/scan-community-package <name>` (what n8n runs before verifying a package)
 * lints the provenance-attested source checkout with SOURCE_FILE_PATTERNS and the
 * published tarball with ['**\/*.js', 'package.json']. This script does the same on the
 * work tree, through the scanner's exported API (no network, no npx):
 *
 *   1. analyzePackage(<repo>, SOURCE_FILE_PATTERNS)           — the source leg
 *   2. npm pack → unpack → analyzePackage(<dir>, ['**\/*.js', 'package.json']) — the tarball leg
 *   3. tarball hygiene: only dist/, README.md, LICENSE(.md), package.json are shipped;
 *      package.json has no `dependencies`; every n8n.nodes / n8n.credentials entry is in
 *      the tarball; every `file:` icon a compiled node/credential points at is in the
 *      tarball; every node has a readable codex (<Node>.node.json) beside it.
 *
 * Prints every finding and exits 1 when anything fails. Run `npm run build` first:
 * the tarball is packed from the current dist/ (with --ignore-scripts).
 *
 * Usage: node scripts/scan-package.js [--keep]   (--keep leaves the unpacked tarball)
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { createRequire } = require('node:module');

// eslint-plugin-n8n-nodes-base treats every file as `Test.node.ts` when NODE_ENV is
// 'test' (its own test mode), which would make the results meaningless.
if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;

const ROOT = path.resolve(__dirname, '..');
const TARBALL_FILE_PATTERNS = ['**/*.js', 'package.json'];
const ALLOWED_TOP_LEVEL = [/^dist\//, /^package\.json$/, /^README\.md$/i, /^LICEN[SC]E(\.md|\.txt)?$/i];

let scannerRequire = require;
const failures = [];
const warnings = [];
const fail = (section, message) => failures.push(`[${section}] ${message}`);
const warn = (section, message) => warnings.push(`[${section}] ${message}`);

function run(cmd, args, options) {
	const result = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
	if (result.error) throw result.error;
	return result;
}

async function loadScanner() {
	const scannerPath = require.resolve('@n8n/scan-community-package/scanner/scanner.mjs', {
		paths: [ROOT],
	});
	// The scanner creates a temp dir with `tmp` at import; let `tmp` remove it on exit.
	try {
		createRequire(scannerPath)('tmp').setGracefulCleanup();
	} catch {
		// not fatal: at worst an empty temp dir stays behind
	}
	const scanner = await import(require('node:url').pathToFileURL(scannerPath).href);
	scannerRequire = createRequire(scannerPath);
	if (typeof scanner.analyzePackage !== 'function' || !Array.isArray(scanner.SOURCE_FILE_PATTERNS)) {
		throw new Error(
			`@n8n/scan-community-package at ${scannerPath} does not export analyzePackage/SOURCE_FILE_PATTERNS`,
		);
	}
	return scanner;
}

/** Lists non-fatal scanner warnings (analyzePackage only reports when there are errors). */
async function listScannerWarnings(scanner, dir, patterns, section) {
	if (typeof scanner.buildScanConfig !== 'function') return;
	// Same eslint / fast-glob instances the scanner itself uses.
	const { ESLint } = scannerRequire('eslint');
	const glob = scannerRequire('fast-glob');
	const files = glob.sync(patterns, {
		cwd: dir,
		absolute: true,
		ignore: ['node_modules/**', '**/package-lock.json'],
	});
	if (files.length === 0) return;
	const eslint = new ESLint({
		cwd: dir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: await scanner.buildScanConfig(),
	});
	for (const result of await eslint.lintFiles(files)) {
		for (const m of result.messages) {
			if (m.severity === 1) {
				warn(section, `${path.relative(dir, result.filePath)}:${m.line}:${m.column} ${m.message} (${m.ruleId})`);
			}
		}
	}
}

async function analyze(scanner, dir, patterns, section) {
	const result = await scanner.analyzePackage(dir, patterns);
	if (!result.passed) {
		fail(section, `${result.message}${result.details ? `\n${result.details}` : ''}`);
	} else if (result.message === 'No files found to analyze') {
		fail(section, `no files matched ${JSON.stringify(patterns)} in ${dir}`);
	} else {
		await listScannerWarnings(scanner, dir, patterns, section);
	}
	return result;
}

function packTarball(tmpDir) {
	const packDir = path.join(tmpDir, 'pack');
	fs.mkdirSync(packDir);
	const pack = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], {
		cwd: ROOT,
	});
	if (pack.status !== 0) {
		throw new Error(`npm pack failed (exit ${pack.status}):\n${pack.stderr}`);
	}
	const start = pack.stdout.indexOf('[');
	const info = JSON.parse(pack.stdout.slice(start))[0];
	const tarball = path.join(packDir, info.filename);
	const unpacked = path.join(tmpDir, 'package');
	fs.mkdirSync(unpacked);
	const tar = run('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
	if (tar.status !== 0) throw new Error(`tar extraction failed:\n${tar.stderr}`);
	return { info, tarball, unpacked };
}

function checkTarball({ info, unpacked }) {
	const section = 'tarball';
	const files = info.files.map((f) => f.path.replace(/\\/g, '/'));
	for (const file of files) {
		if (!ALLOWED_TOP_LEVEL.some((re) => re.test(file))) {
			fail(section, `unexpected file in tarball: ${file} (only dist/, README.md, LICENSE(.md), package.json)`);
		}
	}
	if (!files.some((f) => f.startsWith('dist/'))) fail(section, 'tarball has no dist/ — run `npm run build` first');
	if (!files.some((f) => /^README\.md$/i.test(f))) fail(section, 'tarball has no README.md');
	if (!files.some((f) => /^LICEN[SC]E/i.test(f))) fail(section, 'tarball has no LICENSE / LICENSE.md');

	const pkg = JSON.parse(fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8'));
	if (pkg.dependencies && Object.keys(pkg.dependencies).length > 0) {
		fail(section, `package.json must have no "dependencies", found: ${Object.keys(pkg.dependencies).join(', ')}`);
	}
	for (const field of ['bundleDependencies', 'bundledDependencies', 'optionalDependencies']) {
		if (pkg[field] && Object.keys(pkg[field]).length > 0) fail(section, `package.json must not have "${field}"`);
	}

	const n8n = pkg.n8n ?? {};
	const entries = [
		...(n8n.nodes ?? []).map((p) => ({ kind: 'node', p })),
		...(n8n.credentials ?? []).map((p) => ({ kind: 'credential', p })),
	];
	if (!(n8n.nodes ?? []).length) fail(section, 'package.json n8n.nodes is empty');
	for (const { kind, p } of entries) {
		const abs = path.join(unpacked, p);
		if (!fs.existsSync(abs)) {
			fail(section, `n8n ${kind} entry ${p} is not in the tarball`);
			continue;
		}
		const code = fs.readFileSync(abs, 'utf8');
		for (const match of code.matchAll(/["'`]file:([^"'`]+)["'`]/g)) {
			const icon = path.join(path.dirname(abs), match[1]);
			if (!icon.startsWith(unpacked + path.sep) || !fs.existsSync(icon)) {
				fail(section, `${p} points at icon file:${match[1]}, which is not in the tarball (is the icon copied to dist/?)`);
			}
		}
		if (kind === 'node') {
			const codexPath = abs.replace(/\.js$/, '.json');
			const codexName = path.relative(unpacked, codexPath);
			if (!fs.existsSync(codexPath)) {
				warn(section, `no codex file ${codexName} beside ${p}`);
			} else {
				try {
					const codex = JSON.parse(fs.readFileSync(codexPath, 'utf8'));
					for (const key of ['node', 'nodeVersion', 'codexVersion', 'categories']) {
						if (codex[key] === undefined) warn(section, `codex ${codexName} has no "${key}"`);
					}
				} catch (error) {
					fail(section, `codex ${codexName} is not valid JSON: ${error.message}`);
				}
			}
		}
	}
}

async function main() {
	const keep = process.argv.includes('--keep');
	const scanner = await loadScanner();

	console.log(`Source leg: analyzePackage(${ROOT}, ${JSON.stringify(scanner.SOURCE_FILE_PATTERNS)})`);
	await analyze(scanner, ROOT, scanner.SOURCE_FILE_PATTERNS, 'source');

	const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-scan-'));
	try {
		const packed = packTarball(tmpDir);
		console.log(
			`Tarball leg: ${packed.info.filename} (${packed.info.files.length} files), ` +
				`analyzePackage(<unpacked>, ${JSON.stringify(TARBALL_FILE_PATTERNS)})`,
		);
		await analyze(scanner, packed.unpacked, TARBALL_FILE_PATTERNS, 'tarball lint');
		checkTarball(packed);
		if (keep) console.log(`Unpacked tarball kept at ${packed.unpacked}`);
	} finally {
		if (!keep) fs.rmSync(tmpDir, { recursive: true, force: true });
	}

	for (const w of warnings) console.warn(`warning ${w}`);
	if (failures.length > 0) {
		for (const f of failures) console.error(`FAIL ${f}`);
		console.error(`\nscan-package: ${failures.length} failure(s), ${warnings.length} warning(s)`);
		process.exit(1);
	}
	console.log(`scan-package: passed (${warnings.length} warning(s))`);
}

main().catch((error) => {
	console.error('scan-package: crashed:', error);
	process.exit(1);
});
