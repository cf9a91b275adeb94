'use strict';
/** Redis and PostgreSQL for queue mode (services.sh), as the environment n8n's processes need. */
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const SCRIPT = path.join(__dirname, 'services.sh');

/** Starts both (a fresh database each time); resolves to { DB_TYPE, DB_POSTGRESDB_*, QUEUE_BULL_REDIS_* }. */
function startServices() {
	const output = execFileSync('bash', [SCRIPT, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
	return Object.fromEntries(
		output
			.split('\n')
			.filter((line) => line.startsWith('export '))
			.map((line) => line.slice('export '.length).split(/=(.*)/s).slice(0, 2)),
	);
}

function stopServices() {
	execFileSync('bash', [SCRIPT, 'stop'], { stdio: 'ignore' });
}

module.exports = { startServices, stopServices };
