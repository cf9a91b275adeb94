#!/usr/bin/env bash
# The whole test suite, from a fresh clone: install from the lock file, lint with n8n's rule
# sets and the community-package scanner, then every jest suite (engine tests against the
# simulator). Prints one "N passed, N failed" line at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "== installing dev dependencies (npm ci)"
	npm ci --ignore-scripts --no-audit --no-fund
fi

echo "== lint: n8n community rule sets"
npm run --silent lint
echo "== lint: community package scanner (sources and packed tarball)"
npm run --silent lint:scan

echo "== jest"
report="$(mktemp --suffix=.json)"
status=0
npx jest --json --outputFile="$report" "$@" || status=$?
node -e '
	const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
	if (r.numTotalTests === 0) process.exit(1);
' "$report" || status=1
rm -f "$report"
exit "$status"
