'use strict';
/**
 * The closing line of `npm test`: "N passed, N failed" over every jest report in a folder, where a
 * suite that could not start (global setup or install failure, no report) or a check that failed
 * (typecheck, lint) counts as failed, its reason on the same line. Exits 1 unless all passed.
 *
 *   node tooling/test-summary.js <folder with <id>.json, <id>.log, <id>.suite / <id>.check>
 */
const fs = require('node:fs');
const path = require('node:path');

const folder = process.argv[2];
const read = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');

/**
 * The line of a log that best says why it failed: the installer's own ERROR line (it says how
 * to fix it), else the first "Error: ..." line, else the last line that reads like a failure.
 */
function reasonFrom(log) {
	const lines = log
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line && !/^at /.test(line) && !/^\d+ passed/.test(line));
	const cause =
		lines.find((line) => /^\[install-n8n[^\]]*\] ERROR/.test(line)) ??
		lines.find((line) => /^(\w*Error|Error):/.test(line)) ??
		[...lines].reverse().find((line) => /error|failed|cannot|not found|denied/i.test(line));
	return (cause ?? lines.at(-1) ?? 'no output').slice(0, 400);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const reasons = [];
for (const file of fs.readdirSync(folder).sort()) {
	const [id, kind] = file.split('.');
	const log = read(path.join(folder, `${id}.log`));
	const code = Number(read(path.join(folder, file)).trim() || 1);
	if (kind === 'check') {
		if (code !== 0) {
			failed += 1;
			reasons.push(`${id} failed: ${reasonFrom(log)}`);
		}
	} else if (kind === 'suite') {
		const json = read(path.join(folder, `${id}.json`));
		if (!json) {
			failed += 1;
			reasons.push(`${id} could not start (exit ${code}): ${reasonFrom(log)}`);
			continue;
		}
		const report = JSON.parse(json);
		passed += report.numPassedTests;
		failed += report.numFailedTests;
		skipped += report.numPendingTests;
		// a test file that failed before any test ran (syntax error, beforeAll outside a test, ...)
		const broken = report.testResults.filter((result) => result.testExecError || (result.status === 'failed' && result.assertionResults.every((test) => test.status !== 'failed')));
		for (const result of broken) {
			failed += 1;
			reasons.push(`${id}: ${path.basename(result.name)} could not run: ${reasonFrom(result.testExecError?.message ?? result.message ?? '')}`);
		}
		if (code !== 0 && report.numFailedTests === 0 && broken.length === 0) {
			failed += 1;
			reasons.push(`${id}: jest exited with ${code}: ${reasonFrom(log)}`);
		}
		if (report.numTotalTests === 0 && code === 0) {
			failed += 1;
			reasons.push(`${id}: no tests ran`);
		}
	}
}
const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
console.log(reasons.length ? `${line} (${reasons.join('; ')})` : line);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
