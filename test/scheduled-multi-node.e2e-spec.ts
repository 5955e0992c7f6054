import { Client } from 'pg';
import request from 'supertest';
import { chat } from './support/chat';
import { AppNode, startNode } from './support/cluster';
import { createTestDatabase, TestDatabase } from './support/database';
import { auth, createUser } from './support/factories';
import { ClientSocket, connect } from './support/sockets';
import { ADMIN, API, TestApp } from './support/test-app';

const enabled = Boolean(process.env.REDIS_URL && process.env.DATABASE_URL);
const AUTHORS = 3;
/** the most one user may have scheduled */
const PER_AUTHOR = 100;

if (!enabled) {
  describe('scheduled messages on two nodes (skipped: set REDIS_URL and DATABASE_URL to run them)', () => {
    it.skip('needs a Redis server and a PostgreSQL server shared by both nodes', () => undefined);
  });
}

/**
 * Polls `check` until it holds, with a deadline: for state another process writes with no
 * event to wait on (a scheduled row marked sent). Not a sleep before an assertion.
 */
async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves once `socket` has seen `count` distinct messages (by id); keeps every id it saw. */
function collect(socket: ClientSocket, count: number, timeoutMs: number) {
  const ids = new Set<string>();
  const all = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${ids.size} of ${count} messages within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('message:new', (e: { message: { id: string } }) => {
      ids.add(e.message.id);
      if (ids.size < count) return;
      clearTimeout(timer);
      resolve();
    });
  });
  return { ids, all };
}

(enabled ? describe : describe.skip)('scheduled messages on two nodes', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let nodes: AppNode[] = [];
  let sql: Client;
  let socket: ClientSocket | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    env = {
      ...db.env,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_AUTH_PER_MINUTE: '100000',
      RATE_LIMIT_REQUESTS_PER_MINUTE: '100000',
      RATE_LIMIT_MESSAGES_PER_MINUTE: '100000',
    };
    nodes = await Promise.all([startNode(env), startNode(env)]);
    sql = new Client({ connectionString: db.env.DATABASE_URL });
    await sql.connect();
  }, 60_000);

  afterAll(async () => {
    socket?.close();
    await sql?.end();
    await Promise.all(nodes.map((n) => n.stop()));
    await db?.drop();
  });

  it('sends every due message exactly once when a node is killed while they are due', async () => {
    const [n1, n2] = nodes;
    const t1 = { http: () => request(n1.url) } as unknown as TestApp;
    const b = await createUser(t1);
    const authors = await Promise.all(Array.from({ length: AUTHORS }, () => createUser(t1)));
    const conversations = await Promise.all(authors.map((a) => chat(t1).direct(a, b)));
    const sendAt = new Date(Date.now() + 60_000).toISOString();
    const scheduled: { id: string; content: string }[] = [];
    await Promise.all(
      authors.map(async (a, k) => {
        for (let i = 0; i < PER_AUTHOR; i++) {
          const res = await request(i % 2 ? n1.url : n2.url)
            .post(`${API}/conversations/${conversations[k].id}/messages`)
            .set(auth(a.token))
            .send({ content: `scheduled ${k}/${i}`, sendAt })
            .expect(202);
          scheduled.push(res.body);
        }
      }),
    );
    const ids = conversations.map((c) => c.id);

    // b listens on the node that survives; the other node dies once sending has begun
    socket = await connect(n2.url, b.token);
    const firstDelivered = collect(socket, 1, 20_000).all;
    // The outbox: every message committed reaches b, those whose node died before fanning
    // them out too (another node dispatches them once their lease ran out).
    const delivered = collect(socket, AUTHORS * PER_AUTHOR, 60_000);
    void delivered.all.catch(() => undefined); // awaited below; a failure before is reported first
    // Make them due now rather than waiting a minute: both nodes claim them within a second.
    await sql.query(
      `UPDATE scheduled_messages SET send_at = now() WHERE conversation_id = ANY($1::uuid[])`,
      [ids],
    );
    await firstDelivered;
    await n1.crash();
    const { rows: dueAtCrash } = await sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM scheduled_messages WHERE status = 'scheduled'`,
    );
    // the node died while messages were due, not after they had all gone
    expect(dueAtCrash[0].n).toBeGreaterThan(0);
    // and a node restarts, as after a deploy
    const n3 = await startNode(env);
    nodes = [n2, n3];

    const pending = async () => {
      const { rows } = await sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM scheduled_messages WHERE status = 'scheduled'`,
      );
      return rows[0].n;
    };
    // a claim held by the dead node runs out after its lease (3 s), then another node sends
    // it; a message the dead node sent but did not mark is marked by the node that sends again
    await delivered.all;
    await until(async () => (await pending()) === 0, 30_000);

    for (const [k, a] of authors.entries()) {
      const listed = (
        await request(n3.url)
          .get(`${API}/scheduled-messages?limit=100`)
          .set(auth(a.token))
          .expect(200)
      ).body.items as { id: string; status: string; messageId: string | null }[];
      expect(listed).toHaveLength(PER_AUTHOR);
      expect(listed.filter((s) => s.status !== 'sent')).toEqual([]);

      const { rows } = await sql.query<{ client_message_id: string; id: string }>(
        `SELECT client_message_id, id FROM messages WHERE conversation_id = $1`,
        [ids[k]],
      );
      // exactly one message per scheduled item, and nothing else
      expect(rows).toHaveLength(PER_AUTHOR);
      expect(rows.map((r) => r.client_message_id).sort()).toEqual(
        listed.map((s) => `scheduled:${s.id}`).sort(),
      );
      const messageOf = new Map(rows.map((r) => [r.client_message_id, r.id]));
      for (const item of listed) expect(item.messageId).toBe(messageOf.get(`scheduled:${item.id}`));
      const seen = (
        await request(n3.url).get(`${API}/conversations/${ids[k]}`).set(auth(b.token)).expect(200)
      ).body;
      expect(seen.lastSeq).toBe(PER_AUTHOR);
    }
    const { rows: contents } = await sql.query<{ id: string; content: string }>(
      `SELECT id, content FROM messages WHERE conversation_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(contents.map((r) => r.content).sort()).toEqual(scheduled.map((s) => s.content).sort());
    expect([...delivered.ids].sort()).toEqual(contents.map((r) => r.id).sort());
  }, 120_000);
});
