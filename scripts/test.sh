#!/usr/bin/env bash
# The whole test suite, from a fresh clone: install from the lock file, lint with n8n's rule
# sets, n8n's own CLI (n8n-node) and the community-package scanner, lint the GitHub workflow
# files, the engine tests against the simulator, then the end-to-end suite in real n8n 2.x and
# 1.x. Prints one "N passed, N failed" line at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "== installing dev dependencies (npm ci)"
	npm ci --ignore-scripts --no-audit --no-fund
fi

echo "== typecheck: nodes and tests"
npm run --silent typecheck
echo "== lint: n8n community rule sets"
npm run --silent lint
echo "== lint: n8n-node (n8n's CLI: Cloud-support check, strict lint)"
npm run --silent lint:n8n-node
echo "== lint: GitHub workflow files (actionlint)"
npm run --silent lint:workflows
echo "== lint: community package scanner (sources and packed tarball)"
npm run --silent lint:scan

status=0
echo "== jest: engine tests against the simulator"
unit="$(mktemp --suffix=.json)"
npx jest --json --outputFile="$unit" "$@" || status=$?

e2e="$(mktemp --suffix=.json)"
if [ "${AI_STATS_SKIP_E2E:-0}" != "1" ]; then
	echo "== jest: end to end in real n8n (installs n8n once into ${AI_STATS_E2E_CACHE:-$HOME/.cache/n8n-nodes-ai-stats})"
	npx jest --config e2e/jest.config.js --json --outputFile="$e2e" || status=$?
fi

# One closing line for the whole run.
node -e '
	const fs = require("fs");
	const reports = process.argv.slice(1).filter((file) => fs.existsSync(file) && fs.statSync(file).size > 0).map((file) => JSON.parse(fs.readFileSync(file, "utf8")));
	const sum = (key) => reports.reduce((total, report) => total + report[key], 0);
	console.log(`${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed` + (sum("numPendingTests") ? `, ${sum("numPendingTests")} skipped` : ""));
	if (sum("numTotalTests") === 0) process.exit(1);
' "$unit" "$e2e" || status=1
rm -f "$unit" "$e2e"
exit "$status"
