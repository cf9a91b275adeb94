import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeProperties } from 'n8n-workflow';

import { nodeTypes } from './support/fixtures';

/** The example workflows only use parameters our nodes really have, and are wired consistently. */
const folder = join(__dirname, '..', 'examples');
const files = readdirSync(folder).filter((file) => file.endsWith('.json'));

interface ExampleNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}

function knownNames(properties: INodeProperties[]): Set<string> {
	return new Set(properties.map((property) => property.name));
}

describe.each(files)('examples/%s', (file) => {
	const workflow = JSON.parse(readFileSync(join(folder, file), 'utf8')) as {
		nodes: ExampleNode[];
		connections: Record<string, { main: Array<Array<{ node: string }>> }>;
	};
	const names = new Set(workflow.nodes.map((node) => node.name));

	it('connects only nodes that exist', () => {
		for (const [from, outputs] of Object.entries(workflow.connections)) {
			expect(names.has(from)).toBe(true);
			for (const target of outputs.main.flat()) expect(names.has(target.node)).toBe(true);
		}
	});

	it('sets only parameters the AI Stats nodes have, with the AI Stats credential', () => {
		for (const node of workflow.nodes.filter((entry) => entry.type.startsWith('n8n-nodes-ai-stats.'))) {
			const type = nodeTypes[node.type as keyof typeof nodeTypes];
			expect(type).toBeDefined();
			const known = knownNames(type.description.properties);
			for (const parameter of Object.keys(node.parameters)) expect([node.name, parameter, known.has(parameter)]).toEqual([node.name, parameter, true]);
			expect(Object.keys(node.credentials ?? {})).toEqual(['aiStatsApi']);
			// The version the node is added with today.
			const versions = ([] as number[]).concat(type.description.version);
			expect(node.typeVersion).toBe(type.description.defaultVersion ?? Math.max(...versions));
		}
	});
});
