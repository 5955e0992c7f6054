// Issue 3 benchmark: history pages, the conversation list and sends over REST, against a
// PostgreSQL server seeded with BENCH_MESSAGES messages in one conversation and
// BENCH_CONVERSATIONS conversations for one user.
//
// Server time is what the service reports in each response's Server-Timing header (from the
// request reaching its middleware to the start of the answer), and is what the goals judge.
// Time to first byte over loopback is shown beside it: it adds the network stack and the load
// generator's own delays, which share the machine's 2 cores.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  API,
  ROOT,
  connectDb,
  createDatabase,
  createDirect,
  createUsers,
  intEnv,
  isMain,
  log,
  loginAdmin,
  mapLimit,
  ms,
  performance,
  printTable,
  reportProblems,
  request,
  runStandalone,
  sleep,
  startApp,
  summarize,
} from './lib.mjs';

const MESSAGES = intEnv('BENCH_MESSAGES', 1_000_000);
const CONVERSATIONS = intEnv('BENCH_CONVERSATIONS', 1000);
// Other users' conversations, so that the tables and the planner's statistics look like a
// shared database rather than one user's (without them the owner holds half of every table).
const BACKGROUND = intEnv('BENCH_BACKGROUND_CONVERSATIONS', 20_000);
const PEERS = intEnv('BENCH_PEERS', 20);
const REQUESTS = intEnv('BENCH_REQUESTS', 500);
const WARMUP = intEnv('BENCH_WARMUP_REQUESTS', 30);
const SEND_RATE = intEnv('BENCH_SEND_RATE', 500);
const SEND_SECONDS = intEnv('BENCH_SEND_SECONDS', 10);
// A lighter send load as well, to tell the cost of one send from queueing behind others.
const SEND_LOW_RATE = intEnv('BENCH_SEND_LOW_RATE', 100);
const SEND_LOW_SECONDS = intEnv('BENCH_SEND_LOW_SECONDS', 5);
const SEED_CHUNK = 100_000;
const PAGE = 50;

const GOALS = { history: 10, list: 20, send: 15 };

// The queries as written in src/messages/messages.repository.ts `before()` and
// src/conversations/conversations.repository.ts `listForUser()` (first page, no cursor).
// The column list is read from the repository, so the plan's row width follows it; the WHERE and
// ORDER BY are copied and checked against the source (checkCopiedSql).
const COPIED_MESSAGE_COLUMNS = `id, conversation_id, seq, version, sender_id, client_message_id, type, content, language,
  direction, system_event, reply_to_message_id, thread_root_id, reply_count, moderation, edited_at,
  deleted_at, created_at`;
