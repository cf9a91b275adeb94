// ESLint flat config for an n8n community node package.
//
// Mirrors what n8n's own `@n8n/node-cli` (`n8n-node lint`, dist/configs/eslint.js in
// @n8n/node-cli 0.48.x) applies, without depending on the CLI itself:
//   - @n8n/eslint-plugin-community-nodes `recommended` (n8n Cloud / verification rules)
//   - eslint-plugin-n8n-nodes-base `credentials`, `nodes` and `community` rule sets
//     (with the same three/two rules switched off as n8n does for community packages)
//   - @eslint/js + typescript-eslint `recommended`, `no-console: error`
// (@n8n/node-cli also applies eslint-plugin-import-x; it is left out here on purpose: its
// native resolver's platform packages are not all on the registry this project uses, which
// breaks `npm ci`, and tsc already rejects unresolved imports.)
// Only `nodes/`, `credentials/` and `package.json` are linted.
//
// `npm run lint:scan` (scripts/scan-package.js) additionally runs n8n's scanner
// (@n8n/scan-community-package analyzePackage) on the sources and the packed tarball.

import js from '@eslint/js';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// eslint-plugin-n8n-nodes-base decides at load time whether it is running its own test
// suite (NODE_ENV === 'test') and then treats every file as `Test.node.ts`, which makes
// filename rules fire everywhere. Never let that leak in from a jest environment.
if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;
const { default: n8nNodesBase } = await import('eslint-plugin-n8n-nodes-base');

const NODE_FILES = ['nodes/**/*.ts'];
const CREDENTIAL_FILES = ['credentials/**/*.ts'];
const SOURCE_FILES = [...NODE_FILES, ...CREDENTIAL_FILES];

const communityNodesRecommended = n8nCommunityNodesPlugin.configs.recommended;

export default defineConfig(
	globalIgnores(['dist/**', 'node_modules/**', 'coverage/**', 'test/**', 'scripts/**', '**/*.js']),
	{
		files: SOURCE_FILES,
		extends: [
			js.configs.recommended,
			tseslint.configs.recommended,
			communityNodesRecommended,
		],
		rules: {
			'prefer-spread': 'off',
			'no-console': 'error',
		},
	},
	{
		plugins: { 'n8n-nodes-base': n8nNodesBase },
	},
	{
		files: ['package.json'],
		extends: [communityNodesRecommended],
		rules: {
			...n8nNodesBase.configs.community.rules,
		},
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: {
				extraFileExtensions: ['.json'],
			},
		},
	},
	{
		files: CREDENTIAL_FILES,
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Not valid for community nodes (n8n turns these off in @n8n/node-cli too)
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// @n8n/community-nodes/credential-password-field is the more accurate rule
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: NODE_FILES,
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Inputs and outputs can be NodeConnectionTypes enum members instead of "main"
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			// A third-party API may really have a maximum, so maxValue is valid
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
);
