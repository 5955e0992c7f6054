// Issue 4 benchmark: Socket.IO send→deliver latency, maximum sustained persisted throughput and
// memory per idle authenticated socket, for the service and for a bare Socket.IO relay
// (bench/relay-server.mjs) as the baseline. The load comes from separate processes
// (bench/load-worker.mjs), each holding whole pairs of clients, so sender and receiver share a
// clock.
import {
  connectDb,
  cpuMeter,
  createDatabase,
  createDirect,
  createUsers,
  forkWorker,
  inspectorGc,
  intEnv,
  isMain,
  log,
  loginAdmin,
  machineLoad,
  mapLimit,
  ms,
  performance,
  printTable,
  reportProblems,
  request,
  rssKiB,
  runStandalone,
  sleep,
  startApp,
  startRelay,
  summarize,
} from './lib.mjs';

const CLIENTS = Math.max(2, Math.floor(intEnv('BENCH_CLIENTS', 1000) / 2) * 2);
const RATE = intEnv('BENCH_RT_RATE', 1000);
const SECONDS = intEnv('BENCH_RT_SECONDS', 10);
const WORKERS = intEnv('BENCH_WORKERS', 2);
const IDLE_SOCKETS = intEnv('BENCH_IDLE_SOCKETS', 10_000);
const IDLE_WORKERS = intEnv('BENCH_IDLE_WORKERS', 4);
const RAMP = (
  process.env.BENCH_RAMP ??
  '100,200,300,400,600,800,1000,1500,2000,3000,4000,6000,8000,12000,16000,24000,32000'
)
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const STEP_SECONDS = intEnv('BENCH_RAMP_STEP_SECONDS', 4);
// The latency run waits this long after its last send for every ack and delivery, so that its
// percentiles cover every message even when the server falls behind.
const LATENCY_GRACE_SECONDS = intEnv('BENCH_RT_GRACE_SECONDS', 90);
const RAMP_P99_MS = intEnv('BENCH_RAMP_P99_MS', 500);
const RAMP_DRAIN_MS = 1000;

const GOALS = { p99Ratio: 2, throughputRatio: 0.4, idleKiB: 25 };

// ---------------------------------------------------------------------------------------------
// Load worker processes

const forkWorkers = (count, label) =>
  Promise.all(Array.from({ length: count }, (_, i) => forkWorker(`${label}${i}`)));

/** Pairs stay whole inside one worker: sender and receiver time with the same clock. */
function splitPairs(specs, workerCount) {
  const parts = Array.from({ length: workerCount }, () => []);
  for (let pair = 0; pair < specs.length / 2; pair++) {
    parts[pair % workerCount].push(specs[2 * pair], specs[2 * pair + 1]);
  }
  return parts;
}

async function connectAll(workers, url, specs, listen = true) {
  const parts = splitPairs(specs, workers.length);
  const started = performance.now();
  const results = await Promise.all(
    workers.map((w, i) =>
      w.call({ type: 'connect', url, clients: parts[i], listen, concurrency: 100 }),
    ),
  );
  const connected = results.reduce((a, r) => a + r.connected, 0);
  const failed = results.reduce((a, r) => a + r.failed, 0);
  if (failed > 0) {
    throw new Error(
      `${failed} of ${specs.length} sockets failed to connect: ${results.flatMap((r) => r.errors).join('; ')}`,
    );
  }
  return { connected, seconds: (performance.now() - started) / 1000 };
}

const disconnectAll = (workers) => Promise.all(workers.map((w) => w.call({ type: 'disconnect' })));

/** Runs every worker at rate/workers for `seconds` and merges their results. */
async function runLoad(workers, rate, seconds, tag, graceMs = 3000) {
  const results = await Promise.all(
    workers.map((w, i) =>
      w.call({
        type: 'run',
        rate: rate / workers.length,
        durationMs: seconds * 1000,
        graceMs,
        tag: `${tag}w${i}`,
      }),
    ),
  );
  const sum = (key) => results.reduce((a, r) => a + r[key], 0);
  const max = (key) => Math.max(...results.map((r) => r[key]));
  const ackErrors = {};
  for (const r of results)
    for (const [code, n] of Object.entries(r.ackErrors))
      ackErrors[code] = (ackErrors[code] ?? 0) + n;
  const errors = Object.values(ackErrors).reduce((a, n) => a + n, 0);
  const acked = sum('acked');
  return {
    rate,
    sent: sum('sent'),
    acked,
    errors,
    ackErrors,
    delivered: sum('delivered'),
    unanswered: sum('unanswered'),
    undelivered: sum('undelivered'),
    disconnects: sum('disconnects'),
    maxLag: max('maxLag'),
    drainMs: max('drainMs'),
    cpu: max('cpu'),
    throughput: acked / (max('lastMs') / 1000),
    deliver: summarize(results.flatMap((r) => r.deliverLat)),
    ack: summarize(results.flatMap((r) => r.ackLat)),
  };
}