const MESSAGE_COLUMNS =
  /const COLUMNS = `([^`]+)`/.exec(
    readFileSync(join(ROOT, 'src/messages/messages.repository.ts'), 'utf8'),
  )?.[1] ?? COPIED_MESSAGE_COLUMNS;
/** The service's history statements (MessagesRepository.history): newest page, and older. */
const M_COLUMNS = MESSAGE_COLUMNS.split(',')
  .map((c) => `m.${c.trim()}`)
  .join(', ');
const WITH_SENDERS = `SELECT ${M_COLUMNS}, u.display_name AS sender_display_name,
  u.avatar_url AS sender_avatar_url, u.locale AS sender_locale,
  u.verification_status AS sender_verification_status
  FROM messages m LEFT JOIN users u ON u.id = m.sender_id`;
const FLOOR = `(SELECT v.visible_after_seq FROM conversation_participants v
  WHERE v.conversation_id = $1 AND v.user_id = $2 AND v.status = 'active')`;
const HISTORY_NEWEST_SQL = `${WITH_SENDERS}
  WHERE m.conversation_id = $1 AND m.seq > ${FLOOR} ORDER BY m.seq DESC LIMIT $3`;
const HISTORY_BEFORE_SQL = `${WITH_SENDERS}
  WHERE m.conversation_id = $1 AND m.seq > ${FLOOR} AND m.seq < $3 ORDER BY m.seq DESC LIMIT $4`;
const CONVERSATION = `c.id, c.type, c.title, c.context_id, c.encryption, c.allow_file_sharing, c.created_by,
  c.created_at, c.updated_at, c.last_seq, c.last_version, c.last_activity`;
const PARTICIPANT = `p.conversation_id, p.user_id, p.role, p.status, p.invited_at, p.joined_at, p.visible_after_seq,
  p.cleared_seq, p.last_read_seq, p.last_delivered_seq, p.archived_at, p.muted, p.muted_until`;
const VIEWER_COLUMNS = PARTICIPANT.split(',')
  .map((c) => c.trim())
  .map((c) => `${c} AS p_${c.slice(2)}`)
  .join(', ');
const LIST_SQL = `SELECT ${CONVERSATION}, ${VIEWER_COLUMNS}
         FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
        WHERE p.user_id = $1 AND (p.archived_at IS NOT NULL) = $2
          AND (p.cleared_seq IS NULL OR c.last_seq > p.cleared_seq)
          
        ORDER BY c.last_activity DESC, c.id DESC
        LIMIT $3`;

/** Warns when the repository SQL no longer contains what this benchmark copied. */
function checkCopiedSql() {
  const squash = (s) => s.replace(/\s+/g, ' ');
  const checks = [
    [
      'src/messages/messages.repository.ts',
      'WHERE m.conversation_id = $1 AND m.seq > ${floor} ORDER BY m.seq DESC LIMIT $3',
    ],
    [
      'src/messages/messages.repository.ts',
      'WHERE m.conversation_id = $1 AND m.seq > ${floor} AND m.seq < $3 ORDER BY m.seq DESC LIMIT $4',
    ],
    [
      'src/conversations/conversations.repository.ts',
      'WHERE p.user_id = $1 AND (p.archived_at IS NOT NULL) = $2 AND (p.cleared_seq IS NULL OR c.last_seq > p.cleared_seq) ${keyset} ORDER BY c.last_activity DESC, c.id DESC LIMIT $3',
    ],
  ];
  for (const [file, fragment] of checks) {
    if (!squash(readFileSync(join(ROOT, file), 'utf8')).includes(squash(fragment))) {
      console.log(
        `WARNING: the query copied from ${file} has changed there; update bench/history.mjs`,
      );
    }
  }
}

/** Sends the direct key the service computes (src/conversations/conversations.service.ts). */
const directKeyPrefix = (a, b) => `${[a, b].sort().join(':')}:`;

async function seedBigConversation(db, conversationId, a, b) {
  const { rows } = await db.query(
    `SELECT last_seq, last_version FROM conversations WHERE id = $1`,
    [conversationId],
  );
  const baseSeq = Number(rows[0].last_seq);
  const baseVersion = Number(rows[0].last_version);
  const started = performance.now();
  for (let from = 1; from <= MESSAGES; from += SEED_CHUNK) {
    const to = Math.min(MESSAGES, from + SEED_CHUNK - 1);
    await db.query(
      `INSERT INTO messages (conversation_id, seq, version, sender_id, type, content, language, direction, created_at)
       SELECT $1::uuid, $2::bigint + g, $3::bigint + g,
              CASE WHEN g % 2 = 0 THEN $4::uuid ELSE $5::uuid END, 'text',
              'Message ' || g || ': about the order, the delivery date and the invoice, see you tomorrow',
              'en', 'ltr', now() - ($6::bigint - g) * interval '1 second'
         FROM generate_series($7::bigint, $8::bigint) AS g`,
      [conversationId, baseSeq, baseVersion, a, b, MESSAGES, from, to],
    );
    log(`  seeded ${to.toLocaleString('en')} / ${MESSAGES.toLocaleString('en')} messages`);
  }
  const lastSeq = baseSeq + MESSAGES;
  await db.query(
    `UPDATE conversations
        SET last_seq = $2, last_version = $3, last_message_at = now(), updated_at = now(),
            last_activity = nextval('conversation_activity_seq')
      WHERE id = $1`,
    [conversationId, lastSeq, baseVersion + MESSAGES],
  );
  await db.query(
    `UPDATE conversation_participants
        SET last_read_seq = $2, last_delivered_seq = $2
      WHERE conversation_id = $1`,
    [conversationId, lastSeq],
  );
  return { lastSeq, seconds: (performance.now() - started) / 1000 };
}

/**
 * CONVERSATIONS direct conversations between `owner` and the peers (one per context id, as a
 * marketplace makes one per listing), three messages each, the owner with two unread.
 */
async function seedConversations(db, owner, peers) {
  const started = performance.now();
  const keys = peers.map((p) => directKeyPrefix(owner.id, p.id));
  await db.query(
    `INSERT INTO conversations (type, context_id, created_by, direct_key, last_seq, last_version,
                                last_message_at, created_at, updated_at)
     SELECT 'direct', 'job:' || g, ($2::uuid[])[1 + g % $4], ($3::text[])[1 + g % $4] || 'job:' || g, 3, 3,
            now() - ($1 - g) * interval '1 minute', now() - interval '30 days', now()
       FROM generate_series(1, $1) AS g
      ORDER BY g`,
    [CONVERSATIONS, peers.map((p) => p.id), keys, peers.length],
  );
  const seeded = `SELECT id, created_by AS peer_id, substr(context_id, 5)::int AS g
                    FROM conversations WHERE context_id LIKE 'job:%'`;
  await db.query(
    `INSERT INTO conversation_participants (conversation_id, user_id, role, status, joined_at,
                                            invited_at, last_read_seq, last_delivered_seq)
     SELECT s.id, u.user_id, 'member', 'active', now() - interval '30 days', now() - interval '30 days',
            CASE WHEN u.user_id = $1::uuid THEN 1 ELSE 3 END, 3
       FROM (${seeded}) s
       CROSS JOIN LATERAL (VALUES ($1::uuid), (s.peer_id)) AS u(user_id)`,
    [owner.id],
  );
  await db.query(
    `INSERT INTO messages (conversation_id, seq, version, sender_id, type, content, language, direction, created_at)
     SELECT s.id, n, n, CASE WHEN n = 2 THEN $1::uuid ELSE s.peer_id END, 'text',
            'Hello, is job ' || s.g || ' still available? message ' || n, 'en', 'ltr',
            now() - ($2 - s.g) * interval '1 minute' - (3 - n) * interval '1 second'
       FROM (${seeded}) s CROSS JOIN generate_series(1, 3) AS n`,
    [owner.id, CONVERSATIONS],
  );
  return (performance.now() - started) / 1000;
}

/** BACKGROUND direct conversations between pairs of peers, one message each. */
async function seedBackground(db, peers) {
  const started = performance.now();
  const pairs = `SELECT g, ($2::uuid[])[1 + g % $3] AS a,
                        ($2::uuid[])[1 + (g % $3 + 1 + (g / $3) % ($3 - 1)) % $3] AS b
                   FROM generate_series(1, $1) AS g`;
  await db.query(
    `INSERT INTO conversations (type, context_id, created_by, direct_key, last_seq, last_version,
                                last_message_at, created_at, updated_at)
     SELECT 'direct', 'bg:' || g, a,
            CASE WHEN a::text COLLATE "C" < b::text COLLATE "C" THEN a || ':' || b ELSE b || ':' || a END
              || ':bg:' || g,
            1, 1, now() - interval '40 days' + g * interval '1 second', now() - interval '40 days', now()
       FROM (${pairs}) AS x ORDER BY g`,
    [BACKGROUND, peers.map((p) => p.id), peers.length],
  );
  await db.query(
    `INSERT INTO conversation_participants (conversation_id, user_id, status, joined_at, last_read_seq, last_delivered_seq)
     SELECT c.id, u.user_id, 'active', c.created_at, 1, 1
       FROM conversations c
       CROSS JOIN LATERAL (VALUES (c.created_by), (CAST(split_part(c.direct_key, ':', CASE WHEN split_part(c.direct_key, ':', 1) = c.created_by::text THEN 2 ELSE 1 END) AS uuid))) AS u(user_id)
      WHERE c.context_id LIKE 'bg:%'`,
  );
  await db.query(
    `INSERT INTO messages (conversation_id, seq, version, sender_id, type, content, language, direction, created_at)
     SELECT id, 1, 1, created_by, 'text', 'Hi, about ' || context_id, 'en', 'ltr', last_message_at
       FROM conversations WHERE context_id LIKE 'bg:%'`,
  );
  return (performance.now() - started) / 1000;
}

/** The service's time for a request (Server-Timing); a response without it fails the run. */
function serverTime(res) {
  if (!Number.isFinite(res.server)) throw new Error('the service sent no Server-Timing header');
  return res.server;
}

/** `count` sequential requests after `WARMUP` unmeasured ones; every answer must be 200. */
async function timeRequests(app, path, token, count, check) {
  const server = [];
  const ttfb = [];
  for (let i = 0; i < WARMUP + count; i++) {
    const res = await request(app.url, 'GET', path, { token });
    if (res.status !== 200)
      throw new Error(`GET ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    if (i === 0) check(res.body);
    if (i >= WARMUP) {
      server.push(serverTime(res));
      ttfb.push(res.ttfb);
    }
  }
  return { ...summarize(server), ttfb: summarize(ttfb) };
}

