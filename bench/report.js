'use strict';
/**
 * Statistics, tables and docs/benchmarks.md for every benchmark script (CommonJS, no
 * dependencies; bench/lib.ts re-exports it for the TypeScript benches).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const DOC = path.join(__dirname, '..', 'docs', 'benchmarks.md');

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** "median (min–max)" with `digits` decimals. */
function spread(values, digits = 2) {
	return `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
}

function table(header, rows) {
	const lines = [header, header.map(() => '---'), ...rows.map((row) => row.map(String))];
	return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function n8nInstall() {
	const cache = process.env.AI_STATS_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-ai-stats');
	try {
		const version = process.env.BENCH_N8N_VERSION === 'v1' ? 'v1' : 'v2';
		return JSON.parse(fs.readFileSync(path.join(cache, `n8n-${version}`, '.install-complete.json'), 'utf8'));
	} catch {
		return undefined;
	}
}

/**
 * One line: CPU, cores, RAM, OS, the Node running the bench script and, with `{ n8n: true }`, the
 * real n8n under test (as installed by tooling/n8n/install.sh).
 */
function machine({ n8n = false } = {}) {
	const cpu = (os.cpus()[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim();
	const install = n8n ? n8nInstall() : undefined;
	const runtime = install ? `n8n ${install.n8nVersion} on Node ${install.nodeVersion} (bench script and simulator on Node ${process.version})` : `Node ${process.version}`;
	return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, ${runtime}, ${new Date().toISOString().slice(0, 10)}`;
}

function header() {
	return [
		'# Benchmarks',
		'',
		'What the AI Stats nodes cost and save, measured by `npm run bench` (which runs every script below in sequence, about 30 minutes, half of it the resume bench with 2-minute jobs; run `npm test` once before, or at least `npm ci --ignore-scripts` and `bash tooling/n8n/install.sh v2`).',
		'Most sections run the packed package inside **real n8n** (one `n8n start` process, sqlite, filesystem binary mode) against the bundled gateway simulator on 127.0.0.1; the two in-process sections run it through `n8n-core`\'s execution engine. Each figure is a median of several runs with min–max in brackets. Every section ends with the command that reproduces it.',
		'',
		`Machine of the latest run: ${machine({ n8n: true })}. n8n, its task runner and the simulator share these ${os.cpus().length} cores, so absolute figures vary from run to run (and with anything else running); compare within a table.`,
		'',
	].join('\n');
}

/** Sections in the order of the issue they answer; others follow in the order they were added. */
const ORDER = [
	'Large download in real n8n',
	"Large download in real n8n, content fetched through n8n's deprecated request helper (experiment)",
	'Large download in real n8n 1.123.81 (filesystem binary mode)',
	'Large download in real n8n 1.123.81 (default binary mode)',
	'Batch wait in real n8n: Poll mode vs the hand-built loop',
	'Batch wait (Poll mode)',
	'Resume vs poll: worker time held per job',
	'Overhead per operation in real n8n',
	'Load: 200 jobs in one execution',
];

function parseSections(text) {
	const sections = [];
	const first = text.search(/^## /m);
	if (first < 0) return sections;
	for (const chunk of text.slice(first).split(/^(?=## )/m)) {
		const title = /^## (.*)\n/.exec(chunk)?.[1];
		if (title) sections.push({ title: title.trim(), text: chunk.trim() });
	}
	return sections;
}

/**
 * Replaces (or adds) the section `## <title>` of docs/benchmarks.md with `body`, keeps the other
 * sections, orders them (ORDER), and refreshes the introduction with the current machine.
 */
function writeSection(title, body) {
	const current = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
	const sections = parseSections(current).filter((section) => section.title !== title);
	sections.push({ title, text: `## ${title}\n\n${body.trim()}` });
	const rank = (section) => {
		const index = ORDER.indexOf(section.title);
		return index < 0 ? ORDER.length : index;
	};
	const ordered = sections.map((section, index) => ({ section, index })).sort((a, b) => rank(a.section) - rank(b.section) || a.index - b.index);
	fs.writeFileSync(DOC, `${header()}\n${ordered.map(({ section }) => section.text).join('\n\n')}\n`);
}

module.exports = { DOC, median, spread, table, machine, writeSection };
