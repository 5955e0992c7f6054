// The anchor benchmark's load generator (child_process.fork): one process holding every
// socket.io-client socket of the run, with the load shape of the ejabberd anchor's bench.mjs
// (../shared/anchors/ejabberd): PAIRS pairs, sender a_i sends only to receiver b_i.
//
// Commands (IPC), each answered with a message of the same type:
//   connect {url, pairs: [{sender: {auth, conversationId}, receiver: {auth}}], concurrency}
//     receivers first, so every receiver is there before anything is sent
//   phase {name: 'warmup'} one untimed message per pair
//   phase {name: 'offered', rate, dur, drainS} open loop: message k at t0 + k/rate, round-robin
//     over the pairs, catching up when late, for dur s; then waits ≤ drainS for the deliveries
//   phase {name: 'saturation', window, dur, drainS} each sender keeps `window` in flight: every
//     delivery at the receiver sends the pair's next message, for dur s; then drains
//   disconnect
// A message is delivered when its receiver's socket gets `message:new` with its clientMessageId
// (the sender's own sockets do not listen: the echo to the sender is not a delivery). Send time
// is performance.now() right before emit, in this process, so latencies share one clock.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { io } from 'socket.io-client';
import { serveCommands } from './worker-commands.mjs';
import { summarize } from './lib.mjs';

let senders = [];
let receivers = [];
/** clientMessageId → {sentAt, phase, pair}, until delivered or refused */
const inflight = new Map();
let running = false;
/** counters of the phase running now (also of a warm-up still draining into it: by phase name) */
const phases = new Map();
/** (pair, record, now) on every delivery: phase 2 sends the pair's next message from here */
let onDeliver = null;
const errors = { ackError: {}, disconnect: 0, unknownId: 0, connectError: 0 };
let tag = `${process.pid}`;

function newPhase(name) {
  const st = { seq: 0, sent: 0, acked: 0, delivered: 0, failed: 0, answered: 0, lat: [] };
  phases.set(name, st);
  return st;
}

function send(pair, phase) {
  const st = phases.get(phase);
  const n = st.seq++;
  const clientMessageId = `${tag}-${phase[0]}${pair}-${n}`;
  const { socket, conversationId } = senders[pair];
  const sentAt = performance.now();
  inflight.set(clientMessageId, { sentAt, phase, pair });
  st.sent++;
  socket.emit(
    'message:send',
    { conversationId, content: `load test message number ${n}`, clientMessageId },
    (ack) => {
      st.answered++;
      if (ack?.ok) {
        st.acked++;
        return;
      }
      const code = ack?.error?.code ?? 'NO_ACK_BODY';
      errors.ackError[code] = (errors.ackError[code] ?? 0) + 1;
      // refused: it will not be delivered (like a bounce at the anchor)
      if (inflight.delete(clientMessageId)) st.failed++;
    },
  );
  return sentAt;
}

function onReceived(payload) {
  const now = performance.now();
  const id = payload?.message?.clientMessageId;
  const rec = id === undefined ? undefined : inflight.get(id);
  if (!rec) {
    errors.unknownId++;
    return;
  }
  inflight.delete(id);
  const st = phases.get(rec.phase);
  st.delivered++;
  st.lat.push(now - rec.sentAt);
  if (onDeliver) onDeliver(rec.pair, rec, now);
}

function connectOne(url, auth, listen) {
  return new Promise((resolve) => {
    const socket = io(`${url}/messaging`, {
      auth,
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 30_000,
    });
    socket.once('connect', () => {
      if (listen) socket.on('message:new', onReceived);
      socket.on('disconnect', (reason) => {
        if (running && reason !== 'io client disconnect') errors.disconnect++;
      });
      resolve({ socket });
    });
    socket.once('connect_error', (err) => {
      socket.close();
      resolve({ error: err.message });
    });
  });
}

async function connectList(url, list, listen, concurrency) {
  const results = new Array(list.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, list.length) }, async () => {
      while (next < list.length) {
        const i = next++;
        results[i] = await connectOne(url, list[i].auth, listen);
        results[i].conversationId = list[i].conversationId;
      }
    }),
  );
  return results;
}

