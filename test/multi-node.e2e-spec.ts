import request from 'supertest';
import { chat } from './support/chat';
import { AppNode, startNode } from './support/cluster';
import { createTestDatabase, TestDatabase } from './support/database';
import { auth, createUser, TestUser } from './support/factories';
import { call, ClientSocket, connect, waitFor } from './support/sockets';
import { ADMIN, API, TestApp } from './support/test-app';

const enabled = Boolean(process.env.REDIS_URL && process.env.DATABASE_URL);
const GRACE_MS = 500;
const NODE_TTL_MS = 3000;

if (!enabled) {
  describe('two app nodes (skipped: set REDIS_URL and DATABASE_URL to run them)', () => {
    it.skip('needs a Redis server and a PostgreSQL server shared by both nodes', () => undefined);
  });
}

/**
 * A client as API.md describes one: it keeps what it saw, dedupes by message id, and syncs from
 * the version of the last message it has without a gap before it (a skipped seq means a lost
 * event, so the sync must start below it).
 */
class Receiver {
  readonly byId = new Map<string, { clientMessageId: string | null; seq: number }>();
  private readonly versionBySeq = new Map<number, number>();

  take(message: {
    id: string;
    clientMessageId: string | null;
    seq: number;
    version: number;
  }): void {
    this.byId.set(message.id, { clientMessageId: message.clientMessageId, seq: message.seq });
    this.versionBySeq.set(message.seq, message.version);
  }

  get syncFrom(): number {
    let seq = 0;
    while (this.versionBySeq.has(seq + 1)) seq++;
    return seq === 0 ? 0 : this.versionBySeq.get(seq)!;
  }
}

