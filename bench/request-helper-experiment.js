'use strict';
/**
 * An experiment, not the package: `BENCH_REQUEST_HELPER=request npm run bench:download` measures a
 * copy of the packed package whose transport fetches `/content` through n8n's deprecated `request`
 * helper, the one n8n's HTTP Request node uses, instead of `httpRequest`. n8n's community-node rules
 * forbid `request` in a published node (no-deprecated-workflow-functions); the copy only shows what
 * the helper the package must use costs. Every other request of the node stays on `httpRequest`.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ENABLED = process.env.BENCH_REQUEST_HELPER === 'request';
const TRANSPORT = 'package/dist/nodes/shared/transport.js';
const CALL = 'const response = (await this.ctx.helpers.httpRequest(request));';
const REPLACEMENT = `const response = /\\/content(\\?|$)/.test(request.url)
                ? (await this.ctx.helpers.request({ uri: request.url, qs: request.qs, method: request.method ?? 'GET', headers: request.headers, encoding: null, json: false, useStream: true, resolveWithFullResponse: true, simple: false, followRedirect: false, followAllRedirects: false, timeout: request.timeout, abortSignal: request.abortSignal }))
                : (await this.ctx.helpers.httpRequest(request));`;

/** A copy of `tarball` whose content downloads go through `helpers.request`; removed at exit. */
function patchedTarball(tarball) {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-stats-bench-request-helper-'));
	process.on('exit', () => fs.rmSync(folder, { recursive: true, force: true }));
	execFileSync('tar', ['-xzf', tarball, '-C', folder]);
	const file = path.join(folder, TRANSPORT);
	const source = fs.readFileSync(file, 'utf8');
	if (source.split(CALL).length !== 2) throw new Error(`request-helper experiment: expected one authenticated request call in ${TRANSPORT}; the transport changed, update the experiment`);
	fs.writeFileSync(file, source.replace(CALL, REPLACEMENT));
	const patched = path.join(folder, 'n8n-nodes-ai-stats-request-helper.tgz');
	execFileSync('tar', ['-czf', patched, '-C', folder, 'package']);
	return patched;
}

/** How the two helpers hand out a streamed body in n8n 2.x (the sections of both runs say it). */
const HELPERS =
	"in n8n 2.x `httpRequest`, the only request helper n8n's community-node rules allow, asks axios for `maxContentLength: Infinity`, and axios then wraps the streamed body in an async generator (`Readable.from`), while the deprecated `request` helper of n8n's HTTP Request node (`maxContentLength: -1`) gets the socket's own stream";

const NOTE = `**An experiment, not the package.** The AI Stats rows here measure a copy of the packed package whose transport fetches \`/content\` through n8n's deprecated \`request\` helper (\`bench/request-helper-experiment.js\`), the helper n8n's HTTP Request node uses; n8n's community-node rules forbid it in a published node. The two helpers differ: ${HELPERS}. Set side by side with the section above, the ratios show what that wrapper costs, within the spread from run to run (about ±10% on this 2-core machine, where n8n, the simulator and the bench share the cores).`;

module.exports = { ENABLED, HELPERS, NOTE, patchedTarball };
