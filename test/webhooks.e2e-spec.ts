import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock/clock';
import { OutboxDispatcher } from '../src/common/events/outbox-dispatcher';
import { SWEEP_GRACE_MS, WebhookDeliveries } from '../src/webhooks/webhook-deliveries';
import { DELIVERIES_SQL } from '../src/webhooks/webhooks.repository';
import { chat } from './support/chat';
import { admin, auth, createUser, TestUser } from './support/factories';
import { expectErrorBody, expectValidationError } from './support/error-body';
import { createJoiningUsers, createUsers, expectError } from './support/matrix';
import { API, startTestApp, TestApp } from './support/test-app';
import { Received, WebhookReceiver } from './support/webhook-receiver';

const SECOND = 1000;
const HOUR = 60 * 60 * SECOND;

interface CreatedWebhook {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  createdAt: string;
  disabledReason: string | null;
  secret: string;
}

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  attempt: number;
  status: 'pending' | 'succeeded' | 'failed';
  responseStatus: number | null;
  error: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
}

/**
 * Counts finished runs of the `webhook-delivery` job, so a test awaits the attempts it caused
 * (including those that reach no receiver) instead of sleeping.
 */
function attemptsOf(t: TestApp) {
  const deliveries = t.app.get(WebhookDeliveries);
  const run = deliveries.run.bind(deliveries);
  let finished = 0;
  const waiters: { above: number; resolve: () => void }[] = [];
  jest.spyOn(deliveries, 'run').mockImplementation(async (job) => {
    try {
      await run(job);
    } finally {
      finished++;
      for (const w of waiters.filter((x) => finished > x.above)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  return {
    /** Resolves once `check` holds, re-checking after each finished attempt. */
    async until(check: () => Promise<boolean>): Promise<void> {
      for (;;) {
        const seen = finished;
        if (await check()) return;
        await new Promise<void>((resolve) => {
          if (finished > seen) resolve();
          else waiters.push({ above: seen, resolve });
        });
      }
    },
  };
}

/** The admin routes of one app, as its bootstrap admin. */
function webhooksApi(t: TestApp) {
  const as = async () => auth((await admin(t)).token);
  return {
    async create(body: object): Promise<CreatedWebhook> {
      const res = await t
        .http()
        .post(`${API}/admin/webhooks`)
        .set(await as())
        .send(body);
      if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as CreatedWebhook;
    },
    async post(body: object) {
      return t
        .http()
        .post(`${API}/admin/webhooks`)
        .set(await as())
        .send(body);
    },
    async deliveries(id: string, query = ''): Promise<Delivery[]> {
      const res = await t
        .http()
        .get(`${API}/admin/webhooks/${id}/deliveries${query}`)
        .set(await as())
        .expect(200);
      return res.body.items as Delivery[];
    },
    async list(query = '') {
      const res = await t
        .http()
        .get(`${API}/admin/webhooks${query}`)
        .set(await as())
        .expect(200);
      return res.body as { items: Omit<CreatedWebhook, 'secret'>[]; nextCursor: string | null };
    },
    async remove(id: string) {
      await t
        .http()
        .delete(`${API}/admin/webhooks/${id}`)
        .set(await as())
        .expect(204);
    },
    async send(method: 'post' | 'patch' | 'get' | 'delete', path: string, body?: object) {
      const req = t
        .http()
        [method](`${API}/admin/webhooks${path}`)
        .set(await as());
      return body ? req.send(body) : req;
    },
  };
}

const verify = (secret: string, r: Received) =>
  new Webhook(secret).verify(r.body, r.headers as Record<string, string>);

describe('outgoing webhooks', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let api: ReturnType<typeof webhooksApi>;
  let attempts: ReturnType<typeof attemptsOf>;
  let c: ReturnType<typeof chat>;
  let a: TestUser;
  let b: TestUser;
  /** the app's Clock reads this: retries and the 24 h rules happen by moving it */
  let now = Date.now();
  const created: string[] = [];

  beforeAll(async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
    jest.spyOn(t.app.get(Clock), 'now').mockImplementation(() => new Date(now));
    attempts = attemptsOf(t);
    api = webhooksApi(t);
    c = chat(t);
    [a, b] = await createJoiningUsers(t, 2);
  });
  afterEach(async () => {
    // no webhook of one test hears the events of the next
    for (const id of created.splice(0)) {
      await t
        .http()
        .delete(`${API}/admin/webhooks/${id}`)
        .set(auth((await admin(t)).token));
    }
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  /** A webhook to a path of its own on the receiver. */
  const hook = async (events: string[], path = `/hook/${randomUUID()}`) => {
    const w = await api.create({ url: `${receiver.url}${path}`, events });
    created.push(w.id);
    return { ...w, path };
  };
  /** Moves the clock past a retry's time and the sweep's grace, and sweeps. */
  const retryDue = async (afterMs: number) => {
    now += afterMs + SWEEP_GRACE_MS + SECOND;
    await t.app.get(WebhookDeliveries).runOverdue();
  };
  const deliveryOf = async (webhookId: string, eventId: string) =>
    (await api.deliveries(webhookId, '?limit=100')).find((d) => d.eventId === eventId);

  describe('admin routes', () => {
    it('creates a webhook and shows its whsec_ secret only in that answer', async () => {
      const w = await api.create({
        url: `${receiver.url}/created`,
        events: ['message.created', 'message.created', 'user.registered'],
        description: 'CRM sync',
      });
      created.push(w.id);
      expect(w).toEqual({
        id: expect.any(String),
        url: `${receiver.url}/created`,
        events: ['message.created', 'user.registered'],
        description: 'CRM sync',
        enabled: true,
        createdAt: expect.stringMatching(/Z$/),
        disabledReason: null,
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]+$/),
      });
      const listed = (await api.list('?limit=100')).items.find((x) => x.id === w.id);
      const { secret: _secret, ...shown } = w;
      expect(listed).toEqual(shown);
    });

    it('pages the list newest first with a cursor', async () => {
      const made: { id: string }[] = [];
      for (let i = 0; i < 3; i++) {
        now += SECOND;
        made.push(await hook(['webhook.test']));
      }
      const [x, y, z] = made;
      const first = await api.list('?limit=2');
      expect(first.items.map((w) => w.id)).toEqual([z.id, y.id]);
      const second = await api.list(`?limit=2&cursor=${first.nextCursor}`);
      expect(second.items[0].id).toBe(x.id);
    });

    it('updates url, events, description and enabled', async () => {
      const w = await hook(['webhook.test']);
      const res = await api.send('patch', `/${w.id}`, {
        url: `${receiver.url}/moved`,
        events: ['message.deleted'],
        description: 'moved',
        enabled: false,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: w.id,
        url: `${receiver.url}/moved`,
        events: ['message.deleted'],
        description: 'moved',
        enabled: false,
        disabledReason: null,
      });
      expect(res.body).not.toHaveProperty('secret');
    });

    it('deletes a webhook: 204, then 404', async () => {
      const w = await api.create({ url: `${receiver.url}/gone`, events: ['webhook.test'] });
      await api.remove(w.id);
      expectError(await api.send('delete', `/${w.id}`), 404, 'NOT_FOUND');
      expectError(await api.send('patch', `/${w.id}`, { enabled: true }), 404, 'NOT_FOUND');
      expectError(await api.send('post', `/${w.id}/rotate-secret`), 404, 'NOT_FOUND');
      expectError(await api.send('post', `/${w.id}/test`), 404, 'NOT_FOUND');
      expectError(await api.send('get', `/${w.id}/deliveries`), 404, 'NOT_FOUND');
    });

    it('is for admins only: 403 for a user, 401 without a token', async () => {
      const [user] = await createUsers(t, 1);
      const w = await hook(['webhook.test']);
      const calls = [
        t
          .http()
          .post(`${API}/admin/webhooks`)
          .send({ url: 'https://example.com', events: ['webhook.test'] }),
        t.http().get(`${API}/admin/webhooks`),
        t.http().patch(`${API}/admin/webhooks/${w.id}`).send({ enabled: false }),
        t.http().delete(`${API}/admin/webhooks/${w.id}`),
        t.http().post(`${API}/admin/webhooks/${w.id}/rotate-secret`),
        t.http().post(`${API}/admin/webhooks/${w.id}/test`),
        t.http().get(`${API}/admin/webhooks/${w.id}/deliveries`),
      ];
      for (const req of calls) expectError(await req.set(auth(user.token)), 403, 'FORBIDDEN');
      expectError(await t.http().get(`${API}/admin/webhooks`), 401, 'UNAUTHORIZED');
      expect((await api.list('?limit=100')).items.find((x) => x.id === w.id)?.enabled).toBe(true);
    });

    it.each([
      ['no url', { events: ['webhook.test'] }, ['url']],
      ['a url that is not one', { url: 'not a url', events: ['webhook.test'] }, ['url']],
      ['an ftp url', { url: 'ftp://example.com/x', events: ['webhook.test'] }, ['url']],
      [
        'credentials in the url',
        { url: 'https://u:p@example.com/x', events: ['webhook.test'] },
        ['url'],
      ],
      ['no events', { url: 'https://example.com/x', events: [] }, ['events']],
      [
        'an unknown event',
        { url: 'https://example.com/x', events: ['message.exploded'] },
        ['events'],
      ],
      ['events not a list', { url: 'https://example.com/x', events: 'webhook.test' }, ['events']],
      [
        'a description over 500 characters',
        { url: 'https://example.com/x', events: ['webhook.test'], description: 'x'.repeat(501) },
        ['description'],
      ],
    ])('refuses %s with 400 and stores nothing', async (_name, body, fields) => {
      const before = (await api.list('?limit=100')).items.length;
      expectValidationError(await api.post(body), fields);
      expect((await api.list('?limit=100')).items).toHaveLength(before);
    });

    it('refuses bad ids, cursors, filters and unknown parameters with 400', async () => {
      const w = await hook(['webhook.test']);
      expectErrorBody(
        await api.send('patch', '/not-a-uuid', { enabled: true }),
        400,
        'VALIDATION_FAILED',
      );
      expectErrorBody(await api.send('get', '?cursor=forged'), 400, 'VALIDATION_FAILED');
      expectErrorBody(await api.send('get', '?limit=0'), 400, 'VALIDATION_FAILED');
      expectErrorBody(await api.send('get', '?colour=blue'), 400, 'VALIDATION_FAILED');
      expectErrorBody(
        await api.send('get', `/${w.id}/deliveries?status=lost`),
        400,
        'VALIDATION_FAILED',
      );
      expectValidationError(await api.send('patch', `/${w.id}`, { events: [] }), ['events']);
      expectValidationError(await api.send('patch', `/${w.id}`, { enabled: 'yes' }), ['enabled']);
      expectValidationError(await api.send('patch', `/${w.id}`, { url: null }), ['url']);
      expect((await api.list('?limit=100')).items.find((x) => x.id === w.id)).toMatchObject({
        events: ['webhook.test'],
        enabled: true,
      });
    });
  });

  describe('deliveries', () => {
    it('delivers a new message signed in the Standard Webhooks format', async () => {
      const w = await hook(['message.created']);
      const direct = await c.direct(a, b);
      const sent = await c.send(a, direct.id, 'hello webhook');
      const [r] = await receiver.until(w.path, 1, (x) => x.json.data.id === sent.id);
      if (process.env.PRINT_WEBHOOK_HEADERS) {
        process.stdout.write(`webhook delivery headers: ${JSON.stringify(r.headers, null, 2)}\n`);
      }
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['webhook-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
      expect(r.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
      expect(verify(w.secret, r)).toEqual(r.json);
      expect(() => verify(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, r)).toThrow();
      expect(r.json).toEqual({
        type: 'message.created',
        timestamp: expect.stringMatching(/Z$/),
        data: expect.objectContaining({
          id: sent.id,
          conversationId: direct.id,
          seq: sent.seq,
          content: 'hello webhook',
          contentOmitted: false,
          senderId: a.id,
        }),
      });
      await attempts.until(
        async () =>
          (await deliveryOf(w.id, r.headers['webhook-id'] as string))?.status === 'succeeded',
      );
      expect(await deliveryOf(w.id, r.headers['webhook-id'] as string)).toEqual({
        id: expect.any(String),
        eventId: r.headers['webhook-id'],
        eventType: 'message.created',
        attempt: 1,
        status: 'succeeded',
        responseStatus: 200,
        error: null,
        nextAttemptAt: null,
        createdAt: expect.stringMatching(/Z$/),
      });
    });

    it('retries a failed delivery with the same webhook-id and body, and logs each attempt', async () => {
      const w = await hook(['message.created']);
      receiver.script(w.path, { status: 500 });
      const direct = await c.direct(a, b);
      const sent = await c.send(a, direct.id);
      const [first] = await receiver.until(w.path, 1, (x) => x.json.data.id === sent.id);
      const eventId = first.headers['webhook-id'] as string;
      await attempts.until(async () => (await deliveryOf(w.id, eventId))?.responseStatus === 500);
      const failed = (await deliveryOf(w.id, eventId))!;
      expect(failed).toMatchObject({ attempt: 1, status: 'pending', error: 'HTTP 500' });
      expect(new Date(failed.nextAttemptAt!).getTime()).toBe(now + 5 * SECOND);

      await retryDue(5 * SECOND);
      const [, second] = await receiver.until(w.path, 2, (x) => x.json.data.id === sent.id);
      expect(second.headers['webhook-id']).toBe(eventId);
      expect(second.body).toBe(first.body);
      expect(verify(w.secret, second)).toEqual(first.json);
      await attempts.until(async () => (await deliveryOf(w.id, eventId))?.status === 'succeeded');
      expect(await deliveryOf(w.id, eventId)).toMatchObject({
        attempt: 2,
        status: 'succeeded',
        responseStatus: 200,
        error: null,
        nextAttemptAt: null,
      });
      expect((await api.deliveries(w.id, '?status=succeeded')).map((d) => d.eventId)).toContain(
        eventId,
      );
      expect(await api.deliveries(w.id, '?status=pending')).toEqual([]);
    });

    it("delivers a conversation's messages in order, holding later ones behind a retry", async () => {
      const w = await hook(['message.created']);
      receiver.script(w.path, { status: 503 });
      const direct = await c.direct(a, b);
      const first = await c.send(a, direct.id, 'one');
      await t.drain();
      await receiver.until(w.path, 1);
      await attempts.until(async () =>
        (await api.deliveries(w.id)).some((d) => d.responseStatus === 503),
      );
      for (const text of ['two', 'three', 'four']) await c.send(a, direct.id, text);
      await t.drain();
      // the later messages wait for the first one's retry
      expect(receiver.at(w.path)).toHaveLength(1);
      expect((await api.deliveries(w.id, '?status=pending')).length).toBe(4);

      await retryDue(5 * SECOND);
      const got = await receiver.until(w.path, 5);
      expect(got.map((r) => r.json.data.content)).toEqual(['one', 'one', 'two', 'three', 'four']);
      expect(got.map((r) => r.json.data.seq)).toEqual([
        first.seq,
        first.seq,
        first.seq + 1,
        first.seq + 2,
        first.seq + 3,
      ]);
    });

    it('leaves the content of at_rest and e2e messages out', async () => {
      const w = await hook(['message.created']);
      const [x, y] = await createUsers(t, 2);
      const atRest = await t
        .http()
        .post(`${API}/conversations`)
        .set(auth(x.token))
        .send({ type: 'direct', participantIds: [y.id], encryption: 'at_rest' })
        .expect(201);
      const e2e = await t
        .http()
        .post(`${API}/conversations`)
        .set(auth(x.token))
        .send({ type: 'direct', participantIds: [y.id], encryption: 'e2e', contextId: 'e2e' })
        .expect(201);
      const secret = await c.send(x, atRest.body.id, 'the secret plan');
      const sealed = await c.send(x, e2e.body.id, Buffer.from('ciphertext').toString('base64'));
      const got = await receiver.until(w.path, 2);
      for (const [sent, conversationId] of [
        [secret, atRest.body.id],
        [sealed, e2e.body.id],
      ] as const) {
        const r = got.find((g) => g.json.data.id === sent.id)!;
        expect(r.json.data).toMatchObject({ conversationId, content: null, contentOmitted: true });
        expect(r.body).not.toContain('the secret plan');
      }
    });

    it('announces membership, flags, registrations and conversations', async () => {
      const w = await hook([
        'conversation.created',
        'conversation.updated',
        'conversation.member_added',
        'conversation.member_removed',
        'moderation.flagged',
        'user.registered',
      ]);
      const [x] = await createJoiningUsers(t, 1);
      const group = await c.group(a, [b]);
      await t
        .http()
        .post(`${API}/conversations/${group.id}/participants`)
        .set(auth(a.token))
        .send({ userIds: [x.id] })
        .expect(200);
      await t
        .http()
        .delete(`${API}/conversations/${group.id}/participants/${x.id}`)
        .set(auth(a.token))
        .expect(204);
      const sent = await c.send(a, group.id, 'look at this');
      await t
        .http()
        .post(`${API}/conversations/${group.id}/messages/${sent.id}/report`)
        .set(auth(b.token))
        .send({ reason: 'rude' })
        .expect(202);
      const newcomer = await createUser(t, { verified: false });
      await t.drain();
      const types = (r: Received) => r.json.type;
      await receiver.until(
        w.path,
        1,
        (r) => types(r) === 'user.registered' && r.json.data.userId === newcomer.id,
      );
      await receiver.until(
        w.path,
        1,
        (r) => types(r) === 'moderation.flagged' && r.json.data.messageId === sent.id,
      );
      const mine = receiver.at(w.path, (r) => r.json.data.conversationId === group.id);
      const byType = (type: string) =>
        mine.filter((r) => r.json.type === type).map((r) => r.json.data);
      expect(byType('conversation.created')[0]).toEqual({
        conversationId: group.id,
        userIds: expect.arrayContaining([b.id]),
      });
      expect(byType('conversation.member_added')).toEqual([
        { conversationId: group.id, userId: x.id, addedBy: a.id, status: 'active' },
      ]);
      expect(byType('conversation.member_removed')).toEqual([
        { conversationId: group.id, userId: x.id, removedBy: a.id, reason: 'removed' },
      ]);
      expect(byType('conversation.updated').length).toBeGreaterThanOrEqual(2);
      expect(byType('moderation.flagged')).toEqual([
        {
          flagId: expect.any(String),
          messageId: sent.id,
          conversationId: group.id,
          senderId: a.id,
          reasons: ['reported'],
          reporterId: b.id,
        },
      ]);
      const [registered] = receiver.at(
        w.path,
        (r) => r.json.type === 'user.registered' && r.json.data.userId === newcomer.id,
      );
      expect(registered.json.data).toEqual({
        userId: newcomer.id,
        displayName: newcomer.displayName,
        locale: 'en',
      });
      // nothing for types the webhook did not subscribe to
      expect(mine.some((r) => r.json.type === 'message.created')).toBe(false);
    });

    it('sends webhook.test on POST /test: 202', async () => {
      const w = await hook(['message.deleted']);
      expect((await api.send('post', `/${w.id}/test`)).status).toBe(202);
      const [r] = await receiver.until(w.path);
      expect(r.json).toEqual({
        type: 'webhook.test',
        timestamp: expect.any(String),
        data: { webhookId: w.id },
      });
      expect(verify(w.secret, r)).toEqual(r.json);
    });

    it('does not follow a redirect: a 3xx is a failed attempt', async () => {
      const w = await hook(['webhook.test']);
      receiver.script(w.path, { status: 302, location: `${receiver.url}${w.path}/elsewhere` });
      expect((await api.send('post', `/${w.id}/test`)).status).toBe(202);
      await attempts.until(async () => (await api.deliveries(w.id))[0]?.status === 'failed');
      expect((await api.deliveries(w.id))[0]).toMatchObject({
        status: 'failed',
        responseStatus: 302,
        error: 'redirect (302) not followed',
      });
      expect(receiver.at(`${w.path}/elsewhere`)).toEqual([]);
    });

    it('signs with both secrets for 24 h after a rotation, then with the new one only', async () => {
      const w = await hook(['webhook.test']);
      const res = await api.send('post', `/${w.id}/rotate-secret`);
      expect(res.status).toBe(200);
      const rotated = res.body.secret as string;
      expect(rotated).toMatch(/^whsec_/);
      expect(rotated).not.toBe(w.secret);

      expect((await api.send('post', `/${w.id}/test`)).status).toBe(202);
      const [during] = await receiver.until(w.path, 1);
      const signatures = (during.headers['webhook-signature'] as string).split(' ');
      expect(signatures).toHaveLength(2);
      expect(signatures.every((s) => s.startsWith('v1,'))).toBe(true);
      expect(verify(w.secret, during)).toEqual(during.json);
      expect(verify(rotated, during)).toEqual(during.json);

      now += 24 * HOUR + SECOND;
      expect((await api.send('post', `/${w.id}/test`)).status).toBe(202);
      const [, after] = await receiver.until(w.path, 2);
      expect((after.headers['webhook-signature'] as string).split(' ')).toHaveLength(1);
      expect(verify(rotated, after)).toEqual(after.json);
      expect(() => verify(w.secret, after)).toThrow();
    });

    it('gives up after 24 h and disables a webhook that failed every delivery that long', async () => {
      const w = await hook(['message.created']);
      receiver.script(w.path, ...Array.from({ length: 10 }, () => ({ status: 500 })));
      const direct = await c.direct(a, b);
      const sent = await c.send(a, direct.id);
      const [first] = await receiver.until(w.path, 1, (x) => x.json.data.id === sent.id);
      const eventId = first.headers['webhook-id'] as string;
      await attempts.until(
        async () =>
          (await deliveryOf(w.id, eventId))?.attempt === 1 &&
          (await deliveryOf(w.id, eventId))?.error !== null,
      );

      await retryDue(24 * HOUR);
      await attempts.until(async () => (await deliveryOf(w.id, eventId))?.status === 'failed');
      expect(await deliveryOf(w.id, eventId)).toMatchObject({
        attempt: 2,
        status: 'failed',
        responseStatus: 500,
        nextAttemptAt: null,
      });
      expect((await api.list('?limit=100')).items.find((x) => x.id === w.id)).toMatchObject({
        enabled: false,
        disabledReason: 'every delivery failed for 24 hours',
      });
      // a disabled webhook gets nothing more
      await c.send(a, direct.id);
      await t.drain();
      expect(receiver.at(w.path)).toHaveLength(2);

      const res = await api.send('patch', `/${w.id}`, { enabled: true });
      expect(res.body).toMatchObject({ enabled: true, disabledReason: null });
    });
  });

  describe('query plans', () => {
    it('reads the delivery log through webhook_deliveries_log_idx', async () => {
      const w = await hook(['webhook.test']);
      const other = await hook(['webhook.test']);
      const db = t.app.get(DataSource);
      for (const id of [w.id, other.id]) {
        await db.query(
          `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, status, attempt, created_at)
           SELECT $1, gen_random_uuid(), 'webhook.test', 'succeeded', 1, now() - make_interval(mins => g)
             FROM generate_series(1, 3000) g`,
          [id],
        );
      }
      await db.query(`ANALYZE webhook_deliveries`);
      const [{ 'QUERY PLAN': plan }] = await db.query(`EXPLAIN (FORMAT JSON) ${DELIVERIES_SQL}`, [
        w.id,
        null,
        null,
        null,
        51,
      ]);
      expect(JSON.stringify(plan)).toContain('webhook_deliveries_log_idx');
    });
  });

  describe('docs', () => {
    it('documents the routes in OpenAPI and the deliveries in AsyncAPI', async () => {
      const openapi = (await t.http().get('/docs-json').expect(200)).body;
      expect(Object.keys(openapi.paths)).toEqual(
        expect.arrayContaining([
          '/api/v1/admin/webhooks',
          '/api/v1/admin/webhooks/{id}',
          '/api/v1/admin/webhooks/{id}/rotate-secret',
          '/api/v1/admin/webhooks/{id}/test',
          '/api/v1/admin/webhooks/{id}/deliveries',
        ]),
      );
      expect(openapi.components.schemas.WebhookEventDto).toBeDefined();
      const events = (await t.http().get('/docs/events-json').expect(200)).body;
      expect(events.channels.webhooks.messages).toHaveProperty('webhook_message_created');
      expect(events.operations.webhook_user_registered.action).toBe('send');
    });
  });
});

describe('webhook URLs without WEBHOOK_ALLOW_PRIVATE_URLS', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it.each([
    ['http', 'http://example.com/hook'],
    ['loopback', 'https://127.0.0.1/hook'],
    ['a name of loopback', 'https://localhost/hook'],
    ['IPv6 loopback', 'https://[::1]/hook'],
    ['a private network', 'https://10.0.0.8/hook'],
    ['link-local (cloud metadata)', 'https://169.254.169.254/latest'],
  ])('refuses %s with 400', async (_name, url) => {
    expectValidationError(await webhooksApi(t).post({ url, events: ['webhook.test'] }), ['url']);
  });

  it('accepts https to a public address', async () => {
    const w = await webhooksApi(t).create({
      url: 'https://8.8.8.8/hook',
      events: ['webhook.test'],
    });
    expect(w.url).toBe('https://8.8.8.8/hook');
    await webhooksApi(t).remove(w.id);
  });

  it('checks the address again at send time (a name that now resolves to loopback)', async () => {
    const attempts = attemptsOf(t);
    const api = webhooksApi(t);
    // as if the name resolved to a public address when saved, and to loopback now (rebinding)
    const port = new URL(receiver.url).port;
    const [{ id }] = await t.app.get(DataSource).query(
      `INSERT INTO webhooks (url, events, secret, created_at)
       VALUES ($1, '{webhook.test}', 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', now()) RETURNING id`,
      [`https://localhost:${port}/rebound`],
    );
    expect((await api.send('post', `/${id}/test`)).status).toBe(202);
    await attempts.until(async () => (await api.deliveries(id))[0]?.status === 'failed');
    expect((await api.deliveries(id))[0].error).toMatch(/localhost resolves to .*loopback/);
    expect(receiver.received).toEqual([]);
  });
});

describe('webhook delivery is at least once', () => {
  it('delivers an event committed by a node that died before dispatching it', async () => {
    const receiver = new WebhookReceiver();
    await receiver.start();
    const env = { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' };
    const first = await startTestApp(env);
    const api = webhooksApi(first);
    const w = await api.create({ url: `${receiver.url}/survivor`, events: ['message.created'] });
    const [a, b] = await createJoiningUsers(first, 2);
    const direct = await chat(first).direct(a, b);
    await first.drain();

    // the node commits the message and its outbox event, then dies before dispatching it
    const dispatcher = first.app.get(OutboxDispatcher);
    await dispatcher.stop();
    jest.spyOn(dispatcher, 'dispatch').mockImplementation(() => undefined);
    const sent = await chat(first).send(a, direct.id, 'survives the crash');
    const db = first.app.get(DataSource);
    const [row] = await db.query(
      `SELECT event_id FROM outbox WHERE name = 'message.created' AND payload->>'messageId' = $1`,
      [sent.id],
    );
    expect(row).toBeDefined();
    // its lease ran out: the node is gone
    await db.query(`UPDATE outbox SET claimed_until = now() - interval '1 second'`);
    await first.app.close();

    const second = await startTestApp(env, first.db);
    try {
      const [r] = await receiver.until('/survivor', 1, (x) => x.json.data.id === sent.id);
      expect(r.headers['webhook-id']).toBe(row.event_id);
      expect(r.json.data.content).toBe('survives the crash');
      expect(new Webhook(w.secret).verify(r.body, r.headers as Record<string, string>)).toEqual(
        r.json,
      );
      await second.drain();
      expect(receiver.at('/survivor', (x) => x.json.data.id === sent.id)).toHaveLength(1);
    } finally {
      await second.close();
      await first.db.drop();
      await receiver.close();
    }
  });
});
