/**
 * What n8n checks about the package itself before it loads or verifies it, and how it is published.
 * (The workflow files' syntax is actionlint's job: `npm run lint:workflows`.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { checkNodesApiVersion, N8N_NODES_API_VERSION } from 'n8n-workflow';

import { AiStats } from '../nodes/AiStats/AiStats.node';
import { AiStatsTrigger } from '../nodes/AiStatsTrigger/AiStatsTrigger.node';

const ROOT = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const workflow = (name: string) => readFileSync(join(ROOT, '.github', 'workflows', name), 'utf8');

describe('package metadata n8n reads', () => {
	it('declares a node API version that n8n 2.x accepts (its only compatibility check)', () => {
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
		expect(checkNodesApiVersion(pkg)).toEqual({ compatible: true, version: 1 });
		// What n8n does with a package asking for more than it supports: refuse it.
		expect(checkNodesApiVersion({ n8n: { n8nNodesApiVersion: N8N_NODES_API_VERSION + 1 } })).toMatchObject({ compatible: false, reason: 'unsupported' });
	});

	it('is Cloud-eligible as n8n-node counts it: strict mode, n8n-workflow "*" as the only peer, no runtime dependencies', () => {
		expect(pkg.n8n.strict).toBe(true);
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.dependencies).toBeUndefined();
		expect(readFileSync(join(ROOT, 'eslint.config.mjs'), 'utf8').replace(/\s+/g, ' ').trim()).toBe("import { config } from '@n8n/node-cli/eslint'; export default config;");
	});

	it.each([
		['AI Stats', new AiStats().description],
		['AI Stats Trigger', new AiStatsTrigger().description],
	])('%s sets iconColor (n8n 3.0) and no defaults.color', (_name, description) => {
		expect(description.iconColor).toBe('violet');
		expect(description.defaults).not.toHaveProperty('color');
	});
});

describe('publishing workflow', () => {
	const publish = workflow('publish.yml');

	it('publishes only from version tags, with provenance, after the verify job (lint, scanner, tests)', () => {
		expect(publish).toMatch(/on:\s+push:\s+tags: \['v\*\.\*\.\*'\]/);
		expect(publish).toMatch(/publish:[\s\S]*needs: verify/);
		// verify is the CI workflow itself (reusable), which runs .ci/run
		expect(publish).toMatch(/verify:\s+uses: \.\/\.github\/workflows\/ci\.yml/);
		expect(workflow('ci.yml')).toMatch(/workflow_call:/);
		expect(publish).toContain('run: npm publish --provenance --access public');
	});

	it('grants id-token: write to the publish job only, and stores no npm token', () => {
		expect(publish.match(/id-token: write/g)).toHaveLength(1);
		expect(publish.slice(publish.indexOf('\n  publish:'))).toContain('id-token: write');
		expect(publish).not.toMatch(/NPM_TOKEN|NODE_AUTH_TOKEN|secrets\./);
	});

	it('CI runs .ci/run on pushes and pull requests', () => {
		const ci = workflow('ci.yml');
		expect(ci).toMatch(/on:\s+push:[\s\S]*pull_request:/);
		expect(ci).toContain('run: bash .ci/run');
	});
});
