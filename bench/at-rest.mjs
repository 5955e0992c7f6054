// Issue 9 benchmark: what `encryption: "at_rest"` costs. Send latency (POST
// /conversations/:id/messages) and history-page latency (GET …/messages?limit=50) in an at_rest
// conversation against a plain one, and against a second plain one as a control: the difference
// between two identical plain conversations is the noise of the measurement on this machine.
// Everything goes through the REST API; requests go to the three conversations in turn, so a
// change of machine load falls on all three alike.
//
// Server time is measured as time to first byte over HTTP on loopback (the service renders the
// whole JSON body before it writes the headers), with the load generator on the same machine.
import {
  API,
  connectDb,
  createDatabase,
  createUsers,
  intEnv,
  isMain,
  log,
  loginAdmin,
  mapLimit,
  ms,
  must,
  performance,
  printTable,
  reportProblems,
  request,
  runStandalone,
  sleep,
  startApp,
} from './lib.mjs';

// Measured sends per conversation, sequential and again paced at RATE.
const SENDS = intEnv('BENCH_AT_REST_MESSAGES', 1000); // 300 left the p95 to noise (the control moved ±11%)
// Messages sent per conversation before the history pages are read.
const SEED = intEnv('BENCH_AT_REST_SEED_MESSAGES', 1000);
const HISTORY_REQUESTS = intEnv('BENCH_AT_REST_HISTORY_REQUESTS', 1000); // per conversation; fewer left the p95 to noise
const RATE = intEnv('BENCH_AT_REST_RATE', 50); // paced sends per second, all conversations together
const WARMUP = intEnv('BENCH_AT_REST_WARMUP', 20); // unmeasured requests per conversation and kind
const MAX_MINUTES = intEnv('BENCH_AT_REST_MAX_MINUTES', 15);
const REQUEST_TIMEOUT_MS = 30_000;
const PAGE = 50;
const GOAL_PERCENT = 10;

let deadline = Infinity;
function checkDeadline(what) {
  if (Date.now() > deadline) {
    throw new Error(`at-rest benchmark: over BENCH_AT_REST_MAX_MINUTES=${MAX_MINUTES} at ${what}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Message texts: English or Arabic, 20–300 characters (skewed short, as chat is), from a small
// vocabulary with no digits, links or contact details, so that moderation passes them unchanged.

const EN = `the you to and it is for me in my that we on can have this your will with are at so what
just ok thanks tomorrow yes no but know how all when good about send please time now order need
see price here want sure still work done new day week great hello much call delivery address today
again after before really maybe already soon later tonight morning evening available payment
invoice meeting office home apartment contract photo file message question problem help team
project client account transfer receipt discount offer size color small large package shipping
store market street hotel booking ticket flight lunch dinner coffee kitchen table laptop screen
battery charger camera shoes jacket book school class doctor appointment schedule weekend holiday
family friend birthday party gift sorry busy ready waiting arrived coming check confirm cancel
change update repair install clean buy sell cheap expensive quality warranty refund exchange`
  .split(/\s+/)
  .filter(Boolean);
const AR = `في من على إلى أن ما لا هذا مع عن أنا هو نحن شكرا نعم تمام طيب كل بعد قبل الآن اليوم بكرة
ممكن يعني هل لكن جدا مرحبا السلام عليكم الطلب صباح الخير مساء كيف حالك متى كم السعر هنا التوصيل
العنوان الموعد الدفع الفاتورة الأسبوع الساعة لاحقا قريبا الليلة المكتب البيت السيارة الشقة العقد
الصورة الملف الرسالة السؤال المشكلة المساعدة الفريق المشروع العميل الحساب التحويل الخصم العرض
المقاس اللون صغير كبير الشحن المندوب المحل السوق الفندق الحجز التذكرة الغداء العشاء قهوة المطبخ
الشاشة الكتاب الطبيب العائلة هدية مبروك مشغول جاهز وصلت تأكيد إلغاء تغيير جديد الضمان`
  .split(/\s+/)
  .filter(Boolean);

/** mulberry32: a small seeded generator, so every run sends the same texts. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(9);
function text() {
  const words = random() < 0.4 ? AR : EN;
  const target = 20 + Math.floor(280 * random() ** 2);
  let out = '';
  for (;;) {
    const w = words[Math.floor(words.length * random() ** 2)]; // earlier words more often
    if (out.length + 1 + w.length > 300 || (out.length >= 20 && out.length >= target)) return out;
    out = out ? `${out} ${w}` : w;
  }
}

// ---------------------------------------------------------------------------------------------

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer after ${REQUEST_TIMEOUT_MS} ms`)),
      REQUEST_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let sendCount = 0;
const runId = Date.now().toString(36);

/** One send; every answer must be 201. */
async function send(app, user, conversation) {
  const path = `${API}/conversations/${conversation.id}/messages`;
  const res = await withTimeout(
    request(app.url, 'POST', path, {
      token: user.token,
      body: { content: text(), clientMessageId: `${runId}-${sendCount++}` },
    }),
    `POST ${path}`,
  );
  if (res.status !== 201) {
    throw new Error(`POST ${path} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  }
  return res.ttfb;
}

const VOCABULARY = new Set([...EN, ...AR]);

/**
 * One newest history page; it must hold PAGE messages, and (checked once per conversation) their
 * content must be the texts sent, i.e. decrypted in the at_rest conversation.
 */
async function historyPage(app, user, conversation) {
  const path = `${API}/conversations/${conversation.id}/messages?limit=${PAGE}`;
  const res = await withTimeout(
    request(app.url, 'GET', path, { token: user.token }),
    `GET ${path}`,
  );
  if (res.status !== 200 || res.body?.items?.length !== PAGE) {
    throw new Error(`GET ${path} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  }
  if (!conversation.checked) {
    const unreadable = res.body.items.find(
      (m) => !m.content.split(' ').every((w) => VOCABULARY.has(w)),
    );
    if (unreadable) {
      throw new Error(`${conversation.label}: history shows "${unreadable.content.slice(0, 80)}"`);
    }
    conversation.checked = true;
  }
  return res.ttfb;
}

/** `count` rounds of one request per conversation, one at a time; the first `warmup` unrecorded. */
async function sequential(conversations, count, warmup, fire) {
  const samples = conversations.map(() => []);
  for (let round = 0; round < warmup + count; round++) {
    if (round % 20 === 0) checkDeadline('sequential requests');
    for (let c = 0; c < conversations.length; c++) {
      const ttfb = await fire(conversations[c]);
      if (round >= warmup) samples[c].push(ttfb);
    }
  }
  return samples;
}

/**
 * Open loop: request i is issued at start + i/RATE whatever happened to the earlier ones (no
 * coordinated omission), to the conversations in turn; the first `warmup` rounds unrecorded.
 */
async function paced(conversations, count, warmup, fire) {
  const samples = conversations.map(() => []);
  const total = (warmup + count) * conversations.length;
  const interval = 1000 / RATE;
  const inflight = new Set();
  let failure = null;
  let maxInflight = 0;
  let maxLag = 0;
  const start = performance.now();
  for (let i = 0; i < total && failure === null; i++) {
    if (i % 20 === 0) checkDeadline('paced sends');
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    maxLag = Math.max(maxLag, performance.now() - due);
    const c = i % conversations.length;
    const recorded = Math.floor(i / conversations.length) >= warmup;
    const tracked = fire(conversations[c])
      .then(
        (ttfb) => {
          if (recorded) samples[c].push(ttfb);
        },
        (err) => {
          failure ??= err;
        },
      )
      .finally(() => inflight.delete(tracked));
    inflight.add(tracked);
    maxInflight = Math.max(maxInflight, inflight.size);
  }
  await Promise.all(inflight);
  if (failure) throw failure;
  return { samples, maxInflight, maxLag, seconds: (performance.now() - start) / 1000 };
}

/** Nearest-rank percentiles. */
function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) =>
    sorted.length === 0
      ? NaN
      : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return {
    n: sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted[sorted.length - 1],
  };
}