(enabled ? describe : describe.skip)('two app nodes sharing PostgreSQL and Redis', () => {
  let db: TestDatabase;
  let n1: AppNode;
  let n2: AppNode;
  let t1: TestApp;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = {
      ...db.env,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_AUTH_PER_MINUTE: '100000',
      RATE_LIMIT_REQUESTS_PER_MINUTE: '100000',
      RATE_LIMIT_MESSAGES_PER_MINUTE: '100000',
      PRESENCE_GRACE_MS: String(GRACE_MS),
      PRESENCE_NODE_TTL_MS: String(NODE_TTL_MS),
    };
    // Both start at once: migrations and generated secrets must agree across nodes.
    [n1, n2] = await Promise.all([startNode(env), startNode(env)]);
    t1 = { http: () => request(n1.url) } as unknown as TestApp;
  }, 60_000);

  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  afterAll(async () => {
    await Promise.all([n1?.stop(), n2?.stop()]);
    await db?.drop();
  });

  const open = async (node: AppNode, user: TestUser) => {
    const s = await connect(node.url, user.token);
    sockets.push(s);
    return s;
  };

  it('lets clients on different nodes exchange messages, typing, receipts and presence', async () => {
    const [a, b] = await Promise.all([createUser(t1), createUser(t1)]);
    const conversation = await chat(t1).direct(a, b);
    const sb = await open(n2, b);
    const online = waitFor(sb, 'presence', (p) => p.userId === a.id && p.status === 'online');
    const sa = await open(n1, a);
    await online;

    const delivered = waitFor(sb, 'message:new');
    const ack = await call(sa, 'message:send', {
      conversationId: conversation.id,
      content: 'across nodes',
      clientMessageId: 'x1',
    });
    expect((await delivered).message.id).toBe(ack.data.id);

    const reply = waitFor(sa, 'message:new');
    await call(sb, 'message:send', {
      conversationId: conversation.id,
      content: 'and back',
      clientMessageId: 'y1',
    });
    expect((await reply).message.content).toBe('and back');

    const typing = waitFor(sb, 'typing', (p) => p.isTyping);
    await call(sa, 'typing:start', { conversationId: conversation.id });
    expect((await typing).userId).toBe(a.id);

    await call(sa, 'message:send', {
      conversationId: conversation.id,
      content: 'read this',
      clientMessageId: 'x2',
    });
    const receipt = waitFor(sa, 'receipt', (p) => p.kind === 'read');
    await call(sb, 'message:read', { conversationId: conversation.id, upToSeq: 3 });
    expect((await receipt).userId).toBe(b.id);

    const offline = waitFor(
      sb,
      'presence',
      (p) => p.userId === a.id && p.status === 'offline',
      5000,
    );
    sa.close();
    await offline;
    // REST on the other node sees the same presence
    const res = await request(n2.url)
      .get(`${API}/presence?userIds=${a.id}`)
      .set(auth(b.token))
      .expect(200);
    expect(res.body.items[0].status).toBe('offline');
  });

  it('loses and duplicates nothing when a node dies during 2,000 sends', async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => createUser(t1)));
    const [a, b, c, d, e] = users;
    const ab = await chat(t1).direct(a, b);
    const cd = await chat(t1).direct(c, d);
    await chat(t1).direct(a, e);
    // a and d on node 1; b, c and e on node 2, which will die
    const home = new Map<string, AppNode>([
      [a.id, n1],
      [d.id, n1],
      [b.id, n2],
      [c.id, n2],
    ]);
    const live = new Map<string, ClientSocket>();
    const receivers = new Map<string, Receiver>();
    const attach = (user: TestUser, s: ClientSocket) => {
      live.set(user.id, s);
      s.on('message:new', (p: { message: Parameters<Receiver['take']>[0] }) =>
        receivers.get(user.id)!.take(p.message),
      );
    };
    for (const u of [a, b, c, d]) {
      receivers.set(u.id, new Receiver());
      attach(u, await open(home.get(u.id)!, u));
    }
    const se = await open(n2, e);
    const aSocket = live.get(a.id)!;
    // listened for from now on; judged from the moment node 2 dies (below), not from here:
    // how long the sends before the crash take depends on the machine's load
    const eOffline = waitFor(
      aSocket,
      'presence',
      (p) => p.userId === e.id && p.status === 'offline',
      100_000,
    ).then(() => Date.now());

    const acked = new Map<string, Set<string>>(); // conversation → clientMessageIds
    let ackedTotal = 0;
    let crashed = null as Promise<void> | null;
    let crashedAt = 0;
    const reconnects = new Map<string, Promise<void>>();

    /** After a lost connection: connect to the surviving node and sync from the last version seen. */
    const recover = (user: TestUser, conversationId: string) => {
      let pending = reconnects.get(user.id);
      if (!pending) {
        pending = (async () => {
          const s = await open(n1, user);
          attach(user, s);
          const r = receivers.get(user.id)!;
          for (;;) {
            const res = await call(s, 'sync', { since: { [conversationId]: r.syncFrom } });
            for (const m of res.data.changes[conversationId] ?? []) r.take(m);
            if (!res.data.hasMore) break;
          }
        })();
        reconnects.set(user.id, pending);
      }
      return pending;
    };

    const sendAll = async (from: TestUser, conversationId: string, count: number) => {
      for (let i = 0; i < count; i++) {
        const clientMessageId = `${from.id.slice(0, 8)}-${i}`;
        for (;;) {
          const s = live.get(from.id)!;
          try {
            const res = await call(
              s,
              'message:send',
              { conversationId, content: `m${i}`, clientMessageId },
              3000,
            );
            if (!res.ok) throw new Error(JSON.stringify(res.error));
            acked.set(
              conversationId,
              (acked.get(conversationId) ?? new Set()).add(clientMessageId),
            );
            if (++ackedTotal === 600) {
              crashed = n2.crash().then(() => {
                crashedAt = Date.now();
              });
            }
            break;
          } catch {
            // the node died with this send in flight: reconnect elsewhere and retry the same id
            await crashed;
            await recover(from, conversationId);
          }
        }
      }
    };

    await Promise.all([
      sendAll(a, ab.id, 500),
      sendAll(b, ab.id, 500),
      sendAll(c, cd.id, 500),
      sendAll(d, cd.id, 500),
    ]);
    expect(crashed).not.toBeNull();
    await crashed;
    // receivers whose node died recover even if they had nothing left to send
    for (const [user, conversationId] of [
      [b, ab.id],
      [c, cd.id],
    ] as const) {
      if (live.get(user.id)?.connected === false || home.get(user.id) === n2)
        await recover(user, conversationId);
    }
    // a last sync for everyone, as a client does after a gap
    for (const [user, conversationId] of [
      [a, ab.id],
      [b, ab.id],
      [c, cd.id],
      [d, cd.id],
    ] as const) {
      const r = receivers.get(user.id)!;
      for (let round = 0; round < 20; round++) {
        const res = await call(live.get(user.id)!, 'sync', {
          since: { [conversationId]: r.syncFrom },
        });
        for (const m of res.data.changes[conversationId] ?? []) r.take(m);
        if (!res.data.hasMore) break;
      }
    }

    for (const [conversationId, pair] of [
      [ab.id, [a, b]],
      [cd.id, [c, d]],
    ] as const) {
      const history: { seq: number; clientMessageId: string }[] = [];
      let after = 0;
      for (;;) {
        const page = await request(n1.url)
          .get(`${API}/conversations/${conversationId}/messages?afterSeq=${after}&limit=100`)
          .set(auth(pair[0].token))
          .expect(200);
        if (page.body.items.length === 0) break;
        history.push(...page.body.items);
        after = page.body.items[page.body.items.length - 1].seq;
      }
      expect(history.map((m) => m.seq)).toEqual(history.map((_, i) => i + 1));
      const ids = history.map((m) => m.clientMessageId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(history).toHaveLength(1000);
      for (const id of acked.get(conversationId)!) expect(ids).toContain(id);
      for (const receiver of pair) {
        const seen = [...receivers.get(receiver.id)!.byId.values()].map((m) => m.clientMessageId);
        // every message of the conversation reached each side once it synced, none twice
        expect(new Set(seen).size).toBe(seen.length);
        for (const id of ids)
          if (!id.startsWith(receiver.id.slice(0, 8))) expect(seen).toContain(id);
      }
    }

    // e never reconnects: the reaper declares the dead node's user offline, a few TTLs after
    // the node died
    expect((await eOffline) - crashedAt).toBeLessThanOrEqual(NODE_TTL_MS * 4 + GRACE_MS);
    se.close();
    const presence = await request(n1.url)
      .get(`${API}/presence?userIds=${e.id}`)
      .set(auth(a.token))
      .expect(200);
    expect(presence.body.items[0].status).toBe('offline');
  }, 120_000);
});
