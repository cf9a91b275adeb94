'use strict';
/**
 * Drive real, isolated n8n instances for the end-to-end suite.
 *
 * CommonJS, no dependencies. The n8n installs come from e2e/install-n8n.sh
 * (cache folder ${AI_STATS_E2E_CACHE:-$HOME/.cache/n8n-nodes-ai-stats}).
 *
 *   const n8n = require('./e2e/lib/n8n');
 *   const uf = n8n.makeUserFolder();                       // temp N8N_USER_FOLDER
 *   n8n.installPackage(uf, '/path/n8n-nodes-ai-stats-0.1.0.tgz');
 *   await n8n.importCredentials('v2', uf, [{ id, name, type, data }]);
 *   await n8n.importWorkflow('v2', uf, workflowJson);
 *   const run = await n8n.executeWorkflow('v2', uf, workflowJson.id);   // n8n execute --id
 *   await n8n.publishWorkflow('v2', uf, workflowJson.id);
 *   const inst = await n8n.startN8n({ version: 'v2', userFolder: uf });
 *   await inst.waitForWebhook('/webhook/my-path');
 *   const execs = await inst.executions();            // GET /api/v1/executions?includeData=true
 *   await inst.stop();
 *
 * See e2e/README.md for every environment variable and gotcha.
 */

const { spawn } = require('node:child_process');
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const VERSIONS = ['v2', 'v1'];
const WATCHDOG = path.join(__dirname, 'parent-watchdog.js');

/** Fixed test-only secrets: instances are throwaway and listen on 127.0.0.1 only. */
const ENCRYPTION_KEY = 'ai-stats-e2e-encryption-key-not-secret';
const OWNER = Object.freeze({
  email: 'owner@e2e.ai-stats.test',
  password: 'E2e-Owner-Password-1',
  firstName: 'E2E',
  lastName: 'Owner',
});
const BROWSER_ID = 'ai-stats-e2e-browser';

function cacheDir() {
  return process.env.AI_STATS_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-ai-stats');
}

function assertVersion(version) {
  if (!VERSIONS.includes(version)) throw new Error(`n8n version must be one of ${VERSIONS.join(', ')}, got ${version}`);
}

const installCache = new Map();
/**
 * What e2e/install-n8n.sh recorded for one version:
 * { version, n8nVersion, node, nodeVersion, dir, n8nBin, ... }.
 */