async function connect({ url, pairs, concurrency = 25, runTag }) {
  if (runTag) tag = runTag;
  const started = performance.now();
  const r = await connectList(
    url,
    pairs.map((p) => p.receiver),
    true,
    concurrency,
  );
  const s = await connectList(
    url,
    pairs.map((p) => p.sender),
    false,
    concurrency,
  );
  const failed = [...r, ...s].filter((c) => c.error).map((c) => c.error);
  receivers = r;
  senders = s;
  errors.connectError += failed.length;
  running = failed.length === 0;
  return {
    connected: 2 * pairs.length - failed.length,
    failed: failed.length,
    errors: [...new Set(failed)].slice(0, 3),
    seconds: (performance.now() - started) / 1000,
  };
}

async function drain(st, maxMs) {
  const started = performance.now();
  while (st.delivered + st.failed < st.sent && performance.now() - started < maxMs) {
    await sleep(5);
  }
  return st.delivered + st.failed >= st.sent;
}

const round = (v, digits = 3) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : null);
function latStats(values) {
  const s = summarize(values);
  return {
    p50: round(s.p50),
    p95: round(s.p95),
    p99: round(s.p99),
    max: round(s.max),
    mean: round(s.mean),
  };
}

function offered(st, t0, rate, dur) {
  const total = Math.round(rate * dur);
  const lag = [];
  let k = 0;
  let pair = 0;
  return new Promise((resolve) => {
    function tick() {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) / 1000) * rate) + 1);
      while (k < due) {
        const scheduled = t0 + (k * 1000) / rate;
        lag.push(send(pair, 'offered') - scheduled);
        pair = (pair + 1) % senders.length;
        k++;
      }
      if (k < total) setTimeout(tick, Math.max(0, t0 + (k * 1000) / rate - performance.now()));
      else {
        const sendEnd = performance.now();
        resolve({
          rate,
          offered: total,
          offered_rate_actual: round(total / ((sendEnd - t0) / 1000), 1),
          send_lag_ms: latStats(lag),
        });
      }
    }
    tick();
  });
}

async function saturation(st, t0, window, dur) {
  let open = true;
  let inWindow = 0;
  onDeliver = (pair, rec, now) => {
    if (rec.phase !== 'saturation') return;
    if (now - t0 <= dur * 1000) inWindow++;
    if (open) send(pair, 'saturation');
  };
  for (let w = 0; w < window; w++) for (let i = 0; i < senders.length; i++) send(i, 'saturation');
  await sleep(dur * 1000);
  open = false;
  return {
    window,
    sent_in_window: st.sent,
    delivered_in_window: inWindow,
    delivered_msgs_per_s: round(inWindow / dur, 1),
  };
}

async function phase({ name, rate, dur, window, drainS = 10 }) {
  const st = newPhase(name);
  const err0 = JSON.stringify(errors);
  const t0 = performance.now();
  let extra = {};
  if (name === 'warmup') for (let i = 0; i < senders.length; i++) send(i, 'warmup');
  else if (name === 'offered') extra = await offered(st, t0, rate, dur);
  else if (name === 'saturation') extra = await saturation(st, t0, window, dur);
  else throw new Error(`unknown phase ${name}`);
  const drained = await drain(st, (name === 'warmup' ? 10 : drainS) * 1000);
  const t1 = performance.now();
  onDeliver = null;
  const before = JSON.parse(err0);
  const ackErrors = {};
  for (const [code, n] of Object.entries(errors.ackError)) {
    if (n - (before.ackError[code] ?? 0) > 0) ackErrors[code] = n - (before.ackError[code] ?? 0);
  }
  const errorDetail = {
    ack_error: ackErrors,
    disconnect: errors.disconnect - before.disconnect,
    unknown_id: errors.unknownId - before.unknownId,
  };
  const errorCount =
    Object.values(ackErrors).reduce((a, n) => a + n, 0) +
    errorDetail.disconnect +
    errorDetail.unknown_id;
  return {
    ...extra,
    sent: st.sent,
    acked: st.acked,
    unacked: st.sent - st.answered,
    delivered: st.delivered,
    lost: st.sent - st.delivered - st.failed,
    failed: st.failed,
    errors: errorCount,
    error_detail: errorDetail,
    all_delivered: drained,
    latency_ms: latStats(st.lat),
    wall_s: round((t1 - t0) / 1000),
  };
}

async function disconnect() {
  running = false;
  for (const c of [...senders, ...receivers]) c.socket?.close();
  const closed = senders.length + receivers.length;
  senders = [];
  receivers = [];
  inflight.clear();
  await sleep(100);
  return { closed };
}

serveCommands({ connect, phase, disconnect });
