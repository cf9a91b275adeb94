'use strict';
/**
 * The installer really builds native modules when everything around it says not to run
 * scripts: started through `npm run` from this project (whose .npmrc has ignore-scripts=true,
 * which npm passes on as npm_config_ignore_scripts), with a user ~/.npmrc saying the same,
 * CI=true and no stdin. It builds sqlite3 alone (install.sh sqlite3-probe: the same npm, flags
 * and build step as for n8n) into a temporary cache and project.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const BINDING = ['node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node'];

describe('tooling/n8n/install.sh', () => {
	let scratch;
	let home;
	let hostileEnv;

	beforeAll(() => {
		scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-stats-installer-test-'));
		home = path.join(scratch, 'home');
		fs.mkdirSync(home);
		// A user .npmrc as some developers have it; ~/.npm stays the machine's cache (no second download).
		fs.writeFileSync(path.join(home, '.npmrc'), `ignore-scripts=true\ncache=${path.join(os.homedir(), '.npm')}\n`);
		hostileEnv = { ...process.env, HOME: home, CI: 'true', AI_STATS_E2E_CACHE: path.join(scratch, 'cache'), AI_STATS_INSTALL_PROGRESS_SECONDS: '30' };
		for (const name of Object.keys(hostileEnv)) if (/^npm_/i.test(name)) delete hostileEnv[name];
	});

	afterAll(() => {
		if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
	});

	it('the project .npmrc really tells npm to skip scripts (what the installer must withstand)', () => {
		expect(fs.readFileSync(path.join(ROOT, '.npmrc'), 'utf8')).toMatch(/^ignore-scripts=true$/m);
	});

	it('started by `npm run` with ignore-scripts=true in the project and user .npmrc, CI=true and no stdin, it compiles sqlite3 and the binding loads', () => {
		const project = path.join(scratch, 'probe');
		const run = spawnSync('npm', ['run', 'n8n:install', '--', 'sqlite3-probe', project], { cwd: ROOT, env: hostileEnv, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 20 * 60 * 1000 });
		const output = `${run.stdout}\n${run.stderr}`;
		if (run.status !== 0) console.log(output);
		expect(run.status).toBe(0);
		// npm run passed the project's setting on, and the installer dropped it
		expect(output).toContain('npm_config_ignore_scripts=true came from the caller');
		expect(output).toMatch(/npm rebuild sqlite3 \(compiles from source\): \d/);
		expect(fs.existsSync(path.join(project, ...BINDING))).toBe(true);
		const check = spawnSync(process.execPath, ['-e', "const s=require('sqlite3');const db=new s.Database(':memory:');db.get('select 6*7 as v',(e,r)=>{if(e)throw e;console.log(r.v);db.close();})"], { cwd: project, encoding: 'utf8' });
		expect(check.stdout.trim()).toBe('42');

		// Control: the same rebuild without the installer's --ignore-scripts=false builds nothing
		// in this environment (the failure issue 11 reported).
		fs.rmSync(path.join(project, ...BINDING));
		const plain = spawnSync('npm', ['rebuild', 'sqlite3'], { cwd: project, env: hostileEnv, stdio: 'ignore', timeout: 5 * 60 * 1000 });
		expect(plain.status).toBe(0);
		expect(fs.existsSync(path.join(project, ...BINDING))).toBe(false);
	});
});
