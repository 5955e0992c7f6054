// Shared helpers for the benchmarks: databases, the app as a child process, timed HTTP requests,
// percentiles and tables. Everything talks to 127.0.0.1 only.
import { execFileSync, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, URL } from 'node:url';
import pg from 'pg';
import WebSocket from 'ws';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const API = '/api/v1';
export const HOST = '127.0.0.1';

const env = process.env;
export const PG_ADMIN_URL = env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The Redis server a cluster node of a benchmark uses (BENCH_REDIS_URL). */
export const REDIS_SERVER_URL = env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Redis is off unless BENCH_REDIS=1 (a benchmark that needs it passes REDIS_URL itself): the
 *  Socket.IO Redis adapter's pub/sub channel has no prefix, so a bench node would exchange
 *  traffic with other people's test nodes on this Redis. */
export const REDIS_URL = env.BENCH_REDIS === '1' ? REDIS_SERVER_URL : null;

export const intEnv = (name, fallback) => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got ${raw}`);
  return value;
};

export const log = (...args) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args);

// ---------------------------------------------------------------------------------------------
// Clean-up: every resource registers an undo; run.mjs (or a standalone benchmark) runs them all
// on success, failure and SIGINT/SIGTERM. Child processes are also killed on a plain exit.

const cleanups = [];
const children = new Set();

export function onCleanup(fn) {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

export async function cleanupAll() {
  while (cleanups.length > 0) {
    const fn = cleanups.pop();
    try {
      await fn();
    } catch (err) {
      console.error(`clean-up step failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