// ---------------------------------------------------------------------------------------------
// Phases

async function latencyAt(workers, tag) {
  const graceMs = LATENCY_GRACE_SECONDS * 1000;
  const warm = await runLoad(workers, RATE, 2, `${tag}warm`, graceMs);
  const r = await runLoad(workers, RATE, SECONDS, `${tag}lat`, graceMs);
  r.warmAcked = warm.acked;
  log(
    `${tag}: ${RATE}/s × ${SECONDS} s: deliver p50 ${ms(r.deliver.p50)} p99 ${ms(r.deliver.p99)} ms, ` +
      `ack p99 ${ms(r.ack.p99)} ms, ${r.acked}/${r.sent} acked, ${r.errors} errors ${JSON.stringify(r.ackErrors)}, ` +
      `${r.undelivered} undelivered, last ack/delivery ${(r.drainMs / 1000).toFixed(1)} s after the last send`,
  );
  return r;
}

/**
 * Offers RAMP rates for STEP_SECONDS each. A step is sustained when every send is acked and
 * delivered, the backlog drains within RAMP_DRAIN_MS of the last send, and delivery p99 stays
 * under RAMP_P99_MS. The ramp stops at the first step that is not, or when the load generator
 * itself could not keep the schedule (then the figure is a lower bound).
 */
async function ramp(workers, tag, settle) {
  const steps = [];
  let best = null;
  let limitedBy = 'end of ramp';
  for (const rate of RAMP) {
    const r = await runLoad(workers, rate, STEP_SECONDS, `${tag}r${rate}`);
    const failures = [];
    if (r.errors > 0) failures.push(`${r.errors} error acks ${JSON.stringify(r.ackErrors)}`);
    if (r.unanswered > 0) failures.push(`${r.unanswered} unacked`);
    if (r.undelivered > 0) failures.push(`${r.undelivered} undelivered`);
    if (r.drainMs > RAMP_DRAIN_MS)
      failures.push(`backlog drained in ${(r.drainMs / 1000).toFixed(1)} s`);
    if (r.deliver.p99 > RAMP_P99_MS) failures.push(`p99 ${ms(r.deliver.p99)} ms`);
    if (r.disconnects > 0) failures.push(`${r.disconnects} disconnects`);
    const generatorLimited = r.maxLag > 250 || r.cpu > 0.95;
    const ok = failures.length === 0;
    steps.push({
      ...r,
      ok,
      note: ok ? (generatorLimited ? 'generator saturated' : 'sustained') : failures.join(', '),
    });
    log(
      `${tag} ramp ${rate}/s: ${ok ? 'sustained' : 'NOT sustained'} ${r.throughput.toFixed(0)} msg/s, ` +
        `deliver p99 ${ms(r.deliver.p99)} ms, drain ${ms(r.drainMs)} ms, generator cpu ${(r.cpu * 100).toFixed(0)}%, ` +
        `schedule lag ${ms(r.maxLag)} ms${ok ? '' : ` (${failures.join(', ')})`}`,
    );
    if (ok && (best === null || r.throughput > best.throughput)) best = r;
    if (!ok) {
      // a generator that could not keep its schedule shares the blame (same cores)
      limitedBy = generatorLimited ? 'server and load generator' : 'server';
      // let a backlog clear before anything else runs
      await settle();
      break;
    }
    if (generatorLimited) {
      limitedBy = 'load generator';
      break;
    }
  }
  return { steps, best, limitedBy };
}

/**
 * RSS of a fresh server process before and after IDLE_SOCKETS idle authenticated sockets, each
 * reading taken after a full garbage collection (so the difference is what the sockets keep,
 * not the garbage their handshakes left), and once more without one.
 */
