import { randomUUID } from 'node:crypto';
import { chat } from './support/chat';
import { admin, auth, createUser, TestUser } from './support/factories';
import { call, connect } from './support/sockets';
import { API, startTestApp, TestApp } from './support/test-app';

describe('moderation', () => {
  let t: TestApp;
  let a: TestUser;
  let b: TestUser;
  let conversationId: string;

  beforeAll(async () => {
    t = await startTestApp();
    [a, b] = await Promise.all([createUser(t), createUser(t)]);
    conversationId = (await chat(t).direct(a, b)).id;
  });
  afterAll(() => t.close());

  const flags = async (status = 'open') => {
    const { token } = await admin(t);
    const res = await t
      .http()
      .get(`${API}/admin/moderation/flags?status=${status}&limit=100`)
      .set(auth(token))
      .expect(200);
    return res.body.items as Record<string, any>[];
  };

  it('masks profanity for everyone, the sender included, and keeps the rest of the text', async () => {
    const sent = await chat(t).send(a, conversationId, '😀 مرحبا f.u.c.k يا صديقي');
    expect(sent).toMatchObject({ content: '😀 مرحبا *** يا صديقي', moderation: 'masked' });
    const [seen] = await chat(t).history(b, conversationId, '?limit=1');
    expect(seen).toMatchObject({
      id: sent.id,
      content: '😀 مرحبا *** يا صديقي',
      moderation: 'masked',
    });
  });

  it('stores contact details unchanged as flagged and opens a flag for review', async () => {
    const sent = await chat(t).send(a, conversationId, 'write to john at gmail dot com');
    expect(sent).toMatchObject({
      content: 'write to john at gmail dot com',
      moderation: 'flagged',
    });
    const flag = (await flags()).find((f) => f.messageId === sent.id);
    expect(flag).toMatchObject({
      conversationId,
      senderId: a.id,
      reasons: ['contact_info'],
      matched: ['john at gmail dot com'],
      reporterId: null,
      status: 'open',
      resolution: null,
    });
  });

  it('moderates edits again, and an edit that is still flagged opens a new flag', async () => {
    const sent = await chat(t).send(a, conversationId, 'call me 0501234567');
    const edit = (content: string) =>
      t
        .http()
        .patch(`${API}/conversations/${conversationId}/messages/${sent.id}`)
        .set(auth(a.token))
        .send({ content })
        .expect(200);
    expect((await edit('call me +966 55 123 4567')).body.moderation).toBe('flagged');
    expect((await flags()).filter((f) => f.messageId === sent.id)).toHaveLength(2);
    expect((await edit('oh shit, never mind')).body).toMatchObject({
      content: 'oh ***, never mind',
      moderation: 'masked',
    });
    expect((await edit('all good now')).body).toMatchObject({
      content: 'all good now',
      moderation: 'clean',
    });
  });

  it('moderates socket sends too', async () => {
    const s = await connect(t.url, a.token);
    const res = await call(s, 'message:send', {
      conversationId,
      content: 'you bitch',
      clientMessageId: randomUUID(),
    });
    s.close();
    expect(res.data).toMatchObject({ content: 'you ***', moderation: 'masked' });
  });

  it('skips end-to-end encrypted conversations', async () => {
    const res = await t
      .http()
      .post(`${API}/conversations`)
      .set(auth(a.token))
      .send({ type: 'direct', participantIds: [b.id], contextId: 'e2e-mod', encryption: 'e2e' })
      .expect(201);
    const content = Buffer.from('fuck 0501234567').toString('base64');
    const sent = await chat(t).send(a, res.body.id, content);
    expect(sent).toMatchObject({ content, moderation: 'clean' });
  });

  describe('review', () => {
    it('lists a report as an open flag with its reporter and reason', async () => {
      const sent = await chat(t).send(a, conversationId, 'an ordinary message');
      await t
        .http()
        .post(`${API}/conversations/${conversationId}/messages/${sent.id}/report`)
        .set(auth(b.token))
        .send({ reason: 'rude' })
        .expect(202);
      expect((await flags()).find((f) => f.messageId === sent.id)).toMatchObject({
        reasons: ['reported'],
        reporterId: b.id,
        reportReason: 'rude',
        content: 'an ordinary message',
        status: 'open',
      });
    });

    it('dismisses a flag, and resolving it again answers it unchanged', async () => {
      const { token } = await admin(t);
      const sent = await chat(t).send(a, conversationId, 'ping me on 0501234567');
      const flag = (await flags()).find((f) => f.messageId === sent.id)!;
      const res = await t
        .http()
        .post(`${API}/admin/moderation/flags/${flag.id}/resolve`)
        .set(auth(token))
        .send({ action: 'dismiss', note: 'fine' })
        .expect(200);
      expect(res.body).toMatchObject({
        id: flag.id,
        status: 'resolved',
        resolution: 'dismiss',
        note: 'fine',
      });
      expect((await flags('resolved')).map((f) => f.id)).toContain(flag.id);
      expect((await flags()).map((f) => f.id)).not.toContain(flag.id);
      const again = await t
        .http()
        .post(`${API}/admin/moderation/flags/${flag.id}/resolve`)
        .set(auth(token))
        .send({ action: 'remove_message' })
        .expect(200);
      expect(again.body.resolution).toBe('dismiss');
      const message = await t
        .http()
        .get(`${API}/conversations/${conversationId}/messages/${sent.id}`)
        .set(auth(b.token))
        .expect(200);
      expect(message.body.isDeleted).toBe(false);
    });

    it('removes the message', async () => {
      const { token } = await admin(t);
      const sent = await chat(t).send(a, conversationId, 'buy at shop.example.org');
      const flag = (await flags()).find((f) => f.messageId === sent.id)!;
      await t
        .http()
        .post(`${API}/admin/moderation/flags/${flag.id}/resolve`)
        .set(auth(token))
        .send({ action: 'remove_message' })
        .expect(200);
      const message = await t
        .http()
        .get(`${API}/conversations/${conversationId}/messages/${sent.id}`)
        .set(auth(b.token))
        .expect(200);
      expect(message.body).toMatchObject({ isDeleted: true, content: '' });
    });

    it('suspends the sender', async () => {
      const { token } = await admin(t);
      const [spammer, victim] = await Promise.all([createUser(t), createUser(t)]);
      const conversation = await chat(t).direct(spammer, victim);
      const sent = await chat(t).send(spammer, conversation.id, 'whatsapp +971 50 123 4567');
      const flag = (await flags()).find((f) => f.messageId === sent.id)!;
      await t
        .http()
        .post(`${API}/admin/moderation/flags/${flag.id}/resolve`)
        .set(auth(token))
        .send({ action: 'suspend_user' })
        .expect(200);
      await t.http().get(`${API}/users/me`).set(auth(spammer.token)).expect(401);
      const login = await t
        .http()
        .post(`${API}/auth/login`)
        .send({ email: spammer.email, password: 'password-123' })
        .expect(403);
      expect(login.body.code).toBe('USER_SUSPENDED');
    });

    it('is for admins only, and refuses bad input', async () => {
      const { token } = await admin(t);
      await t.http().get(`${API}/admin/moderation/flags`).set(auth(a.token)).expect(403);
      await t
        .http()
        .post(`${API}/admin/moderation/flags/${randomUUID()}/resolve`)
        .set(auth(a.token))
        .send({ action: 'dismiss' })
        .expect(403);
      await t
        .http()
        .post(`${API}/admin/moderation/flags/${randomUUID()}/resolve`)
        .set(auth(token))
        .send({ action: 'dismiss' })
        .expect(404);
      await t
        .http()
        .post(`${API}/admin/moderation/flags/not-a-uuid/resolve`)
        .set(auth(token))
        .send({ action: 'dismiss' })
        .expect(400);
      const flag = (await flags())[0];
      const bad = await t
        .http()
        .post(`${API}/admin/moderation/flags/${flag.id}/resolve`)
        .set(auth(token))
        .send({ action: 'ban' })
        .expect(400);
      expect(bad.body.details).toHaveProperty('action');
      await t
        .http()
        .get(`${API}/admin/moderation/flags?status=closed`)
        .set(auth(token))
        .expect(400);
      await t.http().get(`${API}/admin/moderation/flags?cursor=bogus`).set(auth(token)).expect(400);
      expect((await flags()).find((f) => f.id === flag.id)?.status).toBe('open');
    });

    it('pages flags newest first with a cursor, each exactly once', async () => {
      const { token } = await admin(t);
      for (let i = 0; i < 5; i++) await chat(t).send(a, conversationId, `mail${i}@example.com`);
      const all = await flags();
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await t
          .http()
          .get(`${API}/admin/moderation/flags?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
          .set(auth(token))
          .expect(200);
        seen.push(...res.body.items.map((f) => f.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all.map((f) => f.id));
    });
  });
});