export function trackChild(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

process.once('exit', () => {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

let signalled = false;
export function installSignalHandlers() {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      if (signalled) return;
      signalled = true;
      console.error(`\n${signal}: cleaning up`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
}

/** Stops a child: SIGTERM, then SIGKILL after a grace period. */
export async function stopChild(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = sleep(graceMs).then(() => 'timeout');
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

// ---------------------------------------------------------------------------------------------
// Databases

async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates a fresh database, registers its drop, and returns its URL. */
export async function createDatabase(label) {
  const name = `bench_${label}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  onCleanup(async () => {
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    log(`dropped database ${name}`);
  });
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  log(`created database ${name}`);
  return { name, url: url.toString() };
}

export async function connectDb(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  onCleanup(() => client.end());
  return client;
}

// ---------------------------------------------------------------------------------------------
// Processes

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in KiB, from /proc. */
export function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]);
}

/**
 * Forks a load generator (a script in bench/ that answers IPC commands with a message of the
 * same type, and says {type: 'ready'} first); `call(msg)` sends a command and answers its reply.
 */
export async function forkWorker(id, script = 'load-worker.mjs') {
  const child = trackChild(
    fork(join(ROOT, 'bench', script), [], {
      env: { ...process.env, BENCH_WORKER_ID: id },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const undo = onCleanup(() => stopChild(child, 2000));
  const waiters = new Map();
  child.on('message', (msg) => {
    const waiter = waiters.get(msg.type);
    if (!waiter) return;
    waiters.delete(msg.type);
    if (msg.error) waiter.reject(new Error(`worker ${id}: ${msg.error}`));
    else waiter.resolve(msg);
  });
  child.on('exit', (code) => {
    for (const waiter of waiters.values())
      waiter.reject(new Error(`worker ${id} exited (${code})`));
    waiters.clear();
  });
  const call = (msg) =>
    new Promise((resolve, reject) => {
      waiters.set(msg.type, { resolve, reject });
      child.send(msg);
    });
  await new Promise((resolve, reject) => {
    waiters.set('ready', { resolve, reject });
  });
  return {
    pid: child.pid,
    call,
    stop: async () => {
      undo();
      await stopChild(child, 2000);
    },
  };
}

/**
 * Starts the bare Socket.IO relay (bench/relay-server.mjs), the baseline without a database;
 * `auth: {userId, peerId}` names a socket's user and the one it sends to.
 */
export async function startRelay() {
  const child = trackChild(
    fork(join(ROOT, 'bench', 'relay-server.mjs'), [], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const undo = onCleanup(() => stopChild(child, 2000));
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`relay exited (${code})`)));
  });
  const memory = (gc) =>
    new Promise((resolve) => {
      const onMessage = (m) => {
        if (m.type !== 'memory') return;
        child.off('message', onMessage);
        resolve(m);
      };
      child.on('message', onMessage);
      child.send({ type: 'memory', gc });
    });
  log(`relay ready on http://127.0.0.1:${port} (pid ${child.pid})`);
  return {
    pid: child.pid,
    url: `http://127.0.0.1:${port}`,
    gcHeap: async () => (await memory(true)).heapUsed,
    sockets: async () => null,
    stop: async () => {
      undo();
      await stopChild(child, 2000);
    },
  };
}

const JWT_SECRET = randomBytes(32).toString('hex');
export const ADMIN = {
  email: 'bench-admin@bench.local',
  password: `bench-${randomBytes(8).toString('hex')}`,
};

/**
 * Starts the built service (`node dist/src/main.js`) against a database, waits until
 * /health/ready answers 200, and collects its warning and error log lines.
 */
/** Extra node flags for every service process, e.g. BENCH_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
const appNodeArgs = (env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean);

export async function startApp({ databaseUrl, extraEnv = {}, label = 'app', nodeArgs = [] }) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-data-'));
  onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  const childEnv = {
    PATH: env.PATH,
    HOME: env.HOME,
    NODE_ENV: 'development',
    PORT: String(port),
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: env.BENCH_LOG_LEVEL ?? 'warn',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET: JWT_SECRET,
    RATE_LIMIT_AUTH_PER_MINUTE: '1000000000',
    RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000000',
    RATE_LIMIT_MESSAGES_PER_MINUTE: '1000000000',
    ...(REDIS_URL ? { REDIS_URL } : {}),
    ...extraEnv,
  };
  const child = trackChild(
    spawn(process.execPath, [...appNodeArgs, ...nodeArgs, 'dist/src/main.js'], {
      cwd: ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const problems = [];
  const tail = [];
  const collect = (stream) => {
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        tail.push(line);
        const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(line);
        if (inspector) app.inspectorUrl = inspector[1];
        if (tail.length > 40) tail.shift();
        const level = /"level":(\d+)/.exec(line);
        // start-up notices about generated development secrets are expected here
        const notice = /was not set: generated one/.test(line);
        if (level && Number(level[1]) >= 40 && !notice && problems.length < 200)
          problems.push(line);
      }
    });
  };
  const app = {
    inspectorUrl: null,
    label,
    child,
    pid: child.pid,
    port,
    url: `http://${HOST}:${port}`,
    problems,
    tail,
    stop: () => stopChild(child),
  };
  collect(child.stdout);
  collect(child.stderr);
  const undo = onCleanup(() => stopChild(child));
  app.stop = async () => {
    undo();
    await stopChild(child);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${label} exited with ${child.exitCode} at start:\n${tail.join('\n')}`);
    }
    try {
      const res = await request(app.url, 'GET', '/health/ready');
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${label} not ready after 60 s:\n${tail.join('\n')}`);
    await sleep(200);
  }
  log(
    `${label} ready on ${app.url} (pid ${child.pid}${childEnv.REDIS_URL ? ', with Redis' : ', no Redis'})`,
  );
  return app;
}

/**
 * Runs a full garbage collection in a process started with `--inspect` (through the inspector
 * protocol) and returns its JS heap use in bytes afterwards.
 */
export async function inspectorGc(wsUrl) {
  const ws = new WebSocket(wsUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let nextId = 1;
  const call = (method) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const onMessage = (data) => {
        const msg = JSON.parse(String(data));
        if (msg.id !== id) return;
        ws.off('message', onMessage);
        if (msg.error) reject(new Error(msg.error.message));
        else resolve(msg.result);
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id, method }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    return (await call('Runtime.getHeapUsage')).usedSize;
  } finally {
    ws.close();
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

export const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

/** The service's own time for a request, from its `Server-Timing: app;dur=<ms>` header. */
function serverTiming(header) {
  const dur = /(?:^|,)\s*app;dur=([\d.]+)/.exec(header ?? '');
  return dur ? Number(dur[1]) : NaN;
}

/**
 * One HTTP request. `ttfb` is the time from sending the request to receiving the response
 * headers (the service renders the whole JSON body before it writes headers, so this is its
 * server time plus loopback and the load generator's own delays), and `server` the time the
 * service measured itself (Server-Timing), in milliseconds.
 */
export function request(base, method, path, { token, body } = {}) {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const started = performance.now();
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        headers,
        agent,
      },
      (res) => {
        const ttfb = performance.now() - started;
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          if ((res.headers['content-type'] ?? '').includes('json') && text.length > 0) {
            try {
              parsed = JSON.parse(text);
            } catch {
              // keep the text
            }
          }
          resolve({
            status: res.statusCode,
            body: parsed,
            ttfb,
            server: serverTiming(res.headers['server-timing']),
            total: performance.now() - started,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** A request that must answer one of `expected`, else throws with the body. */
export async function must(base, method, path, options = {}, expected = [200, 201]) {
  const res = await request(base, method, path, options);
  if (!expected.includes(res.status)) {
    throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  }
  return res.body;
}

/** Runs `fn` over `items` with at most `limit` at a time, keeping order of results. */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}

export async function loginAdmin(base) {
  const res = await must(base, 'POST', `${API}/auth/login`, { body: ADMIN }, [200]);
  return { id: res.user.id, token: res.accessToken };
}

/**
 * Registers `count` users through the API and has the bootstrap admin verify each (as
 * test/support/factories.ts does), `concurrency` at a time.
 */
export async function createUsers(base, admin, count, prefix, concurrency = 16) {
  const runId = randomBytes(3).toString('hex');
  return mapLimit(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const email = `${prefix}-${runId}-${i}@bench.local`;
      const reg = await must(
        base,
        'POST',
        `${API}/auth/register`,
        { body: { email, password: 'password-123', displayName: `${prefix} ${i}` } },
        [201],
      );
      await must(
        base,
        'POST',
        `${API}/admin/users/${reg.user.id}/verify`,
        { token: admin.token },
        [200],
      );
      return { id: reg.user.id, email, token: reg.accessToken };
    },
  );
}

export async function createDirect(base, user, otherId) {
  return must(
    base,
    'POST',
    `${API}/conversations`,
    { token: user.token, body: { type: 'direct', participantIds: [otherId] } },
    [200, 201],
  );
}

// ---------------------------------------------------------------------------------------------
// Figures

/** Nearest-rank percentile of an unsorted array (copied and sorted once per call set). */
export function summarize(values) {
  const sorted = Float64Array.from(values).sort();
  const at = (q) =>
    sorted.length === 0
      ? NaN
      : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const mean = sorted.length === 0 ? NaN : sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    n: sorted.length,
    p50: at(0.5),
    p90: at(0.9),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted.length === 0 ? NaN : sorted[sorted.length - 1],
    mean,
  };
}

export const ms = (v) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : '—');

/** Prints rows (arrays of strings) as an aligned table; the first row is the header. */
export function printTable(title, rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? '').length)));
  const line = (r) => r.map((cell, c) => String(cell ?? '').padEnd(widths[c])).join('  ');
  console.log(`\n${title}`);
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r));
}

