'use strict';
/**
 * `npm run bench`: every benchmark in sequence, each writing its section of docs/benchmarks.md.
 * Installs n8n 2.41.1 into the cache if needed (tooling/n8n/install.sh v2, idempotent), packs the
 * package once for all real-n8n benches, and prints the whole document at the end.
 *
 *   npm run bench                     all of them (≈30 minutes on 2 cores)
 *   npm run bench -- loop resume      only some (names as in the bench:* scripts)
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { buildAndPack } = require('../scripts/pack');
const n8n = require('../tooling/n8n');
const { DOC } = require('./report');

const ROOT = path.join(__dirname, '..');
const BENCHES = ['batch', 'load', 'overhead', 'loop', 'resume', 'download'];

function main() {
	const chosen = process.argv.slice(2).length ? process.argv.slice(2) : BENCHES;
	const unknown = chosen.filter((name) => !BENCHES.includes(name));
	if (unknown.length) throw new Error(`unknown bench ${unknown.join(', ')}; choose from ${BENCHES.join(', ')}`);
	const started = Date.now();
	const load = os.loadavg()[0];
	if (load > 1) console.warn(`Note: the 1-minute load average is ${load.toFixed(2)} on ${os.cpus().length} cores before the run; other work on this machine makes the figures noisier.`);

	const needsN8n = chosen.some((name) => !['batch', 'load'].includes(name));
	let tarball;
	if (needsN8n) {
		console.log('== n8n 2.41.1 (tooling/n8n/install.sh v2, cached)');
		n8n.ensureInstalled('v2');
		console.log('== build and pack the package');
		tarball = buildAndPack({ quiet: true });
	}
	const outcomes = [];
	try {
		for (const name of chosen) {
			console.log(`\n== npm run bench:${name}`);
			const t0 = Date.now();
			const result = spawnSync('npm', ['run', '--silent', `bench:${name}`], {
				cwd: ROOT,
				stdio: 'inherit',
				env: { ...process.env, ...(tarball ? { AI_STATS_BENCH_TARBALL: tarball } : {}) },
			});
			outcomes.push({ name, ok: result.status === 0, seconds: (Date.now() - t0) / 1000 });
		}
	} finally {
		if (tarball) fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
	}

	console.log(`\n== ${path.relative(ROOT, DOC)}\n`);
	console.log(fs.readFileSync(DOC, 'utf8'));
	for (const { name, ok, seconds } of outcomes) console.log(`bench:${name.padEnd(9)} ${ok ? 'ok    ' : 'FAILED'} ${seconds.toFixed(0).padStart(4)} s`);
	console.log(`all: ${((Date.now() - started) / 60000).toFixed(1)} min`);
	if (outcomes.some((outcome) => !outcome.ok)) process.exitCode = 1;
}

try {
	main();
} catch (error) {
	console.error(error);
	process.exitCode = 1;
}
