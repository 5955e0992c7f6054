// Side-by-side with the ejabberd anchor (../shared/anchors/ejabberd, see its README): in one run
// on the same machine, the service (a cluster node: PostgreSQL and Redis), the bare Socket.IO
// relay (bench/relay-server.mjs) and ejabberd + MAM on PostgreSQL, back to back, under the load
// shape of the anchor's bench.mjs: PAIRS pairs (sender a_i sends only to receiver b_i),
// a warm-up message per pair, phase 1 "offered" (RATE msg/s open loop for DUR s, then a drain of
// ≤ DRAIN_S s) and phase 2 "saturation" (WINDOW messages in flight per sender for DUR s, each
// delivery sends the next). The service and the relay are driven by one generator process
// (bench/anchor-worker.mjs) holding every socket, like the anchor's single Node process.
//
// Knobs (the anchor's names and defaults; BENCH_ANCHOR_<NAME> wins over <NAME>): PAIRS=250,
// RATE=1000, DUR=10, WINDOW=4, DRAIN_S=10, WARMUP=1. BENCH_ANCHOR_DIR: the anchor's directory.
// BENCH_ANCHOR_EJABBERD=0: do not run ejabberd (one anchor node per machine: another one may
// hold its ports), show its recorded run. BENCH_REDIS_URL: the Redis of the service (default
// redis://127.0.0.1:6379). Without ejabberd installed, the run says how to install it and
// shows the anchor's recorded full-shape run, labelled as such, without verdicts.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import {
  REDIS_SERVER_URL,
  ROOT,
  connectDb,
  cpuMeter,
  createDatabase,
  createDirect,
  createUsers,
  forkWorker,
  hostBusySeconds,
  isMain,
  log,
  loginAdmin,
  machineLoad,
  mapLimit,
  ms,
  onCleanup,
  performance,
  printTable,
  quiet,
  reportProblems,
  runStandalone,
  sleep,
  startApp,
  startRelay,
  trackChild,
} from './lib.mjs';

