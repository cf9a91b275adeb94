#!/usr/bin/env node
/**
 * n8n's own community-node checks, with n8n's own CLI (@n8n/node-cli, `n8n-node`):
 *
 *   1. `n8n-node cloud-support` must report "Cloud support is ENABLED": package.json has
 *      `n8n.strict: true` and eslint.config.mjs is n8n's default config, byte for byte (after
 *      whitespace). That is what n8n counts as eligible for n8n Cloud verification.
 *   2. `n8n-node lint` (strict mode: it re-checks that the config is the default one, then runs
 *      `eslint .` with it) must pass.
 *
 * `n8n-node lint` lints every *.ts under the working directory with the node rules, and this
 * repository also holds tests, the simulator and benchmarks, which legitimately use `process`,
 * `node:http`, timers... So step 2 runs in a staging folder holding exactly what a package made
 * from n8n's starter holds: package.json, eslint.config.mjs, tsconfig.json, nodes/, credentials/
 * (node_modules linked). `npm run lint` covers the same files in place (`eslint nodes credentials
 * package.json` with the same config).
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'node_modules', '.bin', 'n8n-node');
const STAGED = ['package.json', 'eslint.config.mjs', 'tsconfig.json', 'nodes', 'credentials'];

// eslint-plugin-n8n-nodes-base treats every file as `Test.node.ts` when NODE_ENV is 'test'.
const env = { ...process.env, CI: 'true', FORCE_COLOR: '0' };
if (env.NODE_ENV === 'test') delete env.NODE_ENV;

const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

function n8nNode(args, cwd) {
	const result = spawnSync(CLI, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
	if (result.error) throw result.error;
	return { status: result.status, output: plain(`${result.stdout}${result.stderr}`) };
}

const support = n8nNode(['cloud-support'], ROOT);
if (!/Cloud support is ENABLED/.test(support.output)) {
	process.stdout.write(support.output);
	console.error('n8n-node cloud-support: the package is not eligible for n8n Cloud verification (see above)');
	process.exit(1);
}
console.log('n8n-node cloud-support: ENABLED (strict mode, default eslint config)');

const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-stats-n8n-node-lint-'));
try {
	for (const entry of STAGED) fs.cpSync(path.join(ROOT, entry), path.join(stage, entry), { recursive: true });
	fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
	const lint = n8nNode(['lint'], stage);
	process.stdout.write(lint.output.split(stage).join('.'));
	if (lint.status !== 0) {
		console.error(`n8n-node lint failed (exit ${lint.status})`);
		process.exit(1);
	}
	console.log('n8n-node lint: clean');
} finally {
	fs.rmSync(stage, { recursive: true, force: true });
}