/**
 * Open loop: request i is issued at start + i/rate whatever happened to the earlier ones, so a
 * slow server cannot slow the offered load down (no coordinated omission).
 */
async function openLoop(rate, durationMs, fire) {
  const interval = 1000 / rate;
  const total = Math.round((durationMs / 1000) * rate);
  const inflight = new Set();
  let issued = 0;
  let maxLag = 0;
  let maxInflight = 0;
  const start = performance.now();
  while (issued < total) {
    const elapsed = performance.now() - start;
    const due = Math.min(total, Math.floor(elapsed / interval) + 1);
    while (issued < due) {
      maxLag = Math.max(maxLag, elapsed - issued * interval);
      const p = fire(issued).finally(() => inflight.delete(p));
      inflight.add(p);
      maxInflight = Math.max(maxInflight, inflight.size);
      issued++;
    }
    await sleep(1);
  }
  const issuedMs = performance.now() - start;
  await Promise.all(inflight);
  return { issued, issuedMs, doneMs: performance.now() - start, maxLag, maxInflight };
}

async function measureSends(app, senders, runId, rate, seconds) {
  const server = [];
  const ttfb = [];
  const statuses = new Map();
  const fire = (recording) => async (i) => {
    const s = senders[i % senders.length];
    const res = await request(
      app.url,
      'POST',
      `${API}/conversations/${s.conversationId}/messages`,
      {
        token: s.token,
        body: {
          content: `bench send number ${i}, see you tomorrow`,
          clientMessageId: `${runId}-${recording}-${i}`,
        },
      },
    );
    if (recording) {
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 201) {
        server.push(serverTime(res));
        ttfb.push(res.ttfb);
      }
    }
  };
  await openLoop(rate, 2000, fire(false)); // warm-up, not recorded
  const run = await openLoop(rate, seconds * 1000, fire(true));
  return { ...summarize(server), ttfb: summarize(ttfb), ...run, statuses };
}

