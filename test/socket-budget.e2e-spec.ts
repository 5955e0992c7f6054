import { chat } from './support/chat';
import { createUser, TestUser } from './support/factories';
import { call, ClientSocket, connect } from './support/sockets';
import { startTestApp, TestApp } from './support/test-app';
import { MessagesRepository } from '../src/messages/messages.repository';

const BUDGET = 6;

describe('socket events: a budget for every event, and a batched sync (issue 16)', () => {
  let t: TestApp;
  const sockets: ClientSocket[] = [];
  const open = async (user: TestUser, app = t) => {
    const s = await connect(app.url, user.token);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_SOCKET_EVENTS_PER_MINUTE: String(BUDGET) });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(() => t.close());

  it('counts typing, receipts, presence and sync against one per-user budget, then answers 429 with retryAfterMs', async () => {
    const [a, b] = [await createUser(t), await createUser(t)];
    const conversationId = (await chat(t).direct(a, b)).id;
    const [s1, s2] = [await open(a), await open(a)];
    const events: [ClientSocket, string, object][] = [
      [s1, 'typing:start', { conversationId }],
      [s2, 'typing:stop', { conversationId }],
      [s1, 'message:delivered', { conversationId, upToSeq: 0 }],
      [s2, 'message:read', { conversationId, upToSeq: 0 }],
      [s1, 'presence:set', { status: 'away' }],
      [s2, 'sync', { since: {} }],
    ];
    for (const [socket, event, payload] of events) {
      const res = await call(socket, event, payload);
      expect({ event, ok: res.ok }).toEqual({ event, ok: true });
    }
    for (const [socket, event, payload] of events) {
      const res = await call(socket, event, payload);
      expect(res).toEqual({
        ok: false,
        error: {
          statusCode: 429,
          code: 'RATE_LIMITED',
          message: expect.any(String),
          details: expect.objectContaining({ retryAfterMs: expect.any(Number) }),
        },
      });
      expect(res.error.details.retryAfterMs).toBeGreaterThan(0);
      expect(res.error.details.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
    // message:send keeps its own limit
    const sent = await call(s1, 'message:send', {
      conversationId,
      content: 'still allowed',
      clientMessageId: 'budget-1',
    });
    expect(sent.ok).toBe(true);
    // another user's budget is untouched
    const other = await open(b);
    expect((await call(other, 'typing:start', { conversationId })).ok).toBe(true);
  });

  it('counts refused payloads too, and disconnects a socket that keeps flooding', async () => {
    const user = await createUser(t);
    const s = await open(user);
    const disconnected = new Promise<string>((resolve) => s.once('disconnect', resolve));
    const acks: { ok: boolean; error?: { code: string } }[] = [];
    for (let i = 0; i < BUDGET + 30 && s.connected; i++) {
      acks.push(
        await call(s, 'typing:start', { conversationId: 'not-a-uuid' }).catch(() => ({
          ok: false,
        })),
      );
    }
    expect(acks.slice(0, BUDGET).every((a) => a.error?.code === 'VALIDATION_FAILED')).toBe(true);
    expect(acks[BUDGET].error?.code).toBe('RATE_LIMITED');
    expect(await disconnected).toBe('io server disconnect');
    expect(acks.length).toBeLessThanOrEqual(BUDGET + 22);
  });

  it('runs sync over many conversations as one statement, with the same answer per conversation', async () => {
    const [a, b] = [await createUser(t), await createUser(t)];
    await chat(t).autoAccept(b);
    const ids: string[] = [];
    const sent = new Map<string, string[]>();
    for (let i = 0; i < 12; i++) {
      const { id } = await chat(t).group(a, [b], `g${i}`);
      ids.push(id);
      const messages = [];
      for (let k = 0; k < (i % 3) + 1; k++)
        messages.push((await chat(t).send(a, id, `m${i}.${k}`)).id);
      sent.set(id, messages);
    }
    const known = Object.fromEntries(ids.map((id) => [id, 0]));
    const repository = t.app.get(MessagesRepository);
    const single = jest.spyOn(repository, 'changes');
    const batched = jest.spyOn(repository, 'changesOf');
    try {
      const s = await open(b);
      const res = await call(s, 'sync', { since: known });
      expect(res.ok).toBe(true);
      expect(single).not.toHaveBeenCalled();
      expect(batched).toHaveBeenCalledTimes(1);
      expect(Object.keys(res.data.changes).sort()).toEqual([...ids].sort());
      for (const id of ids) {
        const changes = res.data.changes[id] as { id: string; version: number; content: string }[];
        // the group's system messages, then the messages, oldest first
        expect(changes.filter((m) => sent.get(id)!.includes(m.id)).map((m) => m.id)).toEqual(
          sent.get(id),
        );
        const versions = changes.map((m) => m.version);
        expect([...versions].sort((x, y) => x - y)).toEqual(versions);
      }
      expect(res.data.hasMore).toBe(false);
    } finally {
      single.mockRestore();
      batched.mockRestore();
    }
  });

  // last: a second node on the same database ensures the admin again, ending its sessions
  const withRedis = process.env.REDIS_URL ? it : it.skip;
  withRedis(
    'shares the budget across nodes through Redis (runs only when REDIS_URL is set)',
    async () => {
      const user = await createUser(t);
      const second = await startTestApp(
        { RATE_LIMIT_SOCKET_EVENTS_PER_MINUTE: String(BUDGET) },
        t.db,
      );
      try {
        const [s1, s2] = [await open(user), await open(user, second)];
        for (let i = 0; i < BUDGET; i++) {
          const res = await call(i % 2 ? s1 : s2, 'presence:set', { status: 'online' });
          expect(res.ok).toBe(true);
        }
        // each node adds its counts to Redis within RateLimiter's SYNC_MS, and learns the
        // other's as it does: twice round, so that both know both
        for (const node of [t, second, t]) await node.drain();
        expect((await call(s2, 'presence:set', { status: 'online' })).error.code).toBe(
          'RATE_LIMITED',
        );
        expect((await call(s1, 'presence:set', { status: 'online' })).error.code).toBe(
          'RATE_LIMITED',
        );
      } finally {
        await second.close();
      }
    },
  );
});
