#!/usr/bin/env bash
# The whole test suite, from a fresh clone: install from the lock file, type-check, lint with
# n8n's rule sets, n8n's own CLI (n8n-node), the GitHub workflow files and the community-package scanner, the engine tests against the simulator, the
# installer's own test, then the end-to-end suite in real n8n 2.x and 1.x. Every step runs even
# when an earlier one failed; one closing "N passed, N failed" line counts them all, and a check
# or suite that could not run counts as failed, with its reason.
set -uo pipefail
cd "$(dirname "$0")/.."

runs="$(mktemp -d)"
trap 'rm -rf "$runs"' EXIT

# check <id> <title> cmd...: a step without test counts (its output is kept for the summary)
check() {
	local id="$1" title="$2"
	shift 2
	echo "== $title"
	"$@" 2>&1 | tee "$runs/$id.log"
	echo "${PIPESTATUS[0]}" >"$runs/$id.check"
}

# suite <id> <title> jest-args...: a jest run whose JSON report is counted
suite() {
	local id="$1" title="$2"
	shift 2
	echo "== $title"
	npx jest --json --outputFile="$runs/$id.json" "$@" 2>&1 | tee "$runs/$id.log"
	echo "${PIPESTATUS[0]}" >"$runs/$id.suite"
}

check dev-deps "dev dependencies from the lock file" node scripts/dev-deps.js
check typecheck "typecheck: nodes and tests" npm run --silent typecheck
check lint "lint: n8n community rule sets" npm run --silent lint
check n8n-node "lint: n8n-node (n8n's CLI: Cloud-support check, strict lint)" npm run --silent lint:n8n-node
check workflows "lint: GitHub workflow files (actionlint)" npm run --silent lint:workflows
check scan "lint: community package scanner (sources and packed tarball)" npm run --silent lint:scan
suite engine "jest: engine tests against the simulator" "$@"
if [ "${AI_STATS_SKIP_E2E:-0}" != "1" ]; then
	suite tooling "jest: tooling (the n8n installer started by npm run with ignore-scripts=true; this closing line)" --config tooling/jest.config.js
	suite e2e "jest: end to end in real n8n (installs n8n once into ${AI_STATS_E2E_CACHE:-$HOME/.cache/n8n-nodes-ai-stats})" --config e2e/jest.config.js
fi

node tooling/test-summary.js "$runs"