/** Prints the service's warning/error log lines, if any (evidence of problems under load). */
export function reportProblems(app) {
  if (app.problems.length === 0) {
    console.log(`\n${app.label}: no warning or error log lines`);
    return;
  }
  console.log(`\n${app.label}: ${app.problems.length} warning/error log line(s); first ones:`);
  for (const line of app.problems.slice(0, 5)) console.log(`  ${line.slice(0, 400)}`);
}

/** The machine's 1-minute load average and core count, to read the figures against. */
export const machineLoad = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${cpus().length} cores`;

export const isMain = (metaUrl) => process.argv[1] && fileURLToPath(metaUrl) === process.argv[1];

/** Runs one benchmark module on its own (node bench/x.mjs), with clean-up. */
export async function runStandalone(fn) {
  installSignalHandlers();
  let code = 0;
  try {
    await fn();
  } catch (err) {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    code = 1;
  } finally {
    await cleanupAll();
    await agentClose();
  }
  process.exit(code);
}

export async function agentClose() {
  agent.destroy();
}

export { performance, sleep };

// ---------------------------------------------------------------------------------------------
// CPU of the processes that serve a run (Linux /proc): the service, its PostgreSQL backends and
// Redis, so that a run reports CPU per message beside its latencies.

const CLK_TCK = 100;

/** CPU seconds (user + system) a process has used so far, or 0 once it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** The PostgreSQL client backends serving a database, but the asking connection. */
async function backendPids(db, database) {
  const { rows } = await db.query(
    `SELECT pid FROM pg_stat_activity
      WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
    [database],
  );
  return rows.map((r) => r.pid);
}