function getInstall(version) {
  assertVersion(version);
  if (installCache.has(version)) return installCache.get(version);
  const dir = path.join(cacheDir(), `n8n-${version}`);
  const marker = path.join(dir, '.install-complete.json');
  if (!fs.existsSync(marker)) {
    throw new Error(`n8n ${version} is not installed in ${dir}: run e2e/install-n8n.sh ${version}`);
  }
  const info = JSON.parse(fs.readFileSync(marker, 'utf8'));
  const result = { ...info, version, dir, n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n') };
  if (!fs.existsSync(result.node)) throw new Error(`node binary ${result.node} for n8n ${version} is missing: re-run e2e/install-n8n.sh ${version}`);
  installCache.set(version, result);
  return result;
}

function isInstalled(version) {
  try {
    getInstall(version);
    return true;
  } catch {
    return false;
  }
}

/** A free TCP port on 127.0.0.1 (ports handed out by this process are not reused). */
const handedOut = new Set();
async function freePort() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.unref();
      srv.on('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port: p } = srv.address();
        srv.close(() => resolve(p));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('could not find a free port');
}

/** A fresh temp folder to use as N8N_USER_FOLDER (with files/ for N8N_RESTRICT_FILE_ACCESS_TO). */
function makeUserFolder(prefix = 'n8n-e2e-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
  return dir;
}

/** Remove the variables a developer's shell might leak into an isolated instance. */
function sanitizedParentEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(N8N_|DB_|QUEUE_|EXECUTIONS_|WEBHOOK_URL$|GENERIC_TIMEZONE$|CREDENTIALS_|NODES_|NODE_FUNCTION_|NODE_OPTIONS$|NODE_PATH$|npm_)/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

function applyEnv(target, source) {
  for (const [k, v] of Object.entries(source || {})) {
    if (v === undefined || v === null) delete target[k];
    else target[k] = String(v);
  }
  return target;
}

/**
 * The environment of one n8n process. Order: sanitized parent env < defaults < env < extraEnv
 * (a value of null/undefined removes a variable).
 */
function buildEnv({ version, userFolder, port, brokerPort, env, extraEnv }) {
  assertVersion(version);
  if (!userFolder) throw new Error('userFolder is required (every n8n process writes into N8N_USER_FOLDER)');
  const inst = getInstall(version);
  const base = sanitizedParentEnv();
  base.PATH = `${path.dirname(inst.node)}${path.delimiter}${base.PATH || ''}`;
  const defaults = {
    N8N_USER_FOLDER: userFolder,
    N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
    DB_TYPE: 'sqlite',
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_PROTOCOL: 'http',
    N8N_SECURE_COOKIE: 'false',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_HIRING_BANNER_ENABLED: 'false',
    N8N_DYNAMIC_BANNERS_ENABLED: 'false',
    N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
    N8N_PUBLIC_API_DISABLED: 'false',
    N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
    N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
    N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
    N8N_RESTRICT_FILE_ACCESS_TO: path.join(userFolder, 'files'),
    N8N_SSRF_PROTECTION_ENABLED: 'false',
    N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
    N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
    N8N_GIT_NODE_DISABLE_BARE_REPOS: 'true',
    N8N_LOG_LEVEL: 'info',
    N8N_LOG_OUTPUT: 'console',
    EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
    EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
    EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
    GENERIC_TIMEZONE: 'UTC',
    TZ: 'UTC',
    NODE_ENV: 'production',
  };
  if (version === 'v2') {
    Object.assign(defaults, {
      // No Python in the Code node (its runner needs a venv; n8n still logs one warning about it).
      N8N_PYTHON_ENABLED: 'false',
      // Otherwise it fetches https://api.n8n.io/api/mcp-servers at start and logs a stack trace.
      N8N_DISABLED_MODULES: 'mcp-registry',
      N8N_RUNNERS_TASK_TIMEOUT: '300',
    });
  } else {
    Object.assign(defaults, {
      // 1.x defaults to the isolated-vm engine, which needs Node >= 22 (we run 1.x on Node 20).
      N8N_EXPRESSION_ENGINE: 'legacy',
      N8N_RUNNERS_ENABLED: 'true',
      N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
    });
  }
  if (port) {
    defaults.N8N_PORT = String(port);
    // 2.x renamed WEBHOOK_URL (still read, with a deprecation warning) to N8N_WEBHOOK_URL
    defaults[version === 'v2' ? 'N8N_WEBHOOK_URL' : 'WEBHOOK_URL'] = `http://127.0.0.1:${port}/`;
    defaults.N8N_EDITOR_BASE_URL = `http://127.0.0.1:${port}/`;
  }
  if (brokerPort) defaults.N8N_RUNNERS_BROKER_PORT = String(brokerPort);
  applyEnv(base, defaults);
  applyEnv(base, env);
  applyEnv(base, extraEnv);
  fs.mkdirSync(userFolder, { recursive: true });
  if (base.N8N_RESTRICT_FILE_ACCESS_TO) {
    for (const p of base.N8N_RESTRICT_FILE_ACCESS_TO.split(';')) if (p) fs.mkdirSync(p, { recursive: true });
  }
  return base;
}

/* ------------------------------------------------------------------------------------------ */
/* process bookkeeping: never leave n8n (or its task runner) behind                           */

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

/* ------------------------------------------------------------------------------------------ */
/* CLI                                                                                         */

/**
 * Run an n8n CLI command to completion.
 *   n8nCli('v2', ['import:workflow', '--input=wf.json'], { N8N_USER_FOLDER: uf })
 * `env` is merged over the isolation defaults (N8N_USER_FOLDER, or opts.userFolder, is required).
 * Resolves { code, stdout (all output, interleaved), ms }; rejects on a non-zero exit unless
 * opts.allowFailure. A free N8N_RUNNERS_BROKER_PORT is chosen for every call.
 */
async function n8nCli(version, args, env = {}, opts = {}) {
  const userFolder = opts.userFolder || (env && env.N8N_USER_FOLDER);
  const brokerPort = await freePort();
  const fullEnv = buildEnv({ version, userFolder, brokerPort, env, extraEnv: opts.extraEnv });
  const started = Date.now();
  const { child, exited, logs } = spawnN8n(version, args, fullEnv, { logFile: opts.logFile });
  const timeoutMs = opts.timeoutMs ?? 180000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid, 'SIGKILL');
  }, timeoutMs);
  const { code, signal } = await exited;
  clearTimeout(timer);
  const result = { code, signal, stdout: logs(), ms: Date.now() - started };
  if (timedOut || (code !== 0 && !opts.allowFailure)) {
    const what = timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${code ?? signal}`;
    const err = new Error(`n8n ${args.join(' ')} (${version}) ${what}\n${tail(result.stdout)}`);
    // non-enumerable: an uncaught error must not dump the whole log
    for (const [k, v] of Object.entries(result)) Object.defineProperty(err, k, { value: v, enumerable: false });
    throw err;
  }
  return result;
}

/** The last lines of a log, without the ~300 lines of database migrations of a fresh instance. */
function tail(text, lines = 60) {
  return text
    .split('\n')
    .filter((l) => !/^(Starting|Finished) migration /.test(l))
    .slice(-lines)
    .join('\n');
}

/** Write JSON files for an import into a fresh folder of their own; returns that folder. */
function writeImportDir(userFolder, kind, values) {
  const dir = path.join(userFolder, 'e2e-import', `${kind}-${Date.now()}-${crypto.randomBytes(4).toString('hex')}`);
  fs.mkdirSync(dir, { recursive: true });
  values.forEach((v, i) => fs.writeFileSync(path.join(dir, `${kind}-${i}.json`), JSON.stringify(v, null, 2)));
  return dir;
}

/**
 * import:credentials from [{ id, name, type, data }] (plain, unencrypted data) or a file path.
 * Credentials are owned by the instance owner's personal project.
 */
async function importCredentials(version, userFolder, credentials, opts = {}) {
  const list = typeof credentials === 'string' ? null : [].concat(credentials);
  if (list) {
    for (const c of list) {
      if (!c.id || !c.name || !c.type || !c.data) throw new Error('credentials need id, name, type and data');
    }
  }
  const file = list ? path.join(writeImportDir(userFolder, 'credentials', [list]), 'credentials-0.json') : credentials;
  return n8nCli(version, ['import:credentials', `--input=${file}`], { N8N_USER_FOLDER: userFolder }, opts);
}

/**
 * import:workflow from a workflow object, an array of them (one CLI call: --separate), or a
 * file path. Imported workflows are inactive: publishWorkflow() before start, or
 * instance.activateWorkflow() on a running instance.
 */
async function importWorkflow(version, userFolder, workflow, opts = {}) {
  if (typeof workflow === 'string') {
    return n8nCli(version, ['import:workflow', `--input=${workflow}`], { N8N_USER_FOLDER: userFolder }, opts);
  }
  const list = [].concat(workflow);
  for (const wf of list) if (!wf.id) throw new Error('give every workflow a fixed id (needed for execute --id / publish)');
  const dir = writeImportDir(userFolder, 'workflow', list);
  return n8nCli(version, ['import:workflow', '--separate', `--input=${dir}`], { N8N_USER_FOLDER: userFolder }, opts);
}

/**
 * Make an imported workflow active on the next `n8n start`:
 * 2.x `publish:workflow --id`, 1.x `update:workflow --id --active=true`.
 */
async function publishWorkflow(version, userFolder, id, opts = {}) {
  const args = version === 'v2' ? ['publish:workflow', `--id=${id}`] : ['update:workflow', `--id=${id}`, '--active=true'];
  return n8nCli(version, args, { N8N_USER_FOLDER: userFolder }, opts);
}

/**
 * `n8n execute --id=<id> --rawOutput` (first node must be a Manual Trigger or Execute Workflow
 * Trigger). Resolves { ok, run (the IRun JSON, or null), code, stdout, ms }. A failed execution
 * resolves with ok=false (it does not reject) so tests can assert on the error.
 */
async function executeWorkflow(version, userFolder, id, opts = {}) {
  const res = await n8nCli(version, ['execute', `--id=${id}`, '--rawOutput'], { N8N_USER_FOLDER: userFolder }, { ...opts, allowFailure: true });
  const run = extractLastJson(res.stdout);
  const ok = res.code === 0 && !!run && !(run.data && run.data.resultData && run.data.resultData.error);
  return { ok, run, code: res.code, signal: res.signal, stdout: res.stdout, ms: res.ms };
}

/** The last top-level pretty-printed JSON object in mixed log output ("{" ... "}" at column 0). */
function extractLastJson(text) {
  const lines = text.split('\n');
  for (let end = lines.length - 1; end >= 0; end--) {
    if (lines[end].replace(/\r$/, '') !== '}') continue;
    for (let start = end; start >= 0; start--) {
      if (lines[start].replace(/\r$/, '') !== '{') continue;
      try {
        return JSON.parse(lines.slice(start, end + 1).join('\n'));
      } catch {
        /* keep looking further up */
      }
    }
  }
  return null;
}

/** Items a node produced in a run (IRun from execute or execution.data from the public API). */
function nodeOutput(runOrData, nodeName, { output = 0, runIndex = 0 } = {}) {
  const data = runOrData && runOrData.data && runOrData.data.resultData ? runOrData.data : runOrData;
  const runData = data && data.resultData && data.resultData.runData;
  if (!runData || !runData[nodeName]) return undefined;
  const task = runData[nodeName][runIndex];
  if (!task) return undefined;
  if (task.error) return { error: task.error };
  return (task.data && task.data.main && task.data.main[output]) || [];
}

/* ------------------------------------------------------------------------------------------ */
/* community package                                                                            */

/**
 * Place a packed community package (npm pack tarball) where n8n's own community-package
 * installer puts it: <userFolder>/.n8n/nodes/node_modules/<name>, unpacked, with dev/peer/
 * optional dependencies removed from its package.json (n8n does the same, so that no second
 * copy of n8n-workflow is ever installed), and listed in <userFolder>/.n8n/nodes/package.json.
 * n8n loads it on the next start (and in every CLI command) with its real type names,
 * e.g. n8n-nodes-ai-stats.aiStats. Returns { name, version, dir }.
 */
function installPackage(userFolder, tarballPath) {
  if (!fs.existsSync(tarballPath)) throw new Error(`tarball ${tarballPath} not found`);
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-pkg-'));
  try {
    execFileSync('tar', ['-xzf', path.resolve(tarballPath), '-C', staging, '--strip-components=1'], { stdio: 'pipe' });
    const pkgFile = path.join(staging, 'package.json');
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
    if (!/^(@[^/]+\/)?n8n-nodes-/.test(pkg.name)) {
      throw new Error(`n8n only scans packages named n8n-nodes-* or @scope/n8n-nodes-*, got ${pkg.name}`);
    }
    if (pkg.dependencies && Object.keys(pkg.dependencies).length) {
      throw new Error(`${pkg.name} has runtime dependencies (${Object.keys(pkg.dependencies).join(', ')}): installPackage does not install them, and community nodes must not have any`);
    }
    const { devDependencies, peerDependencies, optionalDependencies, ...stripped } = pkg;
    fs.writeFileSync(pkgFile, JSON.stringify(stripped, null, 2));
    for (const f of [...((pkg.n8n && pkg.n8n.nodes) || []), ...((pkg.n8n && pkg.n8n.credentials) || [])]) {
      if (!fs.existsSync(path.join(staging, f))) throw new Error(`${pkg.name}: ${f} listed in package.json "n8n" is not in the tarball`);
    }
    const nodesDir = path.join(userFolder, '.n8n', 'nodes');
    const dest = path.join(nodesDir, 'node_modules', ...pkg.name.split('/'));
    fs.rmSync(dest, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.cpSync(staging, dest, { recursive: true });
    const listFile = path.join(nodesDir, 'package.json');
    let list = { name: 'installed-nodes', private: true, dependencies: {} };
    if (fs.existsSync(listFile)) {
      list = JSON.parse(fs.readFileSync(listFile, 'utf8'));
      list.dependencies = list.dependencies || {};
    }
    list.dependencies[pkg.name] = pkg.version;
    fs.writeFileSync(listFile, JSON.stringify(list, null, 2));
    return { name: pkg.name, version: pkg.version, dir: dest };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/* ------------------------------------------------------------------------------------------ */
/* owner + API key                                                                              */

/** bcrypt hash with the bcryptjs that n8n ships (no dependency of our own). */
function bcryptHash(version, password) {
  const inst = getInstall(version);
  const candidates = [
    path.join(inst.dir, 'node_modules', 'bcryptjs'),
    path.join(inst.dir, 'node_modules', 'n8n', 'node_modules', 'bcryptjs'),
  ];
  const where = candidates.find((p) => fs.existsSync(path.join(p, 'package.json')));
  if (!where) throw new Error(`bcryptjs not found in the n8n ${version} install`);
  const bcrypt = require(where);
  return bcrypt.hashSync(password, 10);
}

const hashCache = new Map();
function ownerEnv(version) {
  if (!hashCache.has(version)) hashCache.set(version, bcryptHash(version, OWNER.password));
  return {
    N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
    N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
    N8N_INSTANCE_OWNER_PASSWORD_HASH: hashCache.get(version),
    N8N_INSTANCE_OWNER_FIRST_NAME: OWNER.firstName,
    N8N_INSTANCE_OWNER_LAST_NAME: OWNER.lastName,
  };
}

async function httpJson(url, { method = 'GET', headers = {}, body, timeoutMs = 30000 } = {}) {
  const res = await fetch(url, {
    method,
    headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/* ------------------------------------------------------------------------------------------ */
/* server                                                                                       */

const TERMINAL_STATUSES = ['success', 'error', 'crashed', 'canceled'];

const READY = {
  start: /Editor is now accessible via/,
  webhook: /Webhook listener waiting for requests/,
  worker: /n8n worker is now ready/,
};

/**
 * Start an isolated n8n process and wait until it is ready.
 *   startN8n({ version: 'v2', userFolder, port?, env?, extraEnv?, command?: 'start'|'webhook'|'worker',
 *              args?: [] (e.g. ['--concurrency=5'] for a worker), owner?: true, readyTimeoutMs?: 180000,
 *              logFile? })
 * Readiness: the process is alive, GET /healthz answers 200 (start, webhook) and the log shows
 * the command's ready line ("Editor is now accessible via" for start).
 * Resolves { url, port, brokerPort, pid, env, startMs, stop(), logs(), waitForLog(re), alive(),
 *            apiKey(), api(path, init), executions(query), execution(id), waitForExecution(pred, opts),
 *            activateWorkflow(id), deactivateWorkflow(id), waitForWebhook(path, opts) }.
 * apiKey() sets the owner up (2.x: N8N_INSTANCE_OWNER_MANAGED_BY_ENV at start; 1.x: POST
 * /rest/owner/setup), logs in and creates a public API key with every scope the owner may have.
 */
async function startN8n(options = {}) {
  const { version = 'v2', userFolder, command = 'start', args = [], owner = true, readyTimeoutMs = 180000, logFile } = options;
  if (!userFolder) throw new Error('startN8n needs userFolder');
  const port = options.port || (await freePort());
  const brokerPort = await freePort();
  const ownerVars = owner && command === 'start' ? (version === 'v2' ? ownerEnv(version) : {}) : {};
  const env = buildEnv({ version, userFolder, port, brokerPort, env: { ...ownerVars, ...(options.env || {}) }, extraEnv: options.extraEnv });
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const { child, exited, logs } = spawnN8n(version, [command, ...args], env, { logFile });

  const instance = {
    version,
    command,
    url,
    port,
    brokerPort,
    pid: child.pid,
    env,
    userFolder,
    logs,
    alive: () => child.exitInfo === null && child.exitCode === null && child.signalCode === null,
    exited,
    startMs: 0,
  };

  instance.waitForLog = async (re, timeoutMs = 30000) => {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      if (re.test(logs())) return;
      if (!instance.alive()) throw new Error(`n8n exited while waiting for ${re}\n${tail(logs())}`);
      await sleep(200);
    }
    throw new Error(`timed out waiting for ${re} in n8n log\n${tail(logs())}`);
  };

  let stopping = null;
  instance.stop = ({ timeoutMs = 20000 } = {}) => {
    if (stopping) return stopping;
    stopping = (async () => {
      if (!groupAlive(child.pid) && !instance.alive()) return instance.exitInfo;
      killGroup(child.pid, 'SIGTERM');
      const t = setTimeout(() => killGroup(child.pid, 'SIGKILL'), timeoutMs);
      const info = await exited;
      clearTimeout(t);
      // the task runner is in the same process group
      for (let i = 0; i < 50 && groupAlive(child.pid); i++) {
        if (i === 10) killGroup(child.pid, 'SIGKILL');
        await sleep(100);
      }
      instance.exitInfo = info;
      return info;
    })();
    return stopping;
  };

  // readiness
  const readyRe = READY[command];
  const needHealth = command === 'start' || command === 'webhook';
  try {
    for (;;) {
      if (!instance.alive()) {
        await exited;
        throw new Error(`n8n ${command} (${version}) exited during start-up (${JSON.stringify(child.exitInfo)})\n${tail(logs(), 80)}`);
      }
      if (Date.now() - started > readyTimeoutMs) {
        throw new Error(`n8n ${command} (${version}) not ready after ${readyTimeoutMs} ms\n${tail(logs(), 80)}`);
      }
      let healthy = !needHealth;
      if (needHealth) {
        try {
          const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
          healthy = r.status === 200;
          await r.text();
        } catch {
          healthy = false;
        }
      }
      if (healthy && (!readyRe || readyRe.test(logs()))) break;
      await sleep(250);
    }
  } catch (err) {
    await instance.stop();
    throw err;
  }
  instance.startMs = Date.now() - started;

  /* ---- owner / API key ---- */
  let apiKeyPromise = null;
  instance.apiKey = () => {
    if (!apiKeyPromise) apiKeyPromise = createApiKey(instance).catch((e) => {
      apiKeyPromise = null;
      throw e;
    });
    return apiKeyPromise;
  };
  instance.api = async (p, init = {}) => {
    const key = await instance.apiKey();
    const res = await httpJson(`${url}/api/v1${p.startsWith('/') ? p : '/' + p}`, {
      ...init,
      headers: { 'X-N8N-API-KEY': key, ...(init.headers || {}) },
    });
    if (res.status >= 400 && !init.allowError) throw new Error(`public API ${p}: HTTP ${res.status} ${res.text.slice(0, 500)}`);
    return res.json;
  };
  /** GET /api/v1/executions (includeData=true by default); resolves the `data` array. */
  instance.executions = async (query = {}) => {
    const q = new URLSearchParams({ includeData: 'true', limit: '100', ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])) });
    const res = await instance.api(`/executions?${q}`);
    return res.data;
  };
  instance.execution = async (id) => instance.api(`/executions/${id}?includeData=true`);
  /** Activate (2.x: publish the current version of) a workflow on the running instance. */
  instance.activateWorkflow = async (id) => instance.api(`/workflows/${id}/activate`, { method: 'POST' });
  instance.deactivateWorkflow = async (id) => instance.api(`/workflows/${id}/deactivate`, { method: 'POST' });
  /**
   * Poll GET /api/v1/executions (with data) until one has a status in `statuses` (default: a
   * terminal one: success, error, crashed, canceled) and pred(execution) is true. Use
   * { statuses: ['waiting'] } for an execution parked by putExecutionToWait, and
   * { query: { workflowId } } to narrow the list.
   */
  instance.waitForExecution = async (pred = () => true, { timeoutMs = 60000, query = {}, statuses = TERMINAL_STATUSES } = {}) => {
    const t0 = Date.now();
    for (;;) {
      const list = await instance.executions(query);
      const hit = list.find((e) => statuses.includes(e.status) && pred(e));
      if (hit) return hit;
      if (Date.now() - t0 > timeoutMs) throw new Error(`no matching execution after ${timeoutMs} ms; have: ${JSON.stringify(list.map((e) => ({ id: e.id, status: e.status, workflowId: e.workflowId })))}`);
      await sleep(300);
    }
  };
  /**
   * Wait until a production webhook path is registered (webhooks register shortly after
   * readiness or activation). Nothing is executed while probing:
   *  - /webhook/... paths are probed with a method the webhook does not use (PATCH, or PUT for
   *    a PATCH webhook): n8n answers 404 "...is not registered." until the path exists and
   *    404 "...not registered for PATCH requests. Did you mean..." after;
   *  - /form/... paths are probed with GET (it only renders the form): 404 page until registered.
   * opts.probe forces a probe method ('GET' then waits for a non-404).
   */
  instance.waitForWebhook = async (p, { method = 'POST', probe, timeoutMs = 30000 } = {}) => {
    const rel = p.startsWith('/') ? p : '/' + p;
    const probeMethod = probe || (/^\/form(-waiting)?\//.test(rel) ? 'GET' : method.toUpperCase() === 'PATCH' ? 'PUT' : 'PATCH');
    const t0 = Date.now();
    for (;;) {
      const r = await fetch(`${url}${rel}`, { method: probeMethod, signal: AbortSignal.timeout(5000) }).catch(() => null);
      const body = r ? await r.text().catch(() => '') : '';
      if (r && (r.status !== 404 || /did you mean/i.test(body))) return;
      if (Date.now() - t0 > timeoutMs) throw new Error(`webhook ${rel} not registered after ${timeoutMs} ms\n${tail(logs())}`);
      await sleep(200);
    }
  };
  return instance;
}

/** Log the owner in (browser-id bound cookie) and create a public API key with every scope allowed. */
async function createApiKey(instance) {
  const { url, version } = instance;
  const headers = { 'browser-id': BROWSER_ID };
  if (version === 'v1') await ensureOwnerV1(instance);
  const login = await httpJson(`${url}/rest/login`, {
    method: 'POST',
    headers,
    body: { emailOrLdapLoginId: OWNER.email, password: OWNER.password },
  });
  if (login.status !== 200) throw new Error(`owner login failed: HTTP ${login.status} ${login.text.slice(0, 300)}`);
  const cookie = (login.headers.getSetCookie ? login.headers.getSetCookie() : [login.headers.get('set-cookie')])
    .filter(Boolean)
    .map((c) => c.split(';')[0])
    .join('; ');
  const auth = { ...headers, cookie };
  const scopesRes = await httpJson(`${url}/rest/api-keys/scopes`, { headers: auth });
  const scopes = scopesRes.status === 200 ? unwrap(scopesRes.json) : undefined;
  const body = { label: `e2e-${Date.now()}`, expiresAt: null };
  if (Array.isArray(scopes)) body.scopes = scopes;
  const created = await httpJson(`${url}/rest/api-keys`, { method: 'POST', headers: auth, body });
  if (created.status !== 200) throw new Error(`API key creation failed: HTTP ${created.status} ${created.text.slice(0, 300)}`);
  const data = unwrap(created.json);
  const key = data.rawApiKey || data.apiKey;
  if (!key || key.includes('*')) throw new Error(`API key creation returned no raw key: ${created.text.slice(0, 300)}`);
  return key;
}

function unwrap(json) {
  return json && typeof json === 'object' && 'data' in json ? json.data : json;
}

/** n8n 1.x has no N8N_INSTANCE_OWNER_MANAGED_BY_ENV: set the owner up through the REST API once. */
async function ensureOwnerV1(instance) {
  const { url } = instance;
  const res = await httpJson(`${url}/rest/owner/setup`, {
    method: 'POST',
    headers: { 'browser-id': BROWSER_ID },
    body: { email: OWNER.email, firstName: OWNER.firstName, lastName: OWNER.lastName, password: OWNER.password },
  });
  if (res.status === 200) return;
  if (res.status === 400 && /already/i.test(res.text)) return; // owner exists (restarted instance)
  throw new Error(`owner setup failed: HTTP ${res.status} ${res.text.slice(0, 300)}`);
}

module.exports = {
  VERSIONS,
  ENCRYPTION_KEY,
  OWNER,
  cacheDir,
  getInstall,
  isInstalled,
  freePort,
  makeUserFolder,
  buildEnv,
  startN8n,
  n8nCli,
  importCredentials,
  importWorkflow,
  publishWorkflow,
  executeWorkflow,
  extractLastJson,
  nodeOutput,
  installPackage,
  bcryptHash,
  ownerEnv,
  httpJson,
};
