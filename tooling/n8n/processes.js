'use strict';
/**
 * n8n processes in process groups of their own, so that stopping one also ends its task runner,
 * and none outlives the process that started it (parent-watchdog.js, and an exit hook).
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { getInstall } = require('./install');

const WATCHDOG = path.join(__dirname, 'parent-watchdog.js');

const liveGroups = new Set();
let exitHookInstalled = false;
function trackGroup(pid) {
	liveGroups.add(pid);
	if (!exitHookInstalled) {
		exitHookInstalled = true;
		process.on('exit', () => {
			for (const g of liveGroups) {
				try {
					process.kill(-g, 'SIGKILL');
				} catch {
					/* already gone */
				}
			}
		});
	}
}

function killGroup(pid, signal) {
	try {
		process.kill(-pid, signal);
		return true;
	} catch {
		try {
			process.kill(pid, signal);
			return true;
		} catch {
			return false;
		}
	}
}

function groupAlive(pid) {
	try {
		process.kill(-pid, 0);
		return true;
	} catch {
		return false;
	}
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Spawn `node n8n <args>` in its own process group, capturing output (and tee-ing to logFile).
 * With `stdoutFile`, standard output goes straight to that file: Node writes files synchronously,
 * so output printed just before the CLI's process.exit() is complete there (through a pipe, n8n
 * 1.x's `execute` loses the end of a large printed run). logs() then has stderr, then that file.
 */
function spawnN8n(version, args, env, { logFile, stdoutFile } = {}) {
	const inst = getInstall(version);
	const stdoutFd = stdoutFile ? fs.openSync(stdoutFile, 'w') : undefined;
	// detached: own process group (n8n + its task runner) so stop() can end both;
	// stdin is a pipe we never write to: parent-watchdog.js ends the group when it closes.
	const child = spawn(inst.node, ['--require', WATCHDOG, inst.n8nBin, ...args], {
		env: { ...env, AI_STATS_E2E_WATCHDOG: '1' },
		cwd: env.N8N_USER_FOLDER,
		stdio: ['pipe', stdoutFd ?? 'pipe', 'pipe'],
		detached: true,
	});
	if (stdoutFd !== undefined) fs.closeSync(stdoutFd); // the child holds its own copy
	child.stdin.on('error', () => {});
	trackGroup(child.pid);
	const chunks = [];
	let size = 0;
	const logStream = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : null;
	const onData = (buf) => {
		chunks.push(buf);
		size += buf.length;
		if (size > 32 * 1024 * 1024) {
			// keep memory bounded on very chatty runs
			while (size > 16 * 1024 * 1024 && chunks.length > 1) size -= chunks.shift().length;
		}
		if (logStream) logStream.write(buf);
	};
	child.stdout?.on('data', onData);
	child.stderr.on('data', onData);
	const exited = new Promise((resolve) => {
		child.on('close', (code, signal) => {
			liveGroups.delete(child.pid);
			// the group may still hold the task runner if n8n itself was SIGKILLed
			killGroup(child.pid, 'SIGKILL');
			if (logStream) logStream.end();
			resolve({ code, signal });
		});
	});
	child.exitInfo = null;
	exited.then((info) => {
		child.exitInfo = info;
	});
	const logs = () => Buffer.concat(chunks).toString('utf8') + (stdoutFile && fs.existsSync(stdoutFile) ? fs.readFileSync(stdoutFile, 'utf8') : '');
	return { child, exited, logs };
}

/** The last lines of a log, without the ~300 lines of database migrations of a fresh instance. */
function tail(text, lines = 60) {
	return text
		.split('\n')
		.filter((l) => !/^(Starting|Finished) migration /.test(l))
		.slice(-lines)
		.join('\n');
}

module.exports = { spawnN8n, killGroup, groupAlive, sleep, tail };