const env = process.env;
function knob(name, fallback) {
  const raw = env[`BENCH_ANCHOR_${name}`] ?? env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be > 0, got ${raw}`);
  return value;
}
const PAIRS = Math.floor(knob('PAIRS', 250));
const RATE = knob('RATE', 1000);
const DUR = knob('DUR', 10);
const WINDOW = Math.floor(knob('WINDOW', 4));
const DRAIN_S = knob('DRAIN_S', 10);
const WARMUP = (env.BENCH_ANCHOR_WARMUP ?? env.WARMUP ?? '1') !== '0';
const SHAPE = `PAIRS=${PAIRS} RATE=${RATE} DUR=${DUR} WINDOW=${WINDOW}`;
/** The shape the goals are set for (and the anchor's recorded run). */
const FULL_SHAPE = 'PAIRS=250 RATE=1000 DUR=10 WINDOW=4';
const ANCHOR_DIR = env.BENCH_ANCHOR_DIR ?? resolve(ROOT, '../shared/anchors/ejabberd');
const ANCHOR_RUN = env.ANCHOR_RUN ?? join(env.TMPDIR || '/tmp', 'anchor-ejabberd-run');
const INSTALL = 'apt-get install -y ejabberd erlang-p1-pgsql';

/** Service vs ejabberd: throughput at least 2×, p99 at RATE at most ejabberd's and 50 ms,
 *  CPU per message (service + its PostgreSQL backends + Redis) at most half of ejabberd's
 *  (beam + its PostgreSQL backends). */
const GOALS = { throughputRatio: 2, p99Ms: 50, cpuRatio: 0.5 };

/** Per target: the CPU per message that counts (in this order) and what is reported apart. */
const CPU_PARTS = {
  service: { counted: ['service', 'postgres', 'redis'], apart: ['gen', 'pg_aux'] },
  relay: { counted: ['relay'], apart: ['gen'] },
  ejabberd: { counted: ['server', 'db'], apart: ['gen', 'db_aux'] },
};
const SHORT = { service: 'node', postgres: 'pg', relay: 'node', server: 'beam', db: 'pg' };

const round = (v, digits = 4) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : null);

// ---------------------------------------------------------------------------------------------
// The service and the relay: one generator process drives the phases; CPU of every process
// from the phase's start to the end of its drain

/**
 * Connects the pairs, warms up, runs the two phases. `meter(genPid)` starts a cpuMeter;
 * `rows()` (optional) counts stored messages, read before and after each phase.
 */
async function drive({ target, url, pairs, meter, rows }) {
  const gen = await forkWorker(`${target}-gen`, 'anchor-worker.mjs');
  try {
    const c = await gen.call({
      type: 'connect',
      url,
      pairs,
      concurrency: 25,
      runTag: `${target[0]}${Date.now().toString(36)}`,
    });
    if (c.failed > 0) {
      throw new Error(`${target}: ${c.failed} sockets failed to connect: ${c.errors.join('; ')}`);
    }
    log(`${target}: ${c.connected} sockets connected in ${c.seconds.toFixed(2)} s`);
    // every target starts on a quiet machine (the service's own set-up registers users)
    const busy = await quiet();
    log(`${target}: ${busy.toFixed(2)} cores busy before the warm-up`);
    if (WARMUP) {
      const w = await gen.call({ type: 'phase', name: 'warmup' });
      log(
        `${target}: warm-up ${w.delivered}/${w.sent} delivered${w.all_delivered ? '' : ' (TIMEOUT)'}`,
      );
      await sleep(300);
    }
    const common = {
      target,
      pairs: PAIRS,
      clients: 2 * PAIRS,
      dur_s: DUR,
      client_lib: 'socket.io-client@4.8.3',
      warmup: WARMUP,
      host_cpus: cpus().length,
    };
    const phase = async (name, params) => {
      const rowsBefore = rows ? await rows() : null;
      const loadavg1m = round(loadavg()[0], 2);
      const m = await meter(gen.pid);
      const host0 = hostBusySeconds();
      const t0 = performance.now();
      const { type: _type, ...r } = await gen.call({ type: 'phase', name, ...params });
      const cpu = await m.stop();
      const host1 = hostBusySeconds();
      const wallS = (performance.now() - t0) / 1000;
      const result = { phase: name, ...common, loadavg_1m_at_start: loadavg1m, ...r };
      result.cpu_s = Object.fromEntries(Object.entries(cpu).map(([k, s]) => [k, round(s, 3)]));
      result.cpu_ms_per_msg = Object.fromEntries(
        Object.entries(cpu).map(([k, s]) => [
          k,
          r.delivered ? round((s * 1000) / r.delivered) : null,
        ]),
      );
      result.host_busy_cores = round((host1 - host0) / wallS, 3);
      if (rows) {
        const added = (await rows()) - rowsBefore;
        result.message_rows = { added, delivered: r.delivered, match: added === r.delivered };
      }
      if (name === 'offered') result.offered_delivered_ratio = round(r.delivered / r.offered);
      console.log(JSON.stringify(result));
      return result;
    };
    const offered = await phase('offered', { rate: RATE, dur: DUR, drainS: DRAIN_S });
    await sleep(1000);
    const saturation = await phase('saturation', { window: WINDOW, dur: DUR, drainS: DRAIN_S });
    await gen.call({ type: 'disconnect' });
    return { offered, saturation };
  } finally {
    await gen.stop();
  }
}

/** Redis for the presence bookkeeping around the service's run. */
async function withRedis(fn) {
  const redis = new Redis(REDIS_SERVER_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

async function runService() {
  const database = await createDatabase('anchor');
  // Users announced by earlier runs (their databases are gone) would have the node's presence
  // safety net look each one up in Redis on every tick, during the phases: start from none.
  const stale = await withRedis(async (redis) => {
    const n = await redis.hlen('presence:announced');
    await redis.del('presence:announced');
    return n;
  });
  log(`Redis ${REDIS_SERVER_URL}: deleted presence:announced (${stale} users announced before)`);
  const app = await startApp({
    databaseUrl: database.url,
    extraEnv: { REDIS_URL: REDIS_SERVER_URL },
    label: 'service (anchor)',
  });
  const db = await connectDb(database.url);
  const admin = await loginAdmin(app.url);
  let started = performance.now();
  const users = await createUsers(app.url, admin, 2 * PAIRS, 'anchor', 16);
  onCleanup(() =>
    withRedis((redis) =>
      redis.hdel(
        'presence:announced',
        users.map((u) => u.id),
      ),
    ),
  );
  log(
    `registered and verified ${2 * PAIRS} users in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  started = performance.now();
  const conversations = await mapLimit(
    Array.from({ length: PAIRS }, (_, i) => i),
    16,
    (i) => createDirect(app.url, users[2 * i], users[2 * i + 1].id),
  );
  log(
    `created ${PAIRS} direct conversations in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const pairs = conversations.map((conversation, i) => ({
    sender: { auth: { token: users[2 * i].token }, conversationId: conversation.id },
    receiver: { auth: { token: users[2 * i + 1].token } },
  }));
  await sleep(1000);
  log(`--- service (${machineLoad()})`);
  try {
    return await drive({
      target: 'service',
      url: app.url,
      pairs,
      meter: (genPid) =>
        cpuMeter({
          pid: app.pid,
          db,
          database: database.name,
          redis: true,
          pgAux: true,
          others: { gen: genPid },
        }),
      rows: async () => Number((await db.query('SELECT count(*) AS n FROM messages')).rows[0].n),
    });
  } finally {
    reportProblems(app);
    await app.stop();
  }
}

async function runRelay() {
  log(`--- relay (${machineLoad()})`);
  const relay = await startRelay();
  const pairs = Array.from({ length: PAIRS }, (_, i) => ({
    sender: { auth: { userId: `a${i}`, peerId: `b${i}` }, conversationId: `relay-${i}` },
    receiver: { auth: { userId: `b${i}`, peerId: `a${i}` } },
  }));
  try {
    return await drive({
      target: 'relay',
      url: relay.url,
      pairs,
      meter: (genPid) =>
        cpuMeter({ pid: relay.pid, name: 'relay', redis: false, others: { gen: genPid } }),
    });
  } finally {
    await relay.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// ejabberd: the anchor's own scripts (fresh.sh, run-bench.sh, stop.sh) and JSON lines

function ejabberdInstalled() {
  try {
    execFileSync('sh', ['-c', 'command -v ejabberdctl'], {
      env: { ...env, PATH: `${env.PATH ?? ''}:/usr/sbin:/sbin` },
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs one of the anchor's scripts in its own process group (so that a clean-up can stop it
 * with everything it started), logging its stdout lines; answers them.
 */
function anchorScript(name, scriptEnv) {
  return new Promise((resolvePromise, reject) => {
    const child = trackChild(
      spawn('bash', [join(ANCHOR_DIR, name)], {
        cwd: ANCHOR_DIR,
        env: scriptEnv,
        stdio: ['ignore', 'pipe', 'inherit'],
        detached: true,
      }),
    );
    const undo = onCleanup(() => {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // gone
        }
      }
    });
    const lines = [];
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        lines.push(line);
        console.log(`[ejabberd ${name}] ${line}`);
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      undo();
      if (buffer) lines.push(buffer);
      if (code === 0) resolvePromise(lines);
      else reject(new Error(`${name} exited with ${code ?? signal}`));
    });
  });
}

const phaseLines = (lines) =>
  lines
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((r) => r.phase === 'offered' || r.phase === 'saturation');

const byPhase = (list) => Object.fromEntries(list.map((r) => [r.phase, r]));

/** The newest results file of the anchor's run directory written since `since` (ms). */
function newestResults(since) {
  const dir = join(ANCHOR_RUN, 'results');
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => ({ f: join(dir, f), t: statSync(join(dir, f)).mtimeMs }))
    .filter((x) => x.t >= since)
    .sort((a, b) => b.t - a.t);
  return files.length > 0 ? readFileSync(files[0].f, 'utf8').split('\n') : [];
}

/** The anchor's recorded full-shape run, for when ejabberd cannot run here. */
function recorded() {
  const dir = join(ANCHOR_DIR, 'recorded');
  const file = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('-p250-r1000-d10-w4.jsonl'))
        .sort()
        .pop()
    : undefined;
  if (!file) return null;
  return { file, ...byPhase(phaseLines(readFileSync(join(dir, file), 'utf8').split('\n'))) };
}

async function runEjabberd() {
  if (!existsSync(join(ANCHOR_DIR, 'run-bench.sh'))) {
    const note = `no ejabberd anchor at ${ANCHOR_DIR} (set BENCH_ANCHOR_DIR)`;
    log(note);
    return { status: 'missing', note };
  }
  const skipped = env.BENCH_ANCHOR_EJABBERD === '0';
  if (skipped || !ejabberdInstalled()) {
    const rec = recorded();
    const note =
      (skipped
        ? 'ejabberd not run (BENCH_ANCHOR_EJABBERD=0)'
        : `ejabberd is not installed here: \`${INSTALL}\` to run the anchor in this benchmark`) +
      (rec
        ? `; showing its run recorded elsewhere (${rec.file}, ${FULL_SHAPE}), not this run`
        : '');
    log(note);
    return rec ? { status: 'recorded', note, ...rec } : { status: 'missing', note };
  }
  log(`--- ejabberd (${machineLoad()})`);
  const scriptEnv = {
    ...env,
    PATH: `${env.PATH ?? ''}:/usr/sbin:/sbin`,
    PAIRS: String(PAIRS),
    RATE: String(RATE),
    DUR: String(DUR),
    WINDOW: String(WINDOW),
    DRAIN_S: String(DRAIN_S),
    WARMUP: WARMUP ? '1' : '0',
  };
  // stopped on the way out whatever happens (stop.sh stops only the node of its pid file)
  const undoStop = onCleanup(() => anchorScript('stop.sh', scriptEnv));
  const since = Date.now();
  try {
    await anchorScript('fresh.sh', scriptEnv);
    const busy = await quiet();
    log(
      `ejabberd: running the anchor's generator (${machineLoad()}, ${busy.toFixed(2)} cores busy)`,
    );
    let phases = phaseLines(await anchorScript('run-bench.sh', scriptEnv));
    if (phases.length === 0) phases = phaseLines(newestResults(since));
    const got = byPhase(phases);
    if (!got.offered || !got.saturation) throw new Error('run-bench.sh gave no phase results');
    return { status: 'live', ...got };
  } catch (err) {
    const note = `ejabberd run failed: ${err instanceof Error ? err.message : String(err)}`;
    log(note);
    return { status: 'failed', note };
  } finally {
    undoStop();
    await anchorScript('stop.sh', scriptEnv).catch((err) => log(`stop.sh: ${err.message}`));
  }
}

