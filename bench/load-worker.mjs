// A load generator process (child_process.fork): holds socket.io-client connections and, on
// command, sends `message:send` open-loop at a given rate, timing send→ack at the sender and
// send→`message:new` at the receiving client (both in this process, so one clock).
//
// Commands (IPC): connect {url, clients: [{auth, conversationId}], concurrency, listen},
// run {rate, durationMs, graceMs, tag}, disconnect, exit. Each answers with a message of the
// same type plus its results.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { io } from 'socket.io-client';
import { serveCommands } from './worker-commands.mjs';

const workerId = process.env.BENCH_WORKER_ID ?? String(process.pid);
let clients = [];
/** clientMessageId → send time, for messages not yet delivered to the peer */
const pending = new Map();
let current = null;

function onDelivered(payload) {
  const id = payload?.message?.clientMessageId;
  const sentAt = id === undefined ? undefined : pending.get(id);
  if (sentAt === undefined || current === null) return;
  pending.delete(id);
  current.delivered++;
  current.deliverLat.push(performance.now() - sentAt);
}

function connectOne(url, spec, listen) {
  return new Promise((resolve) => {
    const socket = io(`${url}/messaging`, {
      auth: spec.auth,
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 30_000,
    });
    socket.once('connect', () => {
      if (listen) socket.on('message:new', onDelivered);
      resolve({ socket, conversationId: spec.conversationId });
    });
    socket.once('connect_error', (err) => {
      socket.close();
      resolve({ error: err.message });
    });
  });
}

async function connect({ url, clients: specs, concurrency = 100, listen = true }) {
  const started = performance.now();
  const results = new Array(specs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, specs.length) }, async () => {
      while (next < specs.length) {
        const i = next++;
        results[i] = await connectOne(url, specs[i], listen);
      }
    }),
  );
  clients = results.filter((r) => r.socket);
  const errors = results.filter((r) => r.error).map((r) => r.error);
  for (const c of clients) {
    c.socket.on('disconnect', (reason) => {
      if (reason !== 'io client disconnect' && current) current.disconnects++;
    });
  }
  return {
    connected: clients.length,
    failed: errors.length,
    errors: [...new Set(errors)].slice(0, 3),
    ms: performance.now() - started,
  };
}

async function run({ rate, durationMs, graceMs = 3000, tag }) {
  const stats = {
    sent: 0,
    acked: 0,
    ackErrors: {},
    delivered: 0,
    disconnects: 0,
    ackLat: [],
    deliverLat: [],
  };
  current = stats;
  pending.clear();
  const interval = 1000 / rate;
  const total = Math.max(1, Math.round((durationMs / 1000) * rate));
  let maxLag = 0;
  let answered = 0;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  while (stats.sent < total) {
    const elapsed = performance.now() - start;
    const due = Math.min(total, Math.floor(elapsed / interval) + 1);
    while (stats.sent < due) {
      const i = stats.sent++;
      maxLag = Math.max(maxLag, elapsed - i * interval);
      const c = clients[i % clients.length];
      const clientMessageId = `${tag}-${workerId}-${i}`;
      const sentAt = performance.now();
      pending.set(clientMessageId, sentAt);
      c.socket.emit(
        'message:send',
        { conversationId: c.conversationId, content: `bench message ${i}`, clientMessageId },
        (ack) => {
          answered++;
          if (ack?.ok) {
            stats.acked++;
            stats.ackLat.push(performance.now() - sentAt);
          } else {
            const code = ack?.error?.code ?? 'NO_ACK_BODY';
            stats.ackErrors[code] = (stats.ackErrors[code] ?? 0) + 1;
            pending.delete(clientMessageId);
          }
        },
      );
    }
    await sleep(1);
  }
  const issueMs = performance.now() - start;
  const issueCpu = process.cpuUsage(cpuBefore);
  // Drain: every ack and every delivery, or the grace period.
  const drainStart = performance.now();
  while ((answered < stats.sent || pending.size > 0) && performance.now() - drainStart < graceMs) {
    await sleep(5);
  }
  const drainMs = performance.now() - drainStart;
  const lastMs = performance.now() - start;
  current = null;
  const undelivered = pending.size;
  pending.clear();
  return {
    ...stats,
    unanswered: stats.sent - answered,
    undelivered,
    issueMs,
    drainMs,
    lastMs,
    maxLag,
    // share of one core this process used while issuing
    cpu: (issueCpu.user + issueCpu.system) / 1000 / issueMs,
  };
}

async function disconnect() {
  for (const c of clients) c.socket.close();
  const count = clients.length;
  clients = [];
  await sleep(100);
  return { closed: count };
}

serveCommands({ connect, run, disconnect }, () => {
  for (const c of clients) c.socket.close();
});
