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

/** Spawn `node n8n <args>` in its own process group, capturing output (and tee-ing to logFile). */
function spawnN8n(version, args, env, { logFile } = {}) {
	const inst = getInstall(version);
	// detached: own process group (n8n + its task runner) so stop() can end both;
	// stdin is a pipe we never write to: parent-watchdog.js ends the group when it closes.
	const child = spawn(inst.node, ['--require', WATCHDOG, inst.n8nBin, ...args], {
		env: { ...env, AI_STATS_E2E_WATCHDOG: '1' },
		cwd: env.N8N_USER_FOLDER,
		stdio: ['pipe', 'pipe', 'pipe'],
		detached: true,
	});
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
	child.stdout.on('data', onData);
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
	return { child, exited, logs: () => Buffer.concat(chunks).toString('utf8') };
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
