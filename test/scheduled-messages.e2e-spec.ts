import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { DataSource } from 'typeorm';
import { AttachmentsCleanup } from '../src/attachments/attachments-cleanup.service';
import { Clock } from '../src/common/clock/clock';
import { CLAIM_DUE_SQL, LIST_SQL } from '../src/scheduled-messages/scheduled-messages.repository';
import { ScheduledSendDispatcher } from '../src/scheduled-messages/scheduled-send.dispatcher';
import { chat } from './support/chat';
import { admin, auth, TestUser } from './support/factories';
import { block, call, createJoiningUsers, createUsers, expectError } from './support/matrix';
import { expectValidationError } from './support/error-body';
import { ClientSocket, connect, waitFor } from './support/sockets';
import { API, startTestApp, TestApp } from './support/test-app';

const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;

const png = () =>
  sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 250, g: 0, b: 90 } } })
    .png()
    .toBuffer();

interface Scheduled {
  id: string;
  conversationId: string;
  content: string;
  sendAt: string;
  status: 'scheduled' | 'sent' | 'failed' | 'canceled';
  messageId: string | null;
  failure: string | null;
  attachmentIds: string[];
  replyToMessageId: string | null;
  createdAt: string;
}

describe('scheduled messages', () => {
  let t: TestApp;
  let c: ReturnType<typeof chat>;
  let a: TestUser;
  let b: TestUser;
  let outsider: TestUser;
  let direct: string;
  let dispatcher: ScheduledSendDispatcher;
  /** the app's Clock reads this: tests move time forward instead of waiting */
  let now = Date.now();
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    jest.spyOn(t.app.get(Clock), 'now').mockImplementation(() => new Date(now));
    dispatcher = t.app.get(ScheduledSendDispatcher);
    c = chat(t);
    [a, b] = await createJoiningUsers(t, 2);
    [outsider] = await createUsers(t, 1);
    direct = (await c.direct(a, b)).id;
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(() => t.close());

  const at = (aheadMs: number): string => new Date(now + aheadMs).toISOString();
  const schedule = (user: TestUser, conversationId: string, body: object) =>
    call(t, user, { method: 'post', path: `/conversations/${conversationId}/messages`, body });
  const scheduleOk = async (
    user: TestUser,
    conversationId: string,
    body: object = {},
  ): Promise<Scheduled> =>
    (
      await schedule(user, conversationId, {
        content: `later ${randomUUID()}`,
        sendAt: at(60 * SECOND),
        ...body,
      }).expect(202)
    ).body as Scheduled;
  const list = async (
    user: TestUser,
    query = '',
  ): Promise<{ items: Scheduled[]; nextCursor: string | null }> =>
    (await call(t, user, { method: 'get', path: `/scheduled-messages${query}` }).expect(200)).body;
  const findOne = async (user: TestUser, id: string): Promise<Scheduled> => {
    const found = (await list(user, '?limit=100')).items.find((s) => s.id === id);
    if (!found) throw new Error(`scheduled message ${id} is not listed`);
    return found;
  };
  /** Moves the clock past `sendAt` and runs the dispatcher once. */
  const sendDue = async (sendAt: string) => {
    now = Math.max(now, new Date(sendAt).getTime() + SECOND);
    await dispatcher.runDue();
  };
  /** Two new users and their direct conversation, so no other test's items are due there. */
  const pair = async () => {
    const [x, y] = await createJoiningUsers(t, 2);
    return { x, y, id: (await c.direct(x, y)).id };
  };
  const upload = async (user: TestUser, filename: string, body: Buffer) => {
    const boundary = '----scheduled-e2e';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const res = await t
      .http()
      .post(`${API}/attachments`)
      .set(auth(user.token))
      .set('Content-Type', `multipart/form-data; boundary=${boundary}`)
      .send(Buffer.concat([Buffer.from(head), body, Buffer.from(`\r\n--${boundary}--\r\n`)]))
      .expect(201);
    return res.body as { id: string };
  };
  const open = async (user: TestUser) => {
    const s = await connect(t.url, user.token);
    sockets.push(s);
    return s;
  };

  it('answers 202 with a ScheduledMessage and sends nothing yet', async () => {
    const before = await c.get(a, direct);
    const sendAt = at(60 * SECOND);
    const res = await schedule(a, direct, { content: '  see you at nine  ', sendAt });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      id: expect.any(String),
      conversationId: direct,
      content: 'see you at nine',
      replyToMessageId: null,
      attachmentIds: [],
      sendAt,
      status: 'scheduled',
      messageId: null,
      failure: null,
      createdAt: expect.stringMatching(/Z$/),
    });
    await dispatcher.runDue();
    expect((await c.get(a, direct)).lastSeq).toBe(before.lastSeq);
    expect((await findOne(a, res.body.id)).status).toBe('scheduled');
  });

  it.each([
    ['9 s ahead', 9 * SECOND],
    ['in the past', -60 * SECOND],
    ['more than 30 days ahead', 30 * DAY + 60 * SECOND],
  ])('refuses a sendAt %s with 400 and stores nothing', async (_, ahead) => {
    const before = (await list(a, `?conversationId=${direct}&limit=100`)).items.length;
    const res = await schedule(a, direct, { content: 'too soon', sendAt: at(ahead) });
    expectValidationError(res, ['sendAt']);
    expect((await list(a, `?conversationId=${direct}&limit=100`)).items.length).toBe(before);
  });

  it('refuses a sendAt that is not a timestamp', async () => {
    expectValidationError(await schedule(a, direct, { content: 'x', sendAt: 'tomorrow' }), [
      'sendAt',
    ]);
  });

  it('answers 404 for a conversation the caller is not in', async () => {
    const res = await schedule(outsider, direct, { content: 'x', sendAt: at(60 * SECOND) });
    expectError(res, 404, 'NOT_FOUND');
  });

  it('sends at sendAt as its author through the ordinary path; every socket sees it', async () => {
    const item = await scheduleOk(a, direct, { content: 'good morning', sendAt: at(20 * SECOND) });
    const sa = await open(a);
    const sb = await open(b);
    const seenByAuthor = waitFor(sa, 'message:new', (p) => p.message.content === 'good morning');
    const seenByOther = waitFor(sb, 'message:new', (p) => p.message.content === 'good morning');

    now += 15 * SECOND; // not yet due
    await dispatcher.runDue();
    expect((await findOne(a, item.id)).status).toBe('scheduled');

    await sendDue(item.sendAt);
    const sent = await findOne(a, item.id);
    expect(sent).toMatchObject({ status: 'sent', messageId: expect.any(String), failure: null });
    const [authorEvent, otherEvent] = await Promise.all([seenByAuthor, seenByOther]);
    expect(authorEvent.message.id).toBe(sent.messageId);
    expect(otherEvent.message).toMatchObject({
      id: sent.messageId,
      senderId: a.id,
      clientMessageId: `scheduled:${item.id}`,
    });
  });

  it('sends a reply with its replyToMessageId', async () => {
    const root = await c.send(b, direct, 'question?');
    const item = await scheduleOk(a, direct, { content: 'answer', replyToMessageId: root.id });
    expect(item.replyToMessageId).toBe(root.id);
    await sendDue(item.sendAt);
    const sent = await findOne(a, item.id);
    const message = (
      await call(t, a, {
        method: 'get',
        path: `/conversations/${direct}/messages/${sent.messageId}`,
      }).expect(200)
    ).body;
    expect(message.replyToMessageId).toBe(root.id);
  });

  it('never sends twice: a send that happened before the row was marked returns the first message', async () => {
    const { x, id } = await pair();
    const item = await scheduleOk(x, id, { content: 'only once' });
    // A node sent it and died before marking it sent: the message exists under its key.
    const first = await c.send(x, id, 'only once', { clientMessageId: `scheduled:${item.id}` });
    await sendDue(item.sendAt);
    expect(await findOne(x, item.id)).toMatchObject({ status: 'sent', messageId: first.id });
    expect((await c.get(x, id)).lastSeq).toBe(1);
  });

  it('sends each due message once when passes overlap', async () => {
    const { x, id } = await pair();
    const items = await Promise.all(
      Array.from({ length: 5 }, (_, i) => scheduleOk(x, id, { content: `overlap ${i}` })),
    );
    now = Math.max(...items.map((i) => new Date(i.sendAt).getTime())) + SECOND;
    await Promise.all([dispatcher.runDue(), dispatcher.runDue(), dispatcher.runDue()]);
    expect((await c.get(x, id)).lastSeq).toBe(5);
    for (const item of items) expect((await findOne(x, item.id)).status).toBe('sent');
  });

  it('checks at send time: a block made after scheduling fails it and tells the author', async () => {
    const { x, y, id: conversation } = await pair();
    const item = await scheduleOk(x, conversation, { content: 'will be blocked' });
    await block(t, y, x);
    const sx = await open(x);
    const told = waitFor(sx, 'notification:new', (p) => p.notification.type === 'system');
    await sendDue(item.sendAt);
    expect(await findOne(x, item.id)).toMatchObject({
      status: 'failed',
      failure: 'BLOCKED',
      messageId: null,
    });
    const { notification } = await told;
    expect(notification).toMatchObject({ type: 'system', conversationId: conversation });
    expect(notification.body).toContain('could not be sent');
    const listed = (await call(t, x, { method: 'get', path: '/notifications' }).expect(200)).body
      .items;
    expect(listed.map((n: { id: string }) => n.id)).toContain(notification.id);
    expect((await c.get(x, conversation)).lastSeq).toBe(0);
  });

  it('moderates at send time: the stored message is masked like any other send', async () => {
    const { x, id } = await pair();
    const item = await scheduleOk(x, id, { content: 'oh shit, never mind' });
    expect(item.content).toBe('oh shit, never mind');
    await sendDue(item.sendAt);
    const sent = await findOne(x, item.id);
    const message = (
      await call(t, x, { method: 'get', path: `/conversations/${id}/messages/${sent.messageId}` })
    ).body;
    expect(message).toMatchObject({ content: 'oh ***, never mind', moderation: 'masked' });
  });

  it('checks at send time: an author suspended since fails with USER_SUSPENDED', async () => {
    const { x, y, id } = await pair();
    const item = await scheduleOk(x, id);
    const { token } = await admin(t);
    await t
      .http()
      .post(`${API}/admin/users/${x.id}/suspend`)
      .set(auth(token))
      .send({ reason: 'spam' })
      .expect(200);
    await sendDue(item.sendAt);
    const listed = await t.app
      .get(DataSource)
      .query(`SELECT status, failure FROM scheduled_messages WHERE id = $1`, [item.id]);
    expect(listed).toEqual([{ status: 'failed', failure: 'USER_SUSPENDED' }]);
    expect((await c.get(y, id)).lastSeq).toBe(0);
  });

  it('keeps its attachments past the uploads cleanup and sends them with the message', async () => {
    const { x, y, id } = await pair();
    const image = await upload(x, 'later.png', await png());
    expectError(
      await schedule(y, id, { content: '', attachmentIds: [image.id], sendAt: at(DAY) }),
      422,
      'INVALID_ATTACHMENT',
    );
    const item = await scheduleOk(x, id, {
      content: '',
      attachmentIds: [image.id],
      sendAt: at(2 * DAY),
    });
    expect(item.attachmentIds).toEqual([image.id]);
    // two days later the cleanup removes uploads nobody sent, but not this one
    await t.app.get(AttachmentsCleanup).run(new Date(Date.now() + 2 * DAY));
    await sendDue(item.sendAt);
    const sent = await findOne(x, item.id);
    expect(sent.status).toBe('sent');
    const message = (
      await call(t, y, { method: 'get', path: `/conversations/${id}/messages/${sent.messageId}` })
    ).body;
    expect(message).toMatchObject({ type: 'image', attachments: [{ id: image.id }] });
  });

  describe('PATCH /scheduled-messages/:id', () => {
    const patch = (user: TestUser, id: string, body: object) =>
      call(t, user, { method: 'patch', path: `/scheduled-messages/${id}`, body });

    it('changes content and sendAt while scheduled', async () => {
      const item = await scheduleOk(a, direct);
      const sendAt = at(2 * DAY);
      const res = await patch(a, item.id, { content: ' changed ', sendAt }).expect(200);
      expect(res.body).toMatchObject({
        id: item.id,
        content: 'changed',
        sendAt,
        status: 'scheduled',
      });
      // the old time passes and nothing is sent
      await sendDue(item.sendAt);
      expect((await findOne(a, item.id)).status).toBe('scheduled');
    });

    it('answers 409 NOT_SCHEDULED once sent, and changes nothing', async () => {
      const item = await scheduleOk(a, direct, { content: 'sent already' });
      await sendDue(item.sendAt);
      expectError(await patch(a, item.id, { content: 'too late' }), 409, 'NOT_SCHEDULED');
      expect((await findOne(a, item.id)).content).toBe('sent already');
    });

    it('refuses a bad sendAt, empty content and unknown fields with 400', async () => {
      const item = await scheduleOk(a, direct);
      expectValidationError(await patch(a, item.id, { sendAt: at(SECOND) }), ['sendAt']);
      expectValidationError(await patch(a, item.id, { content: '   ' }), ['content']);
      expectValidationError(await patch(a, item.id, { status: 'sent' }), ['status']);
      expect((await findOne(a, item.id)).content).toBe(item.content);
    });

    it("answers 404 for another user's scheduled message", async () => {
      const item = await scheduleOk(a, direct);
      expectError(await patch(b, item.id, { content: 'mine now' }), 404, 'NOT_FOUND');
    });
  });

  describe('DELETE /scheduled-messages/:id', () => {
    const cancel = (user: TestUser, id: string) =>
      call(t, user, { method: 'delete', path: `/scheduled-messages/${id}` });

    it('cancels: 204, listed as canceled, never sent', async () => {
      const { x, id } = await pair();
      const item = await scheduleOk(x, id);
      await cancel(x, item.id).expect(204);
      await sendDue(item.sendAt);
      expect((await findOne(x, item.id)).status).toBe('canceled');
      expect((await c.get(x, id)).lastSeq).toBe(0);
      await cancel(x, item.id).expect(204);
    });

    it("answers 404 for another user's, and 409 for a sent one", async () => {
      const item = await scheduleOk(a, direct);
      expectError(await cancel(b, item.id), 404, 'NOT_FOUND');
      expectError(await cancel(a, randomUUID()), 404, 'NOT_FOUND');
      await sendDue(item.sendAt);
      expectError(await cancel(a, item.id), 409, 'NOT_SCHEDULED');
    });
  });

  describe('GET /scheduled-messages', () => {
    it("lists the caller's own by sendAt, filters, and pages without skips or repeats", async () => {
      const [x, y] = await createJoiningUsers(t, 2);
      const xy = (await c.direct(x, y)).id;
      const group = (await c.group(x, [y], 'Plans')).id;
      const created: Scheduled[] = [];
      for (const [i, ahead] of [5, 1, 4, 2, 3].entries()) {
        created.push(
          await scheduleOk(x, i % 2 === 0 ? xy : group, {
            content: `item ${ahead}`,
            sendAt: at(ahead * DAY),
          }),
        );
      }
      await scheduleOk(y, xy, { content: 'not x' });
      await call(t, x, { method: 'delete', path: `/scheduled-messages/${created[0].id}` }).expect(
        204,
      );

      const seen: Scheduled[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Scheduled[]; nextCursor: string | null } = await list(
          x,
          `?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.map((s) => s.content)).toEqual([
        'item 1',
        'item 2',
        'item 3',
        'item 4',
        'item 5',
      ]);

      expect((await list(x, `?conversationId=${group}`)).items.map((s) => s.content)).toEqual([
        'item 1',
        'item 2',
      ]);
      expect((await list(x, '?status=canceled')).items.map((s) => s.id)).toEqual([created[0].id]);
      expect((await list(x, `?status=scheduled&conversationId=${xy}`)).items).toHaveLength(2);
    });

    it('refuses a bad cursor, status, limit or unknown parameter with 400', async () => {
      for (const [query, field] of [
        ['?cursor=nonsense', 'cursor'],
        ['?status=pending', 'status'],
        ['?limit=0', 'limit'],
        ['?conversationId=abc', 'conversationId'],
        ['?sort=desc', 'sort'],
      ]) {
        const res = await call(t, a, { method: 'get', path: `/scheduled-messages${query}` });
        expectValidationError(res, [field]);
      }
    });
  });

  it('returns the first scheduled message for a repeated clientMessageId', async () => {
    const first = await scheduleOk(a, direct, { clientMessageId: 'plan-1' });
    const again = await scheduleOk(a, direct, { clientMessageId: 'plan-1', content: 'other' });
    expect(again).toEqual(first);
  });

  it('allows at most 100 scheduled messages per user: 422 TOO_MANY_SCHEDULED', async () => {
    const { x, id: xy } = await pair();
    const items: Scheduled[] = [];
    for (let i = 0; i < 100; i++) items.push(await scheduleOk(x, xy, { content: `n${i}` }));
    const res = await schedule(x, xy, { content: 'one too many', sendAt: at(60 * SECOND) });
    expectError(res, 422, 'TOO_MANY_SCHEDULED');
    await call(t, x, { method: 'delete', path: `/scheduled-messages/${items[0].id}` }).expect(204);
    await scheduleOk(x, xy, { content: 'room again' });
  });

  describe('query plans', () => {
    const plan = async (sql: string, params: unknown[]): Promise<string> => {
      const db = t.app.get(DataSource);
      const [{ 'QUERY PLAN': json }] = await db.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
      return JSON.stringify(json);
    };

    beforeAll(async () => {
      // many authors and old rows, so that a scan would cost more than the index
      const db = t.app.get(DataSource);
      await db.query(
        `INSERT INTO scheduled_messages (author_id, conversation_id, content, send_at, status, message_id)
         SELECT $1, $2, 'seed ' || g, now() - make_interval(mins => g), 'sent', gen_random_uuid()
           FROM generate_series(1, 5000) g`,
        [b.id, direct],
      );
      await db.query(`ANALYZE scheduled_messages`);
    });

    it('lists through scheduled_messages_author_idx', async () => {
      const used = await plan(LIST_SQL, [a.id, null, null, new Date(), randomUUID(), 51]);
      expect(used).toContain('scheduled_messages_author_idx');
    });

    it('claims due messages through scheduled_messages_due_idx', async () => {
      const used = await plan(CLAIM_DUE_SQL, [new Date(0), new Date(), 20]);
      expect(used).toContain('scheduled_messages_due_idx');
    });
  });

  it('documents the 202 answer, the ScheduledMessage schema and the new error codes', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const post = doc.paths[`${API}/conversations/{id}/messages`].post;
    expect(post.responses['202'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/ScheduledMessageDto',
    );
    expect(post.requestBody.content['application/json'].schema.$ref).toBeDefined();
    expect(Object.keys(doc.components.schemas.ScheduledMessageDto.properties).sort()).toEqual(
      [
        'attachmentIds',
        'content',
        'conversationId',
        'createdAt',
        'failure',
        'id',
        'messageId',
        'replyToMessageId',
        'sendAt',
        'status',
      ].sort(),
    );
    expect(doc.paths[`${API}/scheduled-messages`].get).toBeDefined();
    expect(doc.paths[`${API}/scheduled-messages/{id}`].patch.responses['409']).toBeDefined();
    expect(doc.paths[`${API}/scheduled-messages/{id}`].delete.responses['204']).toBeDefined();
    expect(doc.components.schemas.ErrorBody.properties.code.enum).toEqual(
      expect.arrayContaining(['NOT_SCHEDULED', 'TOO_MANY_SCHEDULED']),
    );
  });

  it('rejects an unauthenticated list', async () => {
    await t.http().get(`${API}/scheduled-messages`).set(auth('nope')).expect(401);
  });
});