async function idleMemory(label, start, specsFor) {
  const server = await start();
  const workers = await forkWorkers(IDLE_WORKERS, `${label}-idle`);
  try {
    const specs = specsFor(IDLE_SOCKETS, server);
    // warm the connection path once, so code and pools are in place before the baseline
    await connectAll(workers.slice(0, 1), server.url, specs.slice(0, 200), false);
    await disconnectAll(workers.slice(0, 1));
    await sleep(3000);
    const heapBefore = await server.gcHeap();
    await sleep(500);
    const before = rssKiB(server.pid);
    const { connected, seconds } = await connectAll(workers, server.url, specs, false);
    await sleep(5000);
    const afterNoGc = rssKiB(server.pid);
    const heapAfter = await server.gcHeap();
    await sleep(500);
    const after = rssKiB(server.pid);
    const serverSockets = await server.sockets();
    log(
      `${label}: ${connected} idle sockets in ${seconds.toFixed(1)} s; RSS ${before} → ${after} KiB after GC ` +
        `(${afterNoGc} KiB before it)` +
        (serverSockets === null ? '' : `; server counts ${serverSockets} sockets`),
    );
    await disconnectAll(workers);
    // let the server finish its disconnect handling before it is stopped
    await sleep(3000);
    return {
      connected,
      seconds,
      before,
      after,
      afterNoGc,
      perSocket: (after - before) / connected,
      perSocketNoGc: (afterNoGc - before) / connected,
      heapPerSocket: (heapAfter - heapBefore) / 1024 / connected,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await server.stop();
  }
}

async function metric(app, name) {
  const res = await request(app.url, 'GET', '/metrics');
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(String(res.body));
  return match ? Number(match[1]) : NaN;
}

const appServer = (app) => ({
  pid: app.pid,
  url: app.url,
  gcHeap: () => inspectorGc(app.inspectorUrl),
  sockets: () => metric(app, 'socket_connections'),
  stop: () => app.stop(),
});

/** Waits (up to 2 minutes) until `count` stops changing: the server has worked off its backlog. */
async function settled(count) {
  const deadline = Date.now() + 120_000;
  let last = await count();
  let stableSince = Date.now();
  while (Date.now() < deadline && Date.now() - stableSince < 1500) {
    await sleep(250);
    const now = await count();
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    }
  }
}

async function dbTransactions(db, name) {
  const { rows } = await db.query(
    `SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1`,
    [name],
  );
  return Number(rows[0].n);
}

// ---------------------------------------------------------------------------------------------