/** PostgreSQL's own processes that work for every database of the server, not one client. */
async function pgAuxPids(db) {
  const { rows } = await db.query(
    `SELECT pid FROM pg_stat_activity
      WHERE backend_type IN ('walwriter', 'checkpointer', 'background writer',
                             'autovacuum launcher', 'autovacuum worker')`,
  );
  return rows.map((r) => r.pid);
}

function redisPid() {
  try {
    return Number(execFileSync('pgrep', ['-o', '-x', 'redis-server'], { encoding: 'utf8' }).trim());
  } catch {
    return null;
  }
}

/**
 * Starts counting the CPU of the processes that serve a run: `pid` (named `name`), the client
 * backends of `database` when `db` is given (read at the start and at the end: backends that
 * came and went between are missed), Redis, with `pgAux` PostgreSQL's shared processes
 * (`pg_aux`: WAL writer, checkpointer, background writer, autovacuum; they work for every
 * database on the server, so callers report them apart), and `others` ({name: pid}, e.g. the
 * load generator). `stop()` answers CPU seconds of each name.
 */
export async function cpuMeter({
  pid,
  name = 'service',
  db = null,
  database = null,
  redis = Boolean(REDIS_URL),
  pgAux = false,
  others = {},
}) {
  const redisServer = redis ? redisPid() : null;
  const before = new Map();
  const read = async () => {
    const pids = { [name]: [pid] };
    if (db && database) pids.postgres = await backendPids(db, database);
    if (redisServer) pids.redis = [redisServer];
    if (db && pgAux) pids.pg_aux = await pgAuxPids(db);
    for (const [other, otherPid] of Object.entries(others)) pids[other] = [otherPid];
    return pids;
  };
  for (const [, list] of Object.entries(await read()))
    for (const p of list) before.set(p, cpuSeconds(p));
  return {
    async stop() {
      const pids = await read();
      const used = {};
      for (const [key, list] of Object.entries(pids)) {
        used[key] = list.reduce((a, p) => a + cpuSeconds(p) - (before.get(p) ?? 0), 0);
      }
      return used;
    },
  };
}

/**
 * CPU seconds the whole machine has been busy (user, nice, system, irq, softirq from
 * /proc/stat; idle, iowait and steal are not work done here): over a run, well above what its
 * counted processes used means something else was running.
 */
export function hostBusySeconds() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 8);
  const [user, nice, system, , , irq, softirq] = f.map(Number);
  return (user + nice + system + (irq || 0) + (softirq || 0)) / CLK_TCK;
}

/**
 * Waits (at most `maxMs`) until the machine is quiet: less than `cores` busy over one second,
 * so that a measurement does not start while the work before it (user registration, the
 * previous target's shutdown) still holds the cores. Answers the busy cores last seen.
 */
export async function quiet({ cores = 0.3, maxMs = 30_000 } = {}) {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const before = hostBusySeconds();
    await sleep(1000);
    const busy = hostBusySeconds() - before;
    if (busy < cores || Date.now() > deadline) return busy;
  }
}