// ---------------------------------------------------------------------------------------------
// Figures

/** CPU ms per message of a phase: the counted processes, their sum, and the ones apart. */
function cpuOf(target, r) {
  const per = r?.cpu_ms_per_msg;
  if (!per) return null;
  const { counted, apart } = CPU_PARTS[target];
  const parts = counted.map((k) => [k, per[k] ?? 0]);
  return {
    parts,
    total: parts.reduce((a, [, v]) => a + v, 0),
    apart: apart.map((k) => [k, per[k]]),
  };
}

const f2 = (v) => (Number.isFinite(v) ? v.toFixed(2) : '—');
const f3 = (v) => (Number.isFinite(v) ? v.toFixed(3) : '—');
const bare = (c) =>
  c
    ? (c.parts.length > 1 ? `${c.parts.map(([, v]) => f3(v)).join(' + ')} = ` : '') + f3(c.total)
    : '—';
const named = (c) =>
  c
    ? `${c.parts.map(([k, v]) => `${SHORT[k] ?? k} ${f3(v)}`).join(' + ')}${c.parts.length > 1 ? ` = ${f3(c.total)}` : ''}`
    : '—';
const apartText = (c) => (c ? c.apart.map(([, v]) => f3(v)).join(' / ') : '—');
const lat = (r) =>
  r ? `${ms(r.latency_ms.p50)} / ${ms(r.latency_ms.p95)} / ${ms(r.latency_ms.p99)}` : '—';
