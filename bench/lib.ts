import { cpus, totalmem } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Small helpers shared by the benchmark scripts: statistics, tables, and docs/benchmarks.md. */

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function spread(values: number[], digits = 2): string {
	return `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
}

export function table(header: string[], rows: Array<Array<string | number>>): string {
	const lines = [header, header.map(() => '---'), ...rows.map((row) => row.map(String))];
	return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export function machine(): string {
	const cpu = cpus()[0]?.model ?? 'unknown CPU';
	return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

/** Replaces (or appends) the section `## <title>` of docs/benchmarks.md with `body`. */
export function writeSection(title: string, body: string): void {
	const file = join(__dirname, '..', 'docs', 'benchmarks.md');
	const header = '# Benchmarks\n\nNumbers from `npm run bench` (see each section for the command). Each figure is a median of several runs with min–max.\n';
	const current = existsSync(file) ? readFileSync(file, 'utf8') : header;
	const section = `## ${title}\n\n${body.trim()}\n`;
	const pattern = new RegExp(`## ${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n[\\s\\S]*?(?=\\n## |$)`);
	const next = pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}`;
	writeFileSync(file, `${next.trimEnd()}\n`);
}