export async function realtime() {
  log(
    `realtime benchmark: ${CLIENTS} clients in ${WORKERS} load workers at ${RATE}/s for ${SECONDS} s, ` +
      `ramp ${RAMP.join(',')} (${STEP_SECONDS} s steps), ${IDLE_SOCKETS} idle sockets in ${IDLE_WORKERS} workers`,
  );
  const database = await createDatabase('realtime');
  let app = await startApp({ databaseUrl: database.url, label: 'service (realtime)' });
  const db = await connectDb(database.url);
  const admin = await loginAdmin(app.url);

  let started = performance.now();
  const users = await createUsers(app.url, admin, CLIENTS, 'rt', 16);
  log(
    `registered and verified ${CLIENTS} users in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  started = performance.now();
  const conversations = await mapLimit(
    Array.from({ length: CLIENTS / 2 }, (_, k) => k),
    16,
    (k) => createDirect(app.url, users[2 * k], users[2 * k + 1].id),
  );
  log(
    `created ${CLIENTS / 2} direct conversations in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const appSpecs = users.map((u, i) => ({
    auth: { token: u.token },
    conversationId: conversations[i >> 1].id,
  }));
  const relaySpecs = users.map((u, i) => ({
    auth: { userId: u.id, peerId: users[i ^ 1].id },
    conversationId: conversations[i >> 1].id,
  }));
  const loadAtStart = machineLoad();

  // -- the relay baseline
  const relay = await startRelay();
  let workers = await forkWorkers(WORKERS, 'relay');
  let c = await connectAll(workers, relay.url, relaySpecs);
  log(`relay: ${c.connected} clients connected in ${c.seconds.toFixed(1)} s`);
  const relayLatency = await latencyAt(workers, 'relay');
  const relayRamp = await ramp(workers, 'relay', () => sleep(3000));
  await disconnectAll(workers);
  await Promise.all(workers.map((w) => w.stop()));
  await relay.stop();

  // -- the service
  workers = await forkWorkers(WORKERS, 'app');
  c = await connectAll(workers, app.url, appSpecs);
  log(`service: ${c.connected} clients connected in ${c.seconds.toFixed(1)} s`);
  await sleep(2000);
  const countMessages = async () =>
    Number((await db.query('SELECT count(*) AS n FROM messages')).rows[0].n);
  const messagesBefore = await countMessages();
  const xactBefore = await dbTransactions(db, database.name);
  const meter = await cpuMeter({ pid: app.pid, db, database: database.name });
  const appLatency = await latencyAt(workers, 'service');
  await sleep(1500);
  const cpu = await meter.stop();
  const xactPerMessage = (await dbTransactions(db, database.name)) - xactBefore;
  const ackedInLatency = appLatency.acked + appLatency.warmAcked;
  const cpuPerMessage = Object.fromEntries(
    Object.entries(cpu).map(([name, seconds]) => [name, (seconds * 1000) / ackedInLatency]),
  );
  const cpuTotal = Object.values(cpuPerMessage).reduce((a, v) => a + v, 0);
  const cpuText =
    Object.entries(cpuPerMessage)
      .map(([name, v]) => `${name} ${v.toFixed(3)}`)
      .join(' + ') + ` = ${cpuTotal.toFixed(3)} ms`;
  log(`service CPU per message at ${RATE}/s offered (warm-up included): ${cpuText}`);
  const appRamp = await ramp(workers, 'service', () => settled(countMessages));
  await disconnectAll(workers);
  await Promise.all(workers.map((w) => w.stop()));
  const ackedTotal = ackedInLatency + appRamp.steps.reduce((a, s) => a + s.acked, 0);
  await settled(countMessages);
  const persisted = (await countMessages()) - messagesBefore;
  reportProblems(app);
  await app.stop();

  // -- memory per idle socket: a fresh process each, sockets of the same users (several per user)
  const appIdle = await idleMemory(
    'service',
    async () => {
      app = await startApp({
        databaseUrl: database.url,
        label: 'service (idle sockets)',
        nodeArgs: ['--inspect=127.0.0.1:0'],
      });
      return appServer(app);
    },
    (n) => Array.from({ length: n }, (_, i) => appSpecs[i % appSpecs.length]),
  );
  reportProblems(app);
  const relayIdle = await idleMemory('relay', startRelay, (n) =>
    Array.from({ length: n }, (_, i) => relaySpecs[i % relaySpecs.length]),
  );

  // -- figures
  const ratio = (a, b) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '—');
  const best = (r) =>
    r.best ? `${r.best.throughput.toFixed(0)}${r.limitedBy === 'server' ? '' : '+'}` : '0';
  const p99Ratio = appLatency.deliver.p99 / relayLatency.deliver.p99;
  const tputRatio = (appRamp.best?.throughput ?? 0) / (relayRamp.best?.throughput ?? Infinity);
  const ok = (cond) => (cond ? 'ok' : 'MISSED');
  const rows = [
    ['measure', 'relay', 'service', 'service/relay', 'goal', ''],
    [
      `send→deliver p50, ${RATE}/s offered, ${CLIENTS} clients (ms)`,
      ms(relayLatency.deliver.p50),
      ms(appLatency.deliver.p50),
      ratio(appLatency.deliver.p50, relayLatency.deliver.p50),
      '',
      '',
    ],
    [
      `send→deliver p99, ${RATE}/s offered, ${CLIENTS} clients (ms)`,
      ms(relayLatency.deliver.p99),
      ms(appLatency.deliver.p99),
      ratio(appLatency.deliver.p99, relayLatency.deliver.p99),
      `≤ ${GOALS.p99Ratio}× relay`,
      ok(p99Ratio <= GOALS.p99Ratio),
    ],
    [
      `send→ack p50 / p99 (ms)`,
      `${ms(relayLatency.ack.p50)} / ${ms(relayLatency.ack.p99)}`,
      `${ms(appLatency.ack.p50)} / ${ms(appLatency.ack.p99)}`,
      '',
      '',
      '',
    ],
    [
      `acked / sent, errors, undelivered`,
      `${relayLatency.acked}/${relayLatency.sent}, ${relayLatency.errors}, ${relayLatency.undelivered}`,
      `${appLatency.acked}/${appLatency.sent}, ${appLatency.errors}, ${appLatency.undelivered}`,
      Object.entries(appLatency.ackErrors)
        .map(([code, n]) => `${code}×${n}`)
        .join(' '),
      '',
      '',
    ],
    [
      `max sustained msg/s (ramp, ${STEP_SECONDS} s steps)`,
      best(relayRamp),
      best(appRamp),
      ratio(appRamp.best?.throughput ?? 0, relayRamp.best?.throughput),
      `≥ ${GOALS.throughputRatio}× relay`,
      ok(tputRatio >= GOALS.throughputRatio),
    ],
    [`  limited by`, relayRamp.limitedBy, appRamp.limitedBy, '', '', ''],
    [
      `RSS per idle socket, ${IDLE_SOCKETS} sockets, after GC (KiB)`,
      relayIdle.perSocket.toFixed(1),
      appIdle.perSocket.toFixed(1),
      ratio(appIdle.perSocket, relayIdle.perSocket),
      `≤ ${GOALS.idleKiB} KiB`,
      ok(appIdle.perSocket <= GOALS.idleKiB),
    ],
    [
      `  same, without forcing a GC (KiB)`,
      relayIdle.perSocketNoGc.toFixed(1),
      appIdle.perSocketNoGc.toFixed(1),
      ratio(appIdle.perSocketNoGc, relayIdle.perSocketNoGc),
      '',
      '',
    ],
    [
      `  JS heap kept per idle socket (KiB)`,
      relayIdle.heapPerSocket.toFixed(1),
      appIdle.heapPerSocket.toFixed(1),
      ratio(appIdle.heapPerSocket, relayIdle.heapPerSocket),
      '',
      '',
    ],
  ];
  printTable(
    `realtime benchmark — one service process, PostgreSQL server, ${CLIENTS} socket.io-client connections ` +
      `in ${WORKERS} load processes on the same 2 cores (${loadAtStart} before the runs)`,
    rows,
  );
  const rampRows = [
    [
      'target',
      'offered/s',
      'achieved/s',
      'deliver p50',
      'p99',
      'max',
      'drain ms',
      'gen cpu',
      'verdict',
    ],
  ];
  for (const [label, r] of [
    ['relay', relayRamp],
    ['service', appRamp],
  ]) {
    for (const s of r.steps) {
      rampRows.push([
        label,
        s.rate,
        s.throughput.toFixed(0),
        ms(s.deliver.p50),
        ms(s.deliver.p99),
        ms(s.deliver.max),
        ms(s.drainMs),
        `${(s.cpu * 100).toFixed(0)}%`,
        s.note,
      ]);
    }
  }
  printTable(
    'ramp (sustained: all acked and delivered, backlog drained ≤ 1 s, deliver p99 ≤ ' +
      `${RAMP_P99_MS} ms)`,
    rampRows,
  );
  console.log(
    `service: ${persisted} messages persisted during the runs for ${ackedTotal} acked sends (warm-up included); ` +
      `${(xactPerMessage / Math.max(1, ackedInLatency)).toFixed(1)} database transactions per message sent in the latency run ` +
      `(pg_stat_database, autocommit statements included)`,
  );
  console.log(
    `idle sockets: service RSS ${appIdle.before} → ${appIdle.after} KiB (connect ${appIdle.seconds.toFixed(1)} s), ` +
      `relay RSS ${relayIdle.before} → ${relayIdle.after} KiB (connect ${relayIdle.seconds.toFixed(1)} s); ` +
      `${IDLE_SOCKETS} sockets over ${CLIENTS} users (several devices each)`,
  );

  return [
    [
      `realtime: deliver p99 @${RATE}/s (relay ${ms(relayLatency.deliver.p99)} ms)`,
      `p50 ${ms(appLatency.deliver.p50)} / p99 ${ms(appLatency.deliver.p99)} ms (${ratio(appLatency.deliver.p99, relayLatency.deliver.p99)})`,
      `≤ ${GOALS.p99Ratio}× relay`,
      ok(p99Ratio <= GOALS.p99Ratio),
    ],
    [
      `realtime: max sustained msg/s (relay ${best(relayRamp)})`,
      `${best(appRamp)} (${ratio(appRamp.best?.throughput ?? 0, relayRamp.best?.throughput)})`,
      `≥ ${GOALS.throughputRatio}× relay`,
      ok(tputRatio >= GOALS.throughputRatio),
    ],
    [`realtime: CPU ms per message @${RATE}/s (service + its database)`, cpuText, '', ''],
    [
      `realtime: RSS per idle socket (relay ${relayIdle.perSocket.toFixed(1)} KiB)`,
      `${appIdle.perSocket.toFixed(1)} KiB`,
      `≤ ${GOALS.idleKiB} KiB`,
      ok(appIdle.perSocket <= GOALS.idleKiB),
    ],
  ];
}

if (isMain(import.meta.url)) await runStandalone(realtime);
