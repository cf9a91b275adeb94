'use strict';
/**
 * The installer really builds native modules when everything around it says not to run
 * scripts: started through `npm run` from this project (whose .npmrc has ignore-scripts=true,
 * which npm passes on as npm_config_ignore_scripts), with a user ~/.npmrc saying the same,
 * CI=true and no stdin. It builds sqlite3 alone (install.sh sqlite3-probe: the same npm, flags
 * and build step as for n8n) into a temporary cache and project. Then, with that sqlite3, a
 * cached install is reused only while it is whole and made by the current recipe and Node.
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
		const binding = path.join(project, ...BINDING);
		fs.renameSync(binding, `${binding}.built`);
		const plain = spawnSync('npm', ['rebuild', 'sqlite3'], { cwd: project, env: hostileEnv, stdio: 'ignore', timeout: 5 * 60 * 1000 });
		expect(plain.status).toBe(0);
		expect(fs.existsSync(binding)).toBe(false);
		fs.renameSync(`${binding}.built`, binding);
	});

	it('reuses a cached install only while it is finished, made by this recipe and Node, with n8n in place and sqlite3 loading', () => {
		const install = path.join(hostileEnv.AI_STATS_E2E_CACHE, 'n8n-v1');
		const check = () => {
			const run = spawnSync('bash', [path.join(__dirname, 'install.sh'), 'check', 'v1'], { env: hostileEnv, encoding: 'utf8' });
			expect(run.status).toBe(0);
			return run.stdout;
		};
		// An install as install.sh leaves it, with the sqlite3 built above (this machine's Node, as v1 uses).
		fs.cpSync(path.join(scratch, 'probe', 'node_modules'), path.join(install, 'node_modules'), { recursive: true });
		const n8nPackage = path.join(install, 'node_modules', 'n8n', 'package.json');
		fs.mkdirSync(path.dirname(n8nPackage), { recursive: true });
		fs.writeFileSync(n8nPackage, JSON.stringify({ name: 'n8n', version: '1.123.81' }));
		expect(check()).toMatch(/not reusable: no finished install/);
		const fingerprint = /^fingerprint (\w+)$/m.exec(check())[1];
		const marker = path.join(install, '.install-complete.json');
		fs.writeFileSync(marker, JSON.stringify({ fingerprint, recipe: 0 }, null, 2));
		expect(check()).toMatch(/^reusable: /m);

		// another recipe (or Node, or versions: all in the fingerprint)
		fs.writeFileSync(marker, JSON.stringify({ fingerprint: 'made-by-recipe-1', recipe: 1 }, null, 2));
		expect(check()).toMatch(/not reusable: installed by another recipe, n8n version, overrides or Node/);
		fs.writeFileSync(marker, JSON.stringify({ fingerprint, recipe: 0 }, null, 2));

		// a damaged install: n8n gone
		fs.renameSync(n8nPackage, `${n8nPackage}.away`);
		expect(check()).toMatch(/not reusable: node_modules\/n8n is missing or not 1\.123\.81/);
		fs.renameSync(`${n8nPackage}.away`, n8nPackage);

		// a damaged install: the sqlite3 binding truncated
		const binding = path.join(install, ...BINDING);
		fs.writeFileSync(binding, fs.readFileSync(binding).subarray(0, 4096));
		expect(check()).toMatch(/not reusable: sqlite3 does not load/);
	});
});