const ratio = (a, b) => (Number.isFinite(a / b) && b > 0 ? `${(a / b).toFixed(2)}×` : '—');
const verdict = (cond) => (cond ? 'ok' : 'MISSED');

export async function anchor() {
  log(
    `anchor benchmark: ${SHAPE} DRAIN_S=${DRAIN_S} WARMUP=${WARMUP ? 1 : 0}; service (PostgreSQL + ` +
      `Redis ${REDIS_SERVER_URL}), relay, ejabberd (${ANCHOR_DIR}) back to back`,
  );
  const svc = await runService();
  const relay = await runRelay();
  const ej = await runEjabberd();
  const live = ej.status === 'live';
  const ejOf = (phase) => (ej.status === 'live' || ej.status === 'recorded' ? ej[phase] : null);

  const S = { svc: svc.saturation, relay: relay.saturation, ej: ejOf('saturation') };
  const O = { svc: svc.offered, relay: relay.offered, ej: ejOf('offered') };
  const cpu = {
    sat: {
      svc: cpuOf('service', S.svc),
      relay: cpuOf('relay', S.relay),
      ej: cpuOf('ejabberd', S.ej),
    },
    off: {
      svc: cpuOf('service', O.svc),
      relay: cpuOf('relay', O.relay),
      ej: cpuOf('ejabberd', O.ej),
    },
  };

  // verdicts: only against a live ejabberd; the 50 ms and delivery parts stand on their own
  const tputOk = live
    ? S.svc.delivered_msgs_per_s >= GOALS.throughputRatio * S.ej.delivered_msgs_per_s
    : null;
  const allDelivered = O.svc.delivered === O.svc.offered && O.svc.lost === 0 && O.svc.errors === 0;
  const p99Own = O.svc.latency_ms.p99 !== null && O.svc.latency_ms.p99 <= GOALS.p99Ms;
  const p99Ok = live ? p99Own && O.svc.latency_ms.p99 <= O.ej.latency_ms.p99 : null;
  const cpuOk = (k) => (live ? cpu[k].svc.total <= GOALS.cpuRatio * cpu[k].ej.total : null);
  const show = (v) => (v === null ? '— (no ejabberd)' : verdict(v));
  const offeredVerdict =
    !allDelivered || !p99Own
      ? 'MISSED'
      : live
        ? verdict(p99Ok)
        : `ok ≤ ${GOALS.p99Ms} ms (no ejabberd)`;

  const ejHead =
    ej.status === 'recorded' ? 'ejabberd (RECORDED elsewhere, full shape)' : 'ejabberd';
  const row = (figure, get, ratioText = '', goal = '', v = '') => [
    figure,
    get('svc'),
    get('relay'),
    get('ej'),
    live ? ratioText : '',
    goal,
    v,
  ];
  const rows = [
    ['figure', 'service', 'relay', ejHead, 'service/ejabberd', 'goal', ''],
    row(
      `saturation, ${WINDOW} in flight per sender, ${DUR} s: delivered msg/s`,
      (t) => (S[t] ? f2(S[t].delivered_msgs_per_s) : '—'),
      ratio(S.svc.delivered_msgs_per_s, S.ej?.delivered_msgs_per_s),
      `≥ ${GOALS.throughputRatio}× ejabberd`,
      show(tputOk),
    ),
    row('  latency p50 / p95 / p99 ms', (t) => lat(S[t])),
    row(
      '  CPU ms/msg: node+PG+Redis | node | beam+PG',
      (t) => bare(cpu.sat[t]),
      ratio(cpu.sat.svc?.total, cpu.sat.ej?.total),
      `≤ ${GOALS.cpuRatio}× ejabberd`,
      show(cpuOk('sat')),
    ),
    row('  apart: generator / PG aux CPU ms/msg', (t) => apartText(cpu.sat[t])),
    row(
      `${RATE} msg/s offered, ${DUR} s: delivered / offered`,
      (t) => (O[t] ? `${O[t].delivered}/${O[t].offered}` : '—'),
      '',
      'every message',
      verdict(allDelivered),
    ),
    row('  lost / errors', (t) => (O[t] ? `${O[t].lost} / ${O[t].errors}` : '—')),
    row(
      '  latency p50 / p95 / p99 ms',
      (t) => lat(O[t]),
      `p99 ${ratio(O.svc.latency_ms.p99, O.ej?.latency_ms.p99)}`,
      `p99 ≤ ejabberd, ≤ ${GOALS.p99Ms} ms`,
      offeredVerdict,
    ),
    row(
      '  CPU ms/msg: node+PG+Redis | node | beam+PG',
      (t) => bare(cpu.off[t]),
      ratio(cpu.off.svc?.total, cpu.off.ej?.total),
      `≤ ${GOALS.cpuRatio}× ejabberd`,
      show(cpuOk('off')),
    ),
    row('  apart: generator / PG aux CPU ms/msg', (t) => apartText(cpu.off[t])),
    row('  send lag p99 / max ms', (t) =>
      O[t] ? `${ms(O[t].send_lag_ms.p99)} / ${ms(O[t].send_lag_ms.max)}` : '—',
    ),
    row('1-min load at start / host busy cores (sat.)', (t) =>
      S[t] ? `${S[t].loadavg_1m_at_start} / ${S[t].host_busy_cores ?? '—'}` : '—',
    ),
  ];
  printTable(
    `anchor side-by-side — ${SHAPE}, one generator process each, on the same ${cpus().length} cores` +
      (SHAPE === FULL_SHAPE ? '' : ` (the goals are set for ${FULL_SHAPE})`),
    rows,
  );
  if (ej.status !== 'live') console.log(ej.note);
  if (S.svc.message_rows && O.svc.message_rows) {
    console.log(
      `service: message rows added ${O.svc.message_rows.added} (offered phase) and ` +
        `${S.svc.message_rows.added} (saturation) for ${O.svc.delivered} and ${S.svc.delivered} delivered`,
    );
  }
  console.log(
    'CPU per message of a phase = CPU from its start to the end of its drain ÷ delivered; the ' +
      "generators are not comparable (XML vs JSON), PG aux is shared by every database; ejabberd's " +
      'caveats: its README',
  );

  const ejText = (v) =>
    ej.status === 'live' ? v : ej.status === 'recorded' ? `recorded ${v}` : 'n/a';
  const at = `@${RATE}/s`;
  return [
    [
      `anchor: saturated delivered msg/s, ${SHAPE} (ejabberd ${ejText(f2(S.ej?.delivered_msgs_per_s))}, relay ${f2(S.relay.delivered_msgs_per_s)})`,
      `${f2(S.svc.delivered_msgs_per_s)}${live ? ` (${ratio(S.svc.delivered_msgs_per_s, S.ej.delivered_msgs_per_s)})` : ''}`,
      `≥ ${GOALS.throughputRatio}× ejabberd`,
      show(tputOk),
    ],
    [
      `anchor: ${at} offered, delivered and p99 (ejabberd p99 ${ejText(ms(O.ej?.latency_ms.p99))} ms, relay ${ms(O.relay.latency_ms.p99)} ms)`,
      `${O.svc.delivered}/${O.svc.offered}, ${O.svc.lost} lost, ${O.svc.errors} errors, p50 ${ms(O.svc.latency_ms.p50)} / p99 ${ms(O.svc.latency_ms.p99)} ms`,
      `all delivered, p99 ≤ ejabberd, ≤ ${GOALS.p99Ms} ms`,
      offeredVerdict,
    ],
    [
      `anchor: CPU ms/msg ${at} (ejabberd ${ejText(named(cpu.off.ej))}; relay ${named(cpu.off.relay)})`,
      `${named(cpu.off.svc)}${live ? ` (${ratio(cpu.off.svc.total, cpu.off.ej.total)})` : ''}`,
      `≤ ${GOALS.cpuRatio}× ejabberd`,
      show(cpuOk('off')),
    ],
    [
      `anchor: CPU ms/msg saturated (ejabberd ${ejText(named(cpu.sat.ej))}; relay ${named(cpu.sat.relay)})`,
      `${named(cpu.sat.svc)}${live ? ` (${ratio(cpu.sat.svc.total, cpu.sat.ej.total)})` : ''}`,
      `≤ ${GOALS.cpuRatio}× ejabberd`,
      show(cpuOk('sat')),
    ],
    [
      `anchor: generator CPU ms/msg ${at} / saturated (not in the totals)`,
      `service run ${f3(O.svc.cpu_ms_per_msg.gen)} / ${f3(S.svc.cpu_ms_per_msg.gen)}, relay run ${f3(O.relay.cpu_ms_per_msg.gen)} / ${f3(S.relay.cpu_ms_per_msg.gen)}, ejabberd ${ejText(`${f3(O.ej?.cpu_ms_per_msg.gen)} / ${f3(S.ej?.cpu_ms_per_msg.gen)}`)}`,
      '',
      '',
    ],
  ];
}

if (isMain(import.meta.url)) await runStandalone(anchor);