async function explain(db, title, sql, params) {
  const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  const plan = rows.map((r) => r['QUERY PLAN']);
  console.log(`\n-- EXPLAIN (ANALYZE, BUFFERS): ${title}`);
  for (const line of plan) console.log(line);
  return plan.join('\n');
}

function planVerdict(plan, wanted) {
  const uses = wanted.filter((name) => plan.includes(name));
  const seqScans = [...plan.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]);
  const sorts = (plan.match(/Sort Method: ([^\n]+)/g) ?? []).map((s) => s.trim());
  return [
    uses.length > 0 ? `index: ${uses.join(', ')}` : 'no expected index',
    seqScans.length > 0 ? `SEQ SCAN on ${seqScans.join(', ')}` : 'no seq scan',
    sorts.length > 0 ? sorts.join('; ') : 'no sort',
  ].join(' · ');
}

const verdict = (value, goal) => (value <= goal ? 'ok' : 'MISSED');

export async function history() {
  log(
    `history benchmark: ${MESSAGES.toLocaleString('en')} messages, ${CONVERSATIONS} conversations, ` +
      `${REQUESTS} requests per page kind, sends at ${SEND_RATE}/s for ${SEND_SECONDS} s`,
  );
  checkCopiedSql();
  const database = await createDatabase('history');
  const app = await startApp({ databaseUrl: database.url, label: 'service (history)' });
  const db = await connectDb(database.url);
  const admin = await loginAdmin(app.url);

  const started = performance.now();
  const [owner, other, ...peers] = await createUsers(app.url, admin, 2 + PEERS, 'hist', 8);
  const big = await createDirect(app.url, owner, other.id);
  log(
    `created ${2 + PEERS} users and the big conversation in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const bgSeconds = await seedBackground(db, peers);
  log(`seeded ${BACKGROUND} conversations between other users in ${bgSeconds.toFixed(1)} s`);
  const convSeconds = await seedConversations(db, owner, peers);
  log(`seeded ${CONVERSATIONS} conversations for one user in ${convSeconds.toFixed(1)} s`);
  const seed = await seedBigConversation(db, big.id, owner.id, other.id);
  log(`seeded ${MESSAGES.toLocaleString('en')} messages in ${seed.seconds.toFixed(1)} s`);
  const vacuumStart = performance.now();
  await db.query('VACUUM ANALYZE conversations, conversation_participants, messages, users');
  // the seed's dirty pages are written now, not by the checkpointer during the measurements
  await db.query('CHECKPOINT');
  log(
    `VACUUM ANALYZE and CHECKPOINT in ${((performance.now() - vacuumStart) / 1000).toFixed(1)} s`,
  );

  const beforeSeq = Math.max(1, seed.lastSeq - Math.round(MESSAGES * 0.9));
  const depth = seed.lastSeq - beforeSeq;
  const historyPath = `${API}/conversations/${big.id}/messages?limit=${PAGE}`;
  const expectPage = (firstSeq) => (body) => {
    if (body.items.length !== PAGE || body.items[0].seq !== firstSeq) {
      throw new Error(
        `unexpected history page: ${body.items.length} items, first seq ${body.items[0]?.seq}`,
      );
    }
  };
  const newest = await timeRequests(
    app,
    historyPath,
    owner.token,
    REQUESTS,
    expectPage(seed.lastSeq),
  );
  log(`history (newest) p50 ${ms(newest.p50)} ms p99 ${ms(newest.p99)} ms`);
  const deep = await timeRequests(
    app,
    `${historyPath}&beforeSeq=${beforeSeq}`,
    owner.token,
    REQUESTS,
    expectPage(beforeSeq - 1),
  );
  log(`history (depth ${depth}) p50 ${ms(deep.p50)} ms p99 ${ms(deep.p99)} ms`);
  const list = await timeRequests(
    app,
    `${API}/conversations?limit=${PAGE}`,
    owner.token,
    REQUESTS,
    (body) => {
      if (body.items.length !== PAGE || body.items[0].id !== big.id || body.nextCursor === null) {
        throw new Error(`unexpected conversation list page: ${body.items.length} items`);
      }
    },
  );
  log(`conversation list p50 ${ms(list.p50)} ms p99 ${ms(list.p99)} ms`);

  const planNewest = await explain(db, 'history, newest page', HISTORY_NEWEST_SQL, [
    big.id,
    owner.id,
    PAGE,
  ]);
  const planDeep = await explain(db, `history, beforeSeq=${beforeSeq}`, HISTORY_BEFORE_SQL, [
    big.id,
    owner.id,
    beforeSeq,
    PAGE,
  ]);
  const planList = await explain(db, 'conversation list, first page', LIST_SQL, [
    owner.id,
    false,
    PAGE,
  ]);

  // Senders: every peer in one of their conversations with the owner, and the other user in the
  // big conversation: PEERS + 1 users and conversations.
  const { rows: peerConversations } = await db.query(
    `SELECT DISTINCT ON (created_by) id, created_by FROM conversations
      WHERE context_id LIKE 'job:%' ORDER BY created_by, id`,
  );
  const tokenOf = new Map(peers.map((p) => [p.id, p.token]));
  const senders = [
    { token: other.token, conversationId: big.id },
    ...peerConversations.map((c) => ({ token: tokenOf.get(c.created_by), conversationId: c.id })),
  ];
  await mapLimit(senders, 4, async (s) => {
    const res = await request(app.url, 'GET', `${API}/conversations/${s.conversationId}`, {
      token: s.token,
    });
    if (res.status !== 200) throw new Error(`sender cannot see its conversation: ${res.status}`);
  });
  log(
    `sending at ${SEND_RATE}/s over ${senders.length} users/conversations (2 s warm-up + ${SEND_SECONDS} s)`,
  );
  const runId = Date.now().toString(36);
  const low = await measureSends(app, senders, `${runId}l`, SEND_LOW_RATE, SEND_LOW_SECONDS);
  log(`send at ${SEND_LOW_RATE}/s: p50 ${ms(low.p50)} ms p99 ${ms(low.p99)} ms`);
  const send = await measureSends(app, senders, runId, SEND_RATE, SEND_SECONDS);
  const statusText = [...send.statuses].map(([s, n]) => `${s}×${n}`).join(' ');
  log(`send at ${SEND_RATE}/s: p50 ${ms(send.p50)} ms p99 ${ms(send.p99)} ms (${statusText})`);

  const line = (name, r, goal) => [
    name,
    r.n,
    ms(r.p50),
    ms(r.p90),
    ms(r.p99),
    ms(r.max),
    `${ms(r.ttfb.p50)} / ${ms(r.ttfb.p99)}`,
    goal === undefined ? '' : `≤ ${goal}`,
    goal === undefined ? '' : verdict(r.p99, goal),
  ];
  const rows = [
    [
      'measure (server time, ms)',
      'n',
      'p50',
      'p90',
      'p99',
      'max',
      'TTFB p50 / p99',
      'goal p99',
      '',
    ],
    line('history, newest page (limit 50)', newest, GOALS.history),
    line(
      `history, depth ${depth.toLocaleString('en')} (beforeSeq=${beforeSeq})`,
      deep,
      GOALS.history,
    ),
    line(`conversation list (limit 50 of ${CONVERSATIONS + 1})`, list, GOALS.list),
    line(`send at ${SEND_LOW_RATE}/s offered (for comparison)`, low),
    line(`send at ${SEND_RATE}/s offered, ${senders.length} senders`, send, GOALS.send),
  ];
  printTable(
    `history benchmark — ${MESSAGES.toLocaleString('en')} messages in one conversation, ` +
      `${CONVERSATIONS} conversations for one user, PostgreSQL server, 2 cores shared with the load generator`,
    rows,
  );
  console.log(
    `send: ${send.issued} issued in ${(send.issuedMs / 1000).toFixed(2)} s ` +
      `(${(send.issued / (send.issuedMs / 1000)).toFixed(0)}/s), last answer after ${(send.doneMs / 1000).toFixed(2)} s ` +
      `(${(send.issued / (send.doneMs / 1000)).toFixed(0)} sends/s completed), answers ${statusText}, ` +
      `max schedule lag ${ms(send.maxLag)} ms, max in flight ${send.maxInflight}`,
  );
  console.log('plans:');
  console.log(`  history newest: ${planVerdict(planNewest, ['messages_seq_key'])}`);
  console.log(`  history deep:   ${planVerdict(planDeep, ['messages_seq_key'])}`);
  console.log(
    `  list:           ${planVerdict(planList, ['conversation_participants_user_idx', 'conversations_pkey'])}`,
  );
  reportProblems(app);
  await app.stop();

  return rows
    .slice(1)
    .filter((r) => r[7] !== '')
    .map((r) => [
      `history: ${r[0]}`,
      `server p50 ${r[2]} / p99 ${r[4]} ms (TTFB ${r[6]})`,
      `p99 ${r[7]} ms`,
      r[8],
    ]);
}

if (isMain(import.meta.url)) await runStandalone(history);
