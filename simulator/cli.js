#!/usr/bin/env node
'use strict';
/**
 * Runs the gateway simulator until SIGINT/SIGTERM.
 *
 *   node simulator/cli.js [--port 4010] [--host 127.0.0.1] [--job-ms 3000] [--poll-after 20]
 *                         [--content-bytes 1GiB] [--fetch-references] … (see --help)
 *
 * Options can also come from SIM_* environment variables; flags win.
 */

const { createSimulator } = require('./index');
const { optionsFromEnv } = require('./lib/options');

const HELP = `AI Stats gateway simulator

Usage: node simulator/cli.js [options]

  --profile <name>            production (default: the gateway as it runs today) or docs SIM_PROFILE
  --no-batch-api              /webhook-endpoints answers 403 batch_api_feature_flag_disabled SIM_BATCH_API=false
  --no-pricing-api            POST /pricing/calculate answers 404 pricing_not_found    SIM_PRICING_API=false
  --asset-bytes <mode>        model|always|never: asset.bytes known (default by profile) SIM_ASSET_BYTES
  --content-length <mode>     model|always|never: /content sends Content-Length        SIM_CONTENT_LENGTH
  --wallet-balance-usd <n>    wallet balance for /credits and 402s (default 1000000)   SIM_WALLET_BALANCE_USD
  --inline-webhooks           accept {url, secret} webhooks whatever the profile       SIM_ACCEPT_INLINE_WEBHOOKS=true
  --port <n>                  listen port (default 4010 from the CLI; 0 = random)      SIM_PORT
  --host <addr>               listen address (default 127.0.0.1)                       SIM_HOST
  --public-url <url>          origin used in polling/content/download URLs             SIM_PUBLIC_URL
  --queued-ms <n>             time a job stays queued (default 300)                    SIM_QUEUED_MS
  --job-ms <n>                processing time until completion (default 3000)          SIM_JOB_MS
  --progress-step-ms <n>      progress tick (default jobMs/20)                         SIM_PROGRESS_STEP_MS
  --poll-after <n>            poll_after_seconds value (default 20)                    SIM_POLL_AFTER
  --content-bytes <size>      synthetic output size, e.g. 1073741824 or 1GiB            SIM_CONTENT_BYTES
  --webhook-retry-delays <l>  comma list of ms, e.g. 0,60000,300000,900000             SIM_WEBHOOK_RETRY_DELAYS_MS
  --webhook-timeout-ms <n>    webhook request timeout (default 30000)                  SIM_WEBHOOK_TIMEOUT_MS
  --signed-url-secret <s>     secret for signed download URLs (default random)         SIM_SIGNED_URL_SECRET
  --require-https-webhooks    only public https webhook URLs (like production)         SIM_REQUIRE_HTTPS_WEBHOOKS
  --no-inline-webhooks        reject {url, secret} webhooks (server's endpoint_id only) SIM_ACCEPT_INLINE_WEBHOOKS=false
  --fetch-references          GET every input reference URL like a provider            SIM_FETCH_REFERENCES
  --allow-http-references     accept http:// input reference URLs                     SIM_ALLOW_HTTP_REFERENCES
  --insecure-tls              do not verify TLS certificates of webhooks/references    SIM_INSECURE_TLS
  --list-window <n>           newest jobs GET /videos considers (default 101)          SIM_LIST_WINDOW
  --max-body-bytes <n>        request body limit (default 16 MiB)                      SIM_MAX_BODY_BYTES
  --json                      print one JSON line {origin, baseUrl, keys} and nothing else
  --quiet                     do not log requests
  --help                      show this help
`;

const FLAGS = {
	'--port': ['port', Number],
	'--profile': ['profile', String],
	'--asset-bytes': ['assetBytes', String],
	'--content-length': ['contentLength', String],
	'--wallet-balance-usd': ['walletBalanceUsd', Number],
	'--host': ['host', String],
	'--public-url': ['publicUrl', String],
	'--queued-ms': ['queuedMs', Number],
	'--job-ms': ['jobMs', Number],
	'--progress-step-ms': ['progressStepMs', Number],
	'--poll-after': ['pollAfterSeconds', Number],
	'--content-bytes': ['contentBytes', String],
	'--webhook-retry-delays': ['webhookRetryDelaysMs', (value) => value.split(',').map(Number)],
	'--webhook-timeout-ms': ['webhookTimeoutMs', Number],
	'--signed-url-secret': ['signedUrlSecret', String],
	'--list-window': ['listWindow', Number],
	'--max-body-bytes': ['maxBodyBytes', Number],
};
const SWITCHES = {
	'--require-https-webhooks': ['requireHttpsWebhooks', true],
	'--no-inline-webhooks': ['acceptInlineWebhooks', false],
	'--inline-webhooks': ['acceptInlineWebhooks', true],
	'--no-batch-api': ['batchApi', false],
	'--no-pricing-api': ['pricingApi', false],
	'--fetch-references': ['fetchReferences', true],
	'--allow-http-references': ['allowHttpReferences', true],
	'--insecure-tls': ['insecureTls', true],
};

function parseArgs(argv) {
	const options = {};
	const cli = { json: false, quiet: false, help: false };
	for (let i = 0; i < argv.length; i += 1) {
		const [flag, inline] = argv[i].split(/=(.*)/s, 2);
		if (flag === '--help' || flag === '-h') cli.help = true;
		else if (flag === '--json') cli.json = true;
		else if (flag === '--quiet') cli.quiet = true;
		else if (SWITCHES[flag]) options[SWITCHES[flag][0]] = SWITCHES[flag][1];
		else if (FLAGS[flag]) {
			const value = inline ?? argv[++i];
			if (value === undefined) throw new Error(`${flag} needs a value`);
			options[FLAGS[flag][0]] = FLAGS[flag][1](value);
		} else throw new Error(`Unknown argument ${argv[i]} (see --help)`);
	}
	return { options, cli };
}

async function main() {
	let parsed;
	try {
		parsed = parseArgs(process.argv.slice(2));
	} catch (error) {
		process.stderr.write(`${error.message}\n`);
		process.exit(2);
	}
	if (parsed.cli.help) {
		process.stdout.write(HELP);
		return;
	}
	const options = { port: 4010, ...optionsFromEnv(process.env), ...parsed.options };
	if (!parsed.cli.quiet && !parsed.cli.json) options.logger = (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
	const sim = await createSimulator(options);

	if (parsed.cli.json) {
		process.stdout.write(`${JSON.stringify({ origin: sim.origin, baseUrl: sim.baseUrl, keys: sim.keys })}\n`);
	} else {
		const width = Math.max(...Object.keys(sim.keys).map((name) => name.length));
		process.stdout.write(
			[
				`AI Stats gateway simulator listening on ${sim.origin}`,
				`Base URL: ${sim.baseUrl}  (profile: ${sim.getOptions().profile})`,
				'Test keys (fake, for this simulator only):',
				...Object.entries(sim.keys).map(([name, key]) => `  ${name.padEnd(width)}  ${key}`),
				`Control API: ${sim.origin}/__sim/health (reset, options, faults, jobs, deliveries, deliver, …)`,
				'Press Ctrl+C to stop.',
				'',
			].join('\n'),
		);
	}

	let stopping = false;
	const stop = async (signal) => {
		if (stopping) return;
		stopping = true;
		if (!parsed.cli.json) process.stdout.write(`\n${signal} received, stopping simulator…\n`);
		await sim.close();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop('SIGINT'));
	process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
	process.stderr.write(`Simulator failed to start: ${error.message}\n`);
	process.exit(1);
});