const pct = (value, base) => (value / base - 1) * 100;
const signed = (v) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(1)}%` : '—');
const verdict = (v) => (v < GOAL_PERCENT ? 'ok' : 'MISSED');

export async function atRest() {
  log(
    `at-rest benchmark: ${SEED} messages seeded per conversation, ${SENDS} measured sends per ` +
      `conversation sequential and at ${RATE}/s, ${HISTORY_REQUESTS} history pages per conversation`,
  );
  deadline = Date.now() + MAX_MINUTES * 60_000;
  const database = await createDatabase('at_rest');
  const app = await startApp({ databaseUrl: database.url, label: 'service (at-rest)' });
  const db = await connectDb(database.url);
  const admin = await loginAdmin(app.url);
  const [alice, bob] = await createUsers(app.url, admin, 2, 'atrest', 2);

  // Three direct conversations of the same two users (a context id each): plain, plain again as
  // the control, and at_rest.
  const conversations = [];
  for (const [label, encryption] of [
    ['plain', 'none'],
    ['plain (control)', 'none'],
    ['at_rest', 'at_rest'],
  ]) {
    const created = await must(
      app.url,
      'POST',
      `${API}/conversations`,
      {
        token: alice.token,
        body: {
          type: 'direct',
          participantIds: [bob.id],
          contextId: `bench-${label.replace(/\W+/g, '-')}`,
          encryption,
        },
      },
      [201],
    );
    if (created.encryption !== encryption) {
      throw new Error(`conversation ${label} has encryption ${created.encryption}`);
    }
    conversations.push({ label, encryption, id: created.id });
  }
  const [plain, control, atRestConversation] = conversations;

  // Seed through the API, both users taking turns, the conversations in parallel.
  let started = performance.now();
  await mapLimit(
    Array.from({ length: SEED * conversations.length }, (_, i) => i),
    conversations.length,
    async (i) => {
      if (i % 100 === 0) checkDeadline('seeding');
      const c = conversations[i % conversations.length];
      await send(app, Math.floor(i / conversations.length) % 2 === 0 ? alice : bob, c);
    },
  );
  log(
    `seeded ${SEED} messages in each of ${conversations.length} conversations through the API in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  // What is stored: at_rest rows are ciphertext (base64, no spaces), plain rows are not.
  const { rows: stored } = await db.query(
    `SELECT conversation_id, count(*)::int AS n, count(*) FILTER (WHERE encrypted)::int AS encrypted,
            count(*) FILTER (WHERE content LIKE '% %')::int AS with_spaces,
            count(*) FILTER (WHERE search_vector IS NOT NULL)::int AS indexed,
            round(avg(octet_length(content))) AS avg_bytes
       FROM messages WHERE conversation_id = ANY($1::uuid[]) AND type = 'text'
      GROUP BY conversation_id`,
    [conversations.map((c) => c.id)],
  );
  for (const c of conversations) {
    const s = stored.find((r) => r.conversation_id === c.id);
    const ok =
      c.encryption === 'at_rest'
        ? s.encrypted === s.n && s.with_spaces === 0 && s.indexed === 0
        : s.encrypted === 0 && s.indexed === s.n;
    log(
      `  ${c.label}: ${s.n} rows, ${s.encrypted} encrypted, ${s.indexed} in the search index, ` +
        `${s.avg_bytes} bytes of content on average`,
    );
    if (!ok) throw new Error(`the ${c.label} conversation is not stored as expected`);
  }

  log(`sends, sequential: ${WARMUP} + ${SENDS} per conversation`);
  started = performance.now();
  const seqSends = await sequential(conversations, SENDS, WARMUP, (c) => send(app, alice, c));
  log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  log(`sends, paced at ${RATE}/s: ${WARMUP} + ${SENDS} per conversation`);
  const pacedSends = await paced(conversations, SENDS, WARMUP, (c) => send(app, bob, c));
  log(
    `  done in ${pacedSends.seconds.toFixed(1)} s, max in flight ${pacedSends.maxInflight}, ` +
      `max schedule lag ${ms(pacedSends.maxLag)} ms`,
  );

  log(`history pages (limit ${PAGE}): ${WARMUP} + ${HISTORY_REQUESTS} per conversation`);
  started = performance.now();
  const pages = await sequential(conversations, HISTORY_REQUESTS, WARMUP, (c) =>
    historyPage(app, bob, c),
  );
  log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const measures = [
    ['send, sequential', seqSends],
    [`send, paced at ${RATE}/s`, pacedSends.samples],
    [`history page (limit ${PAGE})`, pages],
  ];
  const latency = [
    ['measure (TTFB over loopback, ms)', 'conversation', 'n', 'p50', 'p95', 'p99', 'max'],
  ];
  const overhead = [
    [
      'measure',
      'at_rest vs plain: p50',
      'p95',
      'p99',
      'control vs plain: p50',
      'p95',
      'p99',
      'goal',
      '',
    ],
  ];
  const summary = [];
  for (const [name, samples] of measures) {
    const s = samples.map(percentiles);
    conversations.forEach((c, i) =>
      latency.push([
        i === 0 ? name : '',
        c.label,
        s[i].n,
        ms(s[i].p50),
        ms(s[i].p95),
        ms(s[i].p99),
        ms(s[i].max),
      ]),
    );
    const [p, k, e] = [
      s[conversations.indexOf(plain)],
      s[conversations.indexOf(control)],
      s[conversations.indexOf(atRestConversation)],
    ];
    const extra = { p50: pct(e.p50, p.p50), p95: pct(e.p95, p.p95), p99: pct(e.p99, p.p99) };
    const noise = { p50: pct(k.p50, p.p50), p95: pct(k.p95, p.p95), p99: pct(k.p99, p.p99) };
    const judged = Math.max(extra.p50, extra.p95);
    overhead.push([
      name,
      signed(extra.p50),
      signed(extra.p95),
      signed(extra.p99),
      signed(noise.p50),
      signed(noise.p95),
      signed(noise.p99),
      `< ${GOAL_PERCENT}% (p50, p95)`,
      verdict(judged),
    ]);
    summary.push([
      `at_rest: ${name}`,
      `p50 ${ms(e.p50)} (${signed(extra.p50)}) / p95 ${ms(e.p95)} (${signed(extra.p95)}) ms; control ${signed(noise.p50)} / ${signed(noise.p95)}`,
      `< ${GOAL_PERCENT}% extra`,
      verdict(judged),
    ]);
  }
  printTable(
    `at-rest benchmark — latency per conversation (${SEED}+ messages each; PostgreSQL server, ` +
      `2 cores shared with the load generator)`,
    latency,
  );
  printTable(
    'at_rest overhead against the plain conversation, and the control (a second plain ' +
      'conversation) against it: the noise floor of these figures',
    overhead,
  );
  reportProblems(app);
  await app.stop();
  return summary;
}

if (isMain(import.meta.url)) await runStandalone(atRest);
