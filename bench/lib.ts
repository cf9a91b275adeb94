/** Small helpers shared by the benchmark scripts: statistics, tables, and docs/benchmarks.md (see report.js). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const report = require('./report') as {
	median(values: number[]): number;
	spread(values: number[], digits?: number): string;
	table(header: string[], rows: Array<Array<string | number>>): string;
	machine(options?: { n8n?: boolean }): string;
	writeSection(title: string, body: string): void;
};

export const { median, spread, table, machine, writeSection } = report;
