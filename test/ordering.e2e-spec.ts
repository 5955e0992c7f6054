import { chat } from './support/chat';
import { auth, createUser, TestUser } from './support/factories';
import { API, startTestApp, TestApp } from './support/test-app';

/** seq is gap-free per conversation and commit order equals seq order, under concurrency. */
describe('ordering under concurrency', () => {
  let t: TestApp;
  let a: TestUser;
  let b: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    [a, b] = await Promise.all([createUser(t), createUser(t)]);
  });
  afterAll(() => t.close());

  const allMessages = async (user: TestUser, conversationId: string) => {
    const items: { id: string; seq: number; content: string; version: number }[] = [];
    let after = 0;
    for (;;) {
      const res = await t
        .http()
        .get(`${API}/conversations/${conversationId}/messages?afterSeq=${after}&limit=100`)
        .set(auth(user.token))
        .expect(200);
      if (res.body.items.length === 0) return items;
      items.push(...res.body.items);
      after = res.body.items[res.body.items.length - 1].seq;
    }
  };

  it('gives 50 concurrent sends from two users contiguous seqs with no duplicates', async () => {
    const c = chat(t);
    const conversation = await c.direct(a, b);
    const sent = await Promise.all(
      Array.from({ length: 50 }, (_, i) => c.send(i % 2 ? a : b, conversation.id, `m${i}`)),
    );
    const seqs = sent.map((m) => m.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(sent.map((m) => m.version)).size).toBe(50);

    // each sender gets back its own message, the one stored at that seq
    sent.forEach((m, i) =>
      expect(m).toMatchObject({ content: `m${i}`, senderId: (i % 2 ? a : b).id }),
    );
    const stored = await allMessages(b, conversation.id);
    expect(stored.map((m) => m.seq)).toEqual(seqs);
    const storedBySeq = new Map(stored.map((m) => [m.seq, m]));
    for (const m of sent)
      expect(storedBySeq.get(m.seq)).toMatchObject({ id: m.id, content: m.content });
    // seq and version of new messages rise together
    for (let i = 1; i < stored.length; i++)
      expect(stored[i].version).toBeGreaterThan(stored[i - 1].version);
    const view = await c.get(a, conversation.id);
    expect(view.lastSeq).toBe(50);
  });

  it('keeps seqs contiguous per conversation for 200 sends spread over 20 conversations', async () => {
    const c = chat(t);
    const partners = await Promise.all(Array.from({ length: 20 }, () => createUser(t)));
    const conversations = await Promise.all(partners.map((p) => c.direct(a, p)));
    const sent = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const k = i % 20;
        return c.send(i % 3 ? a : partners[k], conversations[k].id, `note ${i}`);
      }),
    );
    for (const conversation of conversations) {
      const seqs = sent
        .filter((m) => m.conversationId === conversation.id)
        .map((m) => m.seq)
        .sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      const stored = await allMessages(a, conversation.id);
      expect(stored.map((m) => m.seq)).toEqual(seqs);
      const storedBySeq = new Map(stored.map((m) => [m.seq, m]));
      for (const m of sent.filter((x) => x.conversationId === conversation.id))
        expect(storedBySeq.get(m.seq)).toMatchObject({ id: m.id, content: m.content });
    }
    // each sender gets back its own message
    sent.forEach((m, i) =>
      expect(m).toMatchObject({
        conversationId: conversations[i % 20].id,
        content: `note ${i}`,
        senderId: (i % 3 ? a : partners[i % 20]).id,
      }),
    );
  });

  it('pages history with beforeSeq while new messages are written: every message exactly once, in order', async () => {
    const c = chat(t);
    const conversation = await c.direct(a, b, 'paging');
    for (let i = 0; i < 30; i++) await c.send(a, conversation.id, `old${i}`);
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const query = `?limit=7${before !== undefined ? `&beforeSeq=${before}` : ''}`;
      const page = await c.history(b, conversation.id, query);
      if (page.length === 0) break;
      seen.push(...page.map((m) => m.seq as number));
      before = page[page.length - 1].seq as number;
      await c.send(b, conversation.id, 'written while paging');
    }
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
  });

  it('pages with afterSeq while new messages are written and ends with every message once', async () => {
    const c = chat(t);
    const conversation = await c.direct(a, b, 'paging-after');
    for (let i = 0; i < 20; i++) await c.send(a, conversation.id, `x${i}`);
    const seen: number[] = [];
    let after = 0;
    let writes = 0;
    for (;;) {
      const page = await c.history(b, conversation.id, `?limit=6&afterSeq=${after}`);
      if (page.length === 0) break;
      seen.push(...page.map((m) => m.seq as number));
      after = page[page.length - 1].seq as number;
      if (writes++ < 3) await c.send(a, conversation.id, 'late');
    }
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
  });

  it('lists conversations by activity and never skips an untouched one while others become active', async () => {
    const c = chat(t);
    const me = await createUser(t);
    const peers = await Promise.all(Array.from({ length: 11 }, () => createUser(t)));
    const ids: string[] = [];
    for (const p of peers) ids.push((await c.direct(me, p)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    const touched = new Set<string>();
    do {
      const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await t
        .http()
        .get(`${API}/conversations?limit=4${cursor ? `&cursor=${cursor}` : ''}`)
        .set(auth(me.token))
        .expect(200);
      seen.push(...res.body.items.map((x: { id: string }) => x.id));
      cursor = res.body.nextCursor;
      // the oldest not yet listed becomes active: it moves to the top and may not be listed again
      const pending = ids.filter((id) => !seen.includes(id) && !touched.has(id));
      if (pending.length > 0) {
        touched.add(pending[0]);
        await c.send(me, pending[0], 'bump');
      }
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids.filter((x) => !touched.has(x))) expect(seen).toContain(id);
    const first = await t
      .http()
      .get(`${API}/conversations?limit=1`)
      .set(auth(me.token))
      .expect(200);
    expect(touched.has(first.body.items[0].id)).toBe(true);
  });
});
