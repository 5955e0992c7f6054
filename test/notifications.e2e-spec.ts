import { randomUUID } from 'node:crypto';
import { createServer, Server, Socket } from 'node:net';
import { DataSource } from 'typeorm';
import { chat } from './support/chat';
import { expectErrorBody, expectValidationError } from './support/error-body';
import { auth, createUser, TestUser } from './support/factories';
import { FcmEndpoint, UNREGISTERED } from './support/fcm-endpoint';
import { MailCatcher, freePort } from './support/mail-catcher';
import { PushEndpoint, SubscriptionKeys } from './support/push-endpoint';
import { ClientSocket, connect, record, settle, waitFor } from './support/sockets';
import { API, startTestApp, TestApp } from './support/test-app';

/**
 * Short for tests, yet long enough for a burst of sends on a busy machine. `drain()` waits for
 * delayed jobs too, so every "nothing else was sent" below costs at most one window.
 */
const WINDOW_MS = 700;
const RETRY_MS = 200;

/**
 * An SMTP server that is down: it hangs up on every connection at once, and counts them, so a
 * test can wait for the service's attempts instead of for time to pass.
 */
class HangingUpSmtp {
  connections = 0;
  private readonly server: Server;
  private readonly waiters = new Set<() => void>();

  private constructor() {
    this.server = createServer((socket: Socket) => {
      this.connections++;
      socket.destroy();
      for (const wake of [...this.waiters]) wake();
    });
  }

  static async start(port: number): Promise<HangingUpSmtp> {
    const smtp = new HangingUpSmtp();
    await new Promise<void>((resolve) => smtp.server.listen(port, '127.0.0.1', resolve));
    return smtp;
  }

  /** Resolves once `count` connections were hung up on. */
  attempts(count: number, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.connections < count) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${this.connections} of ${count} SMTP attempts within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Client helpers for the app `app()` returns, with the sockets they opened. */
function clientOf(app: () => TestApp) {
  const sockets: ClientSocket[] = [];
  const open = async (user: TestUser) => {
    const s = await connect(app().url, user.token);
    sockets.push(s);
    await settle(s);
    return s;
  };

  let n = 0;
  /** A verified user with a unique display name, so mentions of it are unambiguous. */
  const user = (opts: { locale?: 'en' | 'ar'; name?: string } = {}) =>
    createUser(app(), {
      displayName: `${opts.name ?? 'Person'} ${++n}${randomUUID().slice(0, 4)}`,
      ...opts,
    });

  const list = async (u: TestUser, query = '') => {
    const res = await app()
      .http()
      .get(`${API}/notifications${query}`)
      .set(auth(u.token))
      .expect(200);
    return res.body as { items: Record<string, any>[]; nextCursor: string | null };
  };
  /** The user's notifications, newest first, once the events so far are dispatched: `count` at least. */
  const notificationsOf = async (u: TestUser, count = 1) => {
    await app().drainEvents();
    const { items } = await list(u);
    expect(items.length).toBeGreaterThanOrEqual(count);
    return items;
  };
  const unreadCount = async (u: TestUser) =>
    (await app().http().get(`${API}/notifications/unread-count`).set(auth(u.token)).expect(200))
      .body.count as number;
  const settings = (u: TestUser, patch: object) =>
    app()
      .http()
      .patch(`${API}/users/me/message-settings`)
      .set(auth(u.token))
      .send(patch)
      .expect(200);
  const mute = (u: TestUser, conversationId: string) =>
    app()
      .http()
      .post(`${API}/conversations/${conversationId}/mute`)
      .set(auth(u.token))
      .send({})
      .expect(200);
  const accept = (u: TestUser, conversationId: string) =>
    app()
      .http()
      .post(`${API}/conversations/${conversationId}/invitation/accept`)
      .set(auth(u.token))
      .expect(200);
  /** A group whose members all accepted their invitations. */
  const joinedGroup = async (admin: TestUser, members: TestUser[], title = 'Team') => {
    const group = await chat(app()).group(admin, members, title);
    for (const m of members) await accept(m, group.id);
    return group;
  };
  const subscribe = (u: TestUser, endpoint: string, keys = new SubscriptionKeys()) =>
    app()
      .http()
      .post(`${API}/notifications/push-subscriptions`)
      .set(auth(u.token))
      .send({ endpoint, keys: keys.json });
  const subscribeFcm = (u: TestUser, token: string, platform = 'android') =>
    app()
      .http()
      .post(`${API}/notifications/push-subscriptions`)
      .set(auth(u.token))
      .send({ type: 'fcm', token, platform });

  const closeSockets = () => {
    for (const s of sockets.splice(0)) s.close();
  };
  return {
    open,
    closeSockets,
    user,
    list,
    notificationsOf,
    unreadCount,
    settings,
    mute,
    accept,
    joinedGroup,
    subscribe,
    subscribeFcm,
  };
}

describe('notifications', () => {
  let t: TestApp;
  let mail: MailCatcher;
  let push: PushEndpoint;
  let fcm: FcmEndpoint;
  const {
    open,
    closeSockets,
    user,
    list,
    notificationsOf,
    unreadCount,
    settings,
    mute,
    accept,
    joinedGroup,
    subscribe,
    subscribeFcm,
  } = clientOf(() => t);

  beforeAll(async () => {
    [mail, push, fcm] = await Promise.all([
      MailCatcher.start(),
      PushEndpoint.start(),
      FcmEndpoint.start(),
    ]);
    t = await startTestApp({
      ...fcm.env,
      SMTP_URL: mail.url,
      MAIL_FROM: 'Chat <no-reply@chat.test>',
      EMAIL_BATCH_WINDOW_MS: String(WINDOW_MS),
      NOTIFICATION_RETRY_DELAY_MS: String(RETRY_MS),
    });
  });
  afterEach(closeSockets);
  afterAll(async () => {
    await t.close();
    await Promise.all([mail.stop(), push.stop(), fcm.stop()]);
  });

  describe('in-app', () => {
    it('notifies the other participant of a message, with the sender as title and a preview', async () => {
      const [alice, bob] = await Promise.all([user({ name: 'Alice' }), user({ name: 'Bob' })]);
      const direct = await chat(t).direct(alice, bob);
      const sent = await chat(t).send(alice, direct.id, '  see you\n at five  ');
      const [notification] = await notificationsOf(bob);
      expect(notification).toEqual({
        id: expect.any(String),
        type: 'message',
        conversationId: direct.id,
        messageId: sent.id,
        title: alice.displayName,
        body: 'see you at five',
        isRead: false,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      expect((await list(alice)).items).toEqual([]);
    });

    it('counts unread notifications, reads one (again: still 204) and then all', async () => {
      const [alice, bob] = await Promise.all([user(), user()]);
      const direct = await chat(t).direct(alice, bob);
      for (const text of ['one', 'two', 'three']) await chat(t).send(alice, direct.id, text);
      const items = await notificationsOf(bob, 3);
      expect(await unreadCount(bob)).toBe(3);

      for (let i = 0; i < 2; i++) {
        await t
          .http()
          .post(`${API}/notifications/${items[0].id}/read`)
          .set(auth(bob.token))
          .expect(204);
      }
      expect(await unreadCount(bob)).toBe(2);
      const unread = await list(bob, '?unreadOnly=true');
      expect(unread.items.map((x) => x.id)).toEqual([items[1].id, items[2].id]);

      await t.http().post(`${API}/notifications/read-all`).set(auth(bob.token)).expect(204);
      expect(await unreadCount(bob)).toBe(0);
      expect((await list(bob)).items.every((x) => x.isRead)).toBe(true);
      expect((await list(bob, '?unreadOnly=true')).items).toEqual([]);
    });

    it('says mention to the user named as @displayName (any case), message to the others', async () => {
      const [alice, bob, carol] = await Promise.all([
        user({ name: 'Alice' }),
        user({ name: 'Bob' }),
        user({ name: 'Carol' }),
      ]);
      const group = await joinedGroup(alice, [bob, carol], 'Launch');
      const sent = await chat(t).send(alice, group.id, `ping @${bob.displayName.toUpperCase()}!`);
      const [forBob] = (await notificationsOf(bob, 2)).filter((x) => x.messageId === sent.id);
      const [forCarol] = (await notificationsOf(carol, 2)).filter((x) => x.messageId === sent.id);
      expect(forBob).toMatchObject({ type: 'mention', title: `${alice.displayName} · Launch` });
      expect(forCarol).toMatchObject({ type: 'message', title: `${alice.displayName} · Launch` });
    });

    it('notifies an invitation to a group with group_invite, and no system message', async () => {
      const [alice, bob] = await Promise.all([user({ name: 'Alice' }), user()]);
      const group = await chat(t).group(alice, [bob], 'Book club');
      const [invite] = await notificationsOf(bob);
      expect(invite).toMatchObject({
        type: 'group_invite',
        conversationId: group.id,
        messageId: null,
        title: 'Book club',
        body: `${alice.displayName} invited you to join the group`,
        isRead: false,
      });
      await accept(bob, group.id);
      const sent = await chat(t).send(alice, group.id, 'welcome');
      const items = await notificationsOf(bob, 2);
      expect(items.map((x) => x.messageId)).toEqual([sent.id, null]);
      expect(items.map((x) => x.type)).toEqual(['message', 'group_invite']);
    });

    it('stores the notification of a muted conversation already read, and emits nothing', async () => {
      const [alice, bob] = await Promise.all([user(), user()]);
      const direct = await chat(t).direct(alice, bob);
      await mute(bob, direct.id);
      const s = await open(bob);
      const seen = record(s, ['notification:new']);
      await chat(t).send(alice, direct.id, 'shh');
      const [notification] = await notificationsOf(bob);
      expect(notification.isRead).toBe(true);
      expect(await unreadCount(bob)).toBe(0);
      await settle(s);
      expect(seen).toEqual([]);
    });

    it('emits notification:new to every socket of the recipient and none to the sender', async () => {
      const [alice, bob] = await Promise.all([user(), user()]);
      const direct = await chat(t).direct(alice, bob);
      const [a1, b1, b2] = await Promise.all([open(alice), open(bob), open(bob)]);
      const aliceSeen = record(a1, ['notification:new']);
      const events = [b1, b2].map((s) => waitFor(s, 'notification:new'));
      const sent = await chat(t).send(alice, direct.id, 'live');
      const [stored] = await notificationsOf(bob);
      for (const event of await Promise.all(events)) {
        expect(event).toEqual({ notification: stored });
      }
      expect(stored).toMatchObject({ messageId: sent.id, body: 'live' });
      await settle(a1);
      expect(aliceSeen).toEqual([]);
    });

    it.each(['e2e', 'at_rest'])(
      'keeps no preview of a message in an %s conversation',
      async (encryption) => {
        const [alice, bob] = await Promise.all([user(), user()]);
        const res = await t
          .http()
          .post(`${API}/conversations`)
          .set(auth(alice.token))
          .send({ type: 'direct', participantIds: [bob.id], encryption })
          .expect(201);
        const text = `hello @${bob.displayName}, the secret`;
        await chat(t).send(
          alice,
          res.body.id,
          encryption === 'e2e' ? Buffer.from(text).toString('base64') : text,
        );
        const [notification] = await notificationsOf(bob);
        expect(notification).toMatchObject({ body: '', title: alice.displayName });
        if (encryption === 'e2e') expect(notification.type).toBe('message');
      },
    );

    it('pages newest first with an exact cursor, never skipping or repeating while new ones arrive', async () => {
      const [alice, bob] = await Promise.all([user(), user()]);
      const direct = await chat(t).direct(alice, bob);
      for (let i = 1; i <= 5; i++) await chat(t).send(alice, direct.id, `m${i}`);
      await notificationsOf(bob, 5);

      const first = await list(bob, '?limit=2');
      expect(first.items.map((x) => x.body)).toEqual(['m5', 'm4']);
      await chat(t).send(alice, direct.id, 'm6');
      await notificationsOf(bob, 6);
      const second = await list(bob, `?limit=2&cursor=${first.nextCursor}`);
      expect(second.items.map((x) => x.body)).toEqual(['m3', 'm2']);
      const third = await list(bob, `?limit=2&cursor=${second.nextCursor}`);
      expect(third.items.map((x) => x.body)).toEqual(['m1']);
      expect(third.nextCursor).toBeNull();
    });

    it('answers 404 for someone else’s notification or push subscription, and leaves them alone', async () => {
      const [alice, bob, carol] = await Promise.all([user(), user(), user()]);
      const direct = await chat(t).direct(alice, bob);
      await chat(t).send(alice, direct.id, 'private');
      const [notification] = await notificationsOf(bob);
      const subscription = await subscribe(bob, push.newEndpoint()).expect(201);

      for (const id of [notification.id, randomUUID()]) {
        const res = await t.http().post(`${API}/notifications/${id}/read`).set(auth(carol.token));
        expectErrorBody(res, 404, 'NOT_FOUND');
      }
      for (const id of [subscription.body.id, randomUUID()]) {
        const res = await t
          .http()
          .delete(`${API}/notifications/push-subscriptions/${id}`)
          .set(auth(carol.token));
        expectErrorBody(res, 404, 'NOT_FOUND');
      }
      expect(await unreadCount(bob)).toBe(1);
      expect((await list(carol)).items).toEqual([]);
      await t
        .http()
        .delete(`${API}/notifications/push-subscriptions/${subscription.body.id}`)
        .set(auth(bob.token))
        .expect(204);
    });

    it('refuses malformed ids, unknown fields, bad limits and bad cursors with 400', async () => {
      const bob = await user();
      const get = (query: string) =>
        t.http().get(`${API}/notifications${query}`).set(auth(bob.token));
      expectValidationError(
        await t.http().post(`${API}/notifications/not-a-uuid/read`).set(auth(bob.token)),
        ['id'],
      );
      expectValidationError(
        await t.http().delete(`${API}/notifications/push-subscriptions/42`).set(auth(bob.token)),
        ['id'],
      );
      for (const limit of ['0', '101', 'ten'])
        expectValidationError(await get(`?limit=${limit}`), ['limit']);
      expectValidationError(await get('?unreadOnly=yes'), ['unreadOnly']);
      expectValidationError(await get('?since=yesterday'), ['since']);
      const forged = Buffer.from(JSON.stringify({ t: 'soon', id: 'x' })).toString('base64url');
      for (const cursor of ['garbage', forged]) {
        expectValidationError(await get(`?cursor=${cursor}`), ['cursor']);
      }
    });

    it('answers 401 on every notifications route without a valid token', async () => {
      const id = randomUUID();
      const routes = [
        t.http().get(`${API}/notifications`),
        t.http().get(`${API}/notifications/unread-count`),
        t.http().post(`${API}/notifications/${id}/read`),
        t.http().post(`${API}/notifications/read-all`),
        t.http().get(`${API}/notifications/push/public-key`),
        t.http().post(`${API}/notifications/push-subscriptions`).send({}),
        t.http().delete(`${API}/notifications/push-subscriptions/${id}`),
      ];
      for (const res of await Promise.all(routes.map((r) => r.set(auth('not-a-token'))))) {
        expectErrorBody(res, 401, 'UNAUTHORIZED');
      }
    });

    it('describes every notifications route in the OpenAPI document', async () => {
      const doc = (await t.http().get('/docs-json').expect(200)).body;
      const operations = [
        ['get', '/api/v1/notifications'],
        ['get', '/api/v1/notifications/unread-count'],
        ['post', '/api/v1/notifications/{id}/read'],
        ['post', '/api/v1/notifications/read-all'],
        ['get', '/api/v1/notifications/push/public-key'],
        ['post', '/api/v1/notifications/push-subscriptions'],
        ['delete', '/api/v1/notifications/push-subscriptions/{id}'],
      ];
      for (const [method, path] of operations) {
        expect(doc.paths[path]?.[method]?.responses).toHaveProperty('401');
      }
      expect(doc.paths['/api/v1/notifications/{id}/read'].post.responses).toHaveProperty('404');
    });

    it('describes notification:new in the AsyncAPI document', async () => {
      const res = await t.http().get('/docs/events-json').expect(200);
      const messages = Object.values(res.body.components.messages as Record<string, any>);
      const event = messages.find((m) => m.name === 'notification:new');
      expect(event.payload.schema).toEqual({ $ref: '#/components/schemas/NotificationEventDto' });
      expect(res.body.components.schemas.NotificationDto.properties).toHaveProperty('isRead');
    });
  });

  describe('push subscriptions', () => {
    it('serves the VAPID public key, the same every time', async () => {
      const bob = await user();
      const get = async () =>
        (
          await t
            .http()
            .get(`${API}/notifications/push/public-key`)
            .set(auth(bob.token))
            .expect(200)
        ).body.publicKey as string;
      const key = await get();
      const bytes = Buffer.from(key, 'base64url');
      expect(bytes).toHaveLength(65);
      expect(bytes[0]).toBe(4);
      expect(await get()).toBe(key);
    });

    it('answers 201 with the same id when an endpoint subscribes again, then 204 and 404 on delete', async () => {
      const bob = await user();
      const endpoint = push.newEndpoint();
      const first = await subscribe(bob, endpoint).expect(201);
      const again = await subscribe(bob, endpoint).expect(201);
      expect(again.body).toEqual({ id: first.body.id });
      const remove = () =>
        t
          .http()
          .delete(`${API}/notifications/push-subscriptions/${first.body.id}`)
          .set(auth(bob.token));
      expect((await remove()).status).toBe(204);
      expectErrorBody(await remove(), 404, 'NOT_FOUND');
    });

    it('refuses a subscription that is not an https endpoint with base64 keys', async () => {
      const bob = await user();
      const keys = new SubscriptionKeys().json;
      const post = (body: unknown) =>
        t
          .http()
          .post(`${API}/notifications/push-subscriptions`)
          .set(auth(bob.token))
          .send(body as object);
      expectValidationError(await post({ endpoint: 'http://push.example.net/x', keys }), [
        'endpoint',
      ]);
      expectValidationError(await post({ endpoint: 'not a url', keys }), ['endpoint']);
      expectValidationError(await post({ endpoint: push.newEndpoint() }), ['keys']);
      expectValidationError(
        await post({ endpoint: push.newEndpoint(), keys: { ...keys, p256dh: 'short' } }),
        ['keys.p256dh'],
      );
      expectValidationError(
        await post({ endpoint: push.newEndpoint(), keys: { ...keys, extra: 1 } }),
        ['keys.extra'],
      );
      expectValidationError(
        await post({ endpoint: push.newEndpoint(), keys, expirationTime: null }),
        ['expirationTime'],
      );
    });
  });

  describe('email', () => {
    it('sends one email for a burst of messages to an offline participant', async () => {
      const [alice, bob] = await Promise.all([user({ name: 'Alice' }), user({ name: 'Bob' })]);
      const direct = await chat(t).direct(alice, bob);
      for (const text of ['first', 'second', 'third']) await chat(t).send(alice, direct.id, text);
      const email = await mail.waitFor(bob.email);
      expect(email.subject).toBe(`3 new messages from ${alice.displayName}`);
      expect(email.from).toBe('no-reply@chat.test');
      expect(email.text).toContain(
        `${alice.displayName}: first\n${alice.displayName}: second\n${alice.displayName}: third`,
      );
      expect(email.html).toContain('<html lang="en" dir="ltr">');
      await t.drain();
      expect(mail.to(bob.email)).toHaveLength(1);
      expect(mail.to(alice.email)).toHaveLength(0);
    });

    it('sends none to members who muted, are online or turned email off', async () => {
      const [alice, muted, online, disabled, offline] = await Promise.all([
        user(),
        user(),
        user(),
        user(),
        user(),
      ]);
      const group = await joinedGroup(alice, [muted, online, disabled, offline], 'Quiet');
      await mute(muted, group.id);
      await open(online);
      await settings(disabled, { emailNotifications: false });
      await chat(t).send(alice, group.id, 'anyone there?');
      const email = await mail.waitFor(offline.email);
      expect(email.subject).toBe('New message in Quiet');
      await t.drain();
      for (const u of [muted, online, disabled]) expect(mail.to(u.email)).toEqual([]);
    });

    it('writes to an Arabic-speaking user in Arabic, right to left', async () => {
      const [alice, bob] = await Promise.all([user(), user({ locale: 'ar' })]);
      const direct = await chat(t).direct(alice, bob);
      await chat(t).send(alice, direct.id, 'مرحبا');
      const email = await mail.waitFor(bob.email);
      expect(email.subject).toBe(`رسالة جديدة من ${alice.displayName}`);
      expect(email.html).toContain('<html lang="ar" dir="rtl">');
      expect(email.html).toContain('dir="rtl"');
      expect(email.html).toContain('مرحبا');
      expect(email.text).toContain('وصلتك رسالة جديدة');
    });

    it('escapes message content in the HTML part', async () => {
      const [alice, bob] = await Promise.all([user(), user()]);
      const direct = await chat(t).direct(alice, bob);
      await chat(t).send(alice, direct.id, '<script>alert("x")</script> & <b>bold</b>');
      const email = await mail.waitFor(bob.email);
      expect(email.html).not.toMatch(/<script|<b>/);
      expect(email.html).toContain(
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;',
      );
      expect(email.text).toContain('<script>alert("x")</script> & <b>bold</b>');
    });
  });

  describe('web push', () => {
    it('pushes a payload that only the subscription’s keys decrypt, naming the conversation and sender', async () => {
      const [alice, bob] = await Promise.all([user({ name: 'Alice' }), user()]);
      const keys = new SubscriptionKeys();
      const endpoint = push.newEndpoint();
      await subscribe(bob, endpoint, keys).expect(201);
      const direct = await chat(t).direct(alice, bob);
      const sent = await chat(t).send(alice, direct.id, 'push me');

      const received = await push.waitFor(endpoint);
      expect(received.headers['content-encoding']).toBe('aes128gcm');
      const publicKey = (
        await t.http().get(`${API}/notifications/push/public-key`).set(auth(bob.token)).expect(200)
      ).body.publicKey as string;
      expect(received.headers.authorization).toMatch(
        new RegExp(`^vapid t=[\\w.-]+, k=${publicKey}$`),
      );
      expect(received.body.toString('utf8')).not.toContain('push me');

      const payload = JSON.parse(keys.decrypt(received.body));
      expect(payload).toMatchObject({
        conversationId: direct.id,
        messageId: sent.id,
        sender: { id: alice.id, displayName: alice.displayName },
        title: alice.displayName,
        body: 'push me',
        notification: { type: 'message', conversationId: direct.id, messageId: sent.id },
      });
      expect(() => new SubscriptionKeys().decrypt(received.body)).toThrow();
    });

    it('pushes nothing to a user who is online or turned push off', async () => {
      const [alice, online, disabled, offline] = await Promise.all([
        user(),
        user(),
        user(),
        user(),
      ]);
      const endpoints = new Map([online, disabled, offline].map((u) => [u, push.newEndpoint()]));
      for (const [u, endpoint] of endpoints) await subscribe(u, endpoint).expect(201);
      await settings(disabled, { pushNotifications: false });
      await open(online);
      const group = await joinedGroup(alice, [online, disabled, offline]);
      await chat(t).send(alice, group.id, 'news');
      await push.waitFor(endpoints.get(offline) as string);
      await t.drain();
      expect(push.to(endpoints.get(online) as string)).toEqual([]);
      expect(push.to(endpoints.get(disabled) as string)).toEqual([]);
    });

    it('removes a subscription whose endpoint answers 410 Gone', async () => {
      const [alice, bob] = await Promise.all([user(), user()]);
      const gone = push.newEndpoint(410);
      const subscription = await subscribe(bob, gone).expect(201);
      const direct = await chat(t).direct(alice, bob);
      await chat(t).send(alice, direct.id, 'anyone?');
      await push.waitFor(gone);
      await t.drain();
      expect(
        await t.app
          .get(DataSource)
          .query(`SELECT id FROM push_subscriptions WHERE id = $1`, [subscription.body.id]),
      ).toEqual([]);
      const res = await t
        .http()
        .delete(`${API}/notifications/push-subscriptions/${subscription.body.id}`)
        .set(auth(bob.token));
      expectErrorBody(res, 404, 'NOT_FOUND');
    });
  });

  describe('push to apps through FCM', () => {
    const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
    const e2eDirect = async (from: TestUser, to: TestUser) =>
      (
        await t
          .http()
          .post(`${API}/conversations`)
          .set(auth(from.token))
          .send({ type: 'direct', participantIds: [to.id], encryption: 'e2e' })
          .expect(201)
      ).body as { id: string };

    it('answers 201 with the same id when a token subscribes again, and deletes it with 204', async () => {
      const bob = await user();
      const token = fcm.newToken();
      const first = await subscribeFcm(bob, token, 'android').expect(201);
      const again = await subscribeFcm(bob, token, 'ios').expect(201);
      expect(again.body).toEqual({ id: first.body.id });
      const db = t.app.get(DataSource);
      const [stored] = await db.query(
        `SELECT type, token, platform, endpoint FROM push_subscriptions WHERE id = $1`,
        [first.body.id],
      );
      expect(stored).toEqual({ type: 'fcm', token, platform: 'ios', endpoint: null });
      await t
        .http()
        .delete(`${API}/notifications/push-subscriptions/${first.body.id}`)
        .set(auth(bob.token))
        .expect(204);
    });

    it('refuses an FCM subscription without a token or platform, or mixed with Web Push fields', async () => {
      const bob = await user();
      const post = (body: object) =>
        t.http().post(`${API}/notifications/push-subscriptions`).set(auth(bob.token)).send(body);
      const keys = new SubscriptionKeys().json;
      expectValidationError(await post({ type: 'fcm', platform: 'android' }), ['token']);
      expectValidationError(await post({ type: 'fcm', token: 'x'.repeat(4097), platform: 'ios' }), [
        'token',
      ]);
      expectValidationError(await post({ type: 'fcm', token: 'abc', platform: 'windows' }), [
        'platform',
      ]);
      expectValidationError(await post({ type: 'fcm', token: 'abc' }), ['platform']);
      expectValidationError(
        await post({ type: 'fcm', token: 'abc', platform: 'web', endpoint: push.newEndpoint() }),
        ['endpoint'],
      );
      expectValidationError(await post({ endpoint: push.newEndpoint(), keys, token: 'abc' }), [
        'token',
      ]);
      expectValidationError(await post({ type: 'apns', token: 'abc', platform: 'ios' }), [
        'type',
        'token',
        'platform',
      ]);
      expect(
        await t.app
          .get(DataSource)
          .query(`SELECT 1 FROM push_subscriptions WHERE user_id = $1`, [bob.id]),
      ).toEqual([]);
    });

    it('sends a high-priority message collapsed per conversation, with a token from a JWT the service account signed', async () => {
      const [alice, bob] = await Promise.all([user({ name: 'Alice' }), user()]);
      const token = fcm.newToken();
      await subscribeFcm(bob, token).expect(201);
      const direct = await chat(t).direct(alice, bob);
      const sent = await chat(t).send(alice, direct.id, 'wake up');

      const [received] = await fcm.waitFor(token);
      expect(received.path).toBe(`/v1/projects/${fcm.projectId}/messages:send`);
      expect(fcm.issued).toContain(received.headers.authorization?.replace(/^Bearer /, ''));
      expect(received.message).toMatchObject({
        token,
        notification: { title: alice.displayName, body: 'wake up' },
        data: { type: 'message', conversationId: direct.id, messageId: sent.id },
        android: { priority: 'high', collapse_key: direct.id },
        apns: { headers: { 'apns-priority': '10', 'apns-collapse-id': direct.id } },
      });

      expect(fcm.tokenRequests.length).toBeGreaterThanOrEqual(1);
      const request = fcm.tokenRequests[0];
      expect(request.form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
      const { header, claims } = fcm.verifiedAssertion(request);
      expect(header.alg).toBe('RS256');
      expect(claims).toMatchObject({
        iss: fcm.clientEmail,
        scope: FCM_SCOPE,
        aud: fcm.tokenUri,
      });
      expect(Number(claims.exp) - Number(claims.iat)).toBeLessThanOrEqual(3600);
    });

    it('keeps the access token until it nears its expiry: later sends ask for no new one', async () => {
      const [alice, bob] = await Promise.all([user(), user()]);
      const token = fcm.newToken();
      await subscribeFcm(bob, token).expect(201);
      const direct = await chat(t).direct(alice, bob);
      await chat(t).send(alice, direct.id, 'one');
      await fcm.waitFor(token, 1);
      const tokensBefore = fcm.tokenRequests.length;
      await chat(t).send(alice, direct.id, 'two');
      const [first, second] = await fcm.waitFor(token, 2);
      expect(fcm.tokenRequests.length).toBe(tokensBefore);
      expect(second.headers.authorization).toBe(first.headers.authorization);
    });

    it('sends no body for an e2e conversation', async () => {
      const [alice, bob] = await Promise.all([user({ name: 'Alice' }), user()]);
      const token = fcm.newToken();
      await subscribeFcm(bob, token, 'ios').expect(201);
      const conversation = await e2eDirect(alice, bob);
      await chat(t).send(alice, conversation.id, Buffer.from('secret plans').toString('base64'));
      const [received] = await fcm.waitFor(token);
      expect(received.message.notification).toEqual({ title: alice.displayName });
      expect(JSON.stringify(received.message)).not.toContain(
        Buffer.from('secret plans').toString('base64'),
      );
      expect(received.message.data.conversationId).toBe(conversation.id);
    });

    it('removes a token FCM calls UNREGISTERED', async () => {
      const [alice, bob] = await Promise.all([user(), user()]);
      const token = fcm.newToken(UNREGISTERED);
      const subscription = await subscribeFcm(bob, token).expect(201);
      const direct = await chat(t).direct(alice, bob);
      await chat(t).send(alice, direct.id, 'anyone?');
      await fcm.waitFor(token);
      await t.drain();
      expect(
        await t.app
          .get(DataSource)
          .query(`SELECT id FROM push_subscriptions WHERE id = $1`, [subscription.body.id]),
      ).toEqual([]);
    });

    it('retries a 503 after its Retry-After, and a 429 without one after the back-off', async () => {
      const [alice, bob, carol] = await Promise.all([user(), user(), user()]);
      const unavailable = fcm.newToken({ status: 503, headers: { 'retry-after': '1' } });
      const throttled = fcm.newToken({ status: 429 });
      await subscribeFcm(bob, unavailable).expect(201);
      await subscribeFcm(carol, throttled).expect(201);
      // Direct conversations: no invitation is pushed before the message.
      const [withBob, withCarol] = await Promise.all([
        chat(t).direct(alice, bob),
        chat(t).direct(alice, carol),
      ]);
      await chat(t).send(alice, withBob.id, 'try again');
      await chat(t).send(alice, withCarol.id, 'try again');

      const [first, retried] = await fcm.waitFor(unavailable, 2);
      expect(retried.at - first.at).toBeGreaterThanOrEqual(950);
      expect(retried.message).toEqual(first.message);
      const [once, again] = await fcm.waitFor(throttled, 2);
      expect(again.at - once.at).toBeGreaterThanOrEqual(RETRY_MS - 50);
      expect(again.at - once.at).toBeLessThan(950);
      await t.drain();
      expect(fcm.to(unavailable)).toHaveLength(2);
      expect(fcm.to(throttled)).toHaveLength(2);
    });

    it('sends nothing through FCM to a user who is online, turned push off, or muted', async () => {
      const [alice, online, disabled, muted, offline] = await Promise.all([
        user(),
        user(),
        user(),
        user(),
        user(),
      ]);
      const tokens = new Map([online, disabled, muted, offline].map((u) => [u, fcm.newToken()]));
      for (const [u, token] of tokens) await subscribeFcm(u, token).expect(201);
      await settings(disabled, { pushNotifications: false });
      await open(online);
      const group = await joinedGroup(alice, [online, disabled, muted, offline]);
      await mute(muted, group.id);
      const sent = await chat(t).send(alice, group.id, 'news');
      const ofMessage = (u: TestUser) =>
        fcm.to(tokens.get(u) as string).filter((s) => s.message.data.messageId === sent.id);
      await fcm.waitFor(tokens.get(offline) as string);
      await t.drain();
      expect(ofMessage(offline)).toHaveLength(1);
      for (const u of [online, disabled, muted]) expect(ofMessage(u)).toEqual([]);
    });

    it('describes both subscription shapes in the OpenAPI document', async () => {
      const doc = (await t.http().get('/docs-json').expect(200)).body;
      const body =
        doc.paths['/api/v1/notifications/push-subscriptions'].post.requestBody.content[
          'application/json'
        ].schema;
      expect(body.oneOf).toEqual([
        { $ref: '#/components/schemas/WebPushSubscriptionBody' },
        { $ref: '#/components/schemas/FcmSubscriptionBody' },
      ]);
      const fcmShape = doc.components.schemas.FcmSubscriptionBody;
      expect(fcmShape.required).toEqual(expect.arrayContaining(['type', 'token', 'platform']));
      expect(fcmShape.properties.platform.enum).toEqual(['android', 'ios', 'web']);
    });
  });
});

describe('notifications decided when the email batch runs', () => {
  const LONG_WINDOW_MS = 1500;
  let t: TestApp;
  let mail: MailCatcher;
  const { open, closeSockets, user, notificationsOf, mute } = clientOf(() => t);

  beforeAll(async () => {
    mail = await MailCatcher.start();
    t = await startTestApp({
      SMTP_URL: mail.url,
      EMAIL_BATCH_WINDOW_MS: String(LONG_WINDOW_MS),
    });
  });
  afterEach(closeSockets);
  afterAll(async () => {
    await t.close();
    await mail.stop();
  });

  /** Alice writes to Bob and to Carol; Bob's notification is stored unread (email pending). */
  const sendToBoth = async () => {
    const [alice, bob, carol] = await Promise.all([user(), user(), user()]);
    const [withBob, withCarol] = await Promise.all([
      chat(t).direct(alice, bob),
      chat(t).direct(alice, carol),
    ]);
    await Promise.all([
      chat(t).send(alice, withBob.id, 'hi'),
      chat(t).send(alice, withCarol.id, 'hi'),
    ]);
    const [queued] = await notificationsOf(bob);
    expect(queued.isRead).toBe(false);
    return { bob, carol, withBob };
  };

  it('sends nothing to a user who muted the conversation after the message', async () => {
    const { bob, carol, withBob } = await sendToBoth();
    await mute(bob, withBob.id);
    await mail.waitFor(carol.email);
    await t.drain();
    expect(mail.to(bob.email)).toEqual([]);
  });

  it('sends nothing to a user who came online after the message', async () => {
    const { bob, carol } = await sendToBoth();
    await open(bob);
    await mail.waitFor(carol.email);
    await t.drain();
    expect(mail.to(bob.email)).toEqual([]);
  });
});

describe('notifications when SMTP is down', () => {
  let t: TestApp;
  let mail: MailCatcher;
  let down: HangingUpSmtp;

  beforeAll(async () => {
    const port = await freePort();
    down = await HangingUpSmtp.start(port);
    mail = new MailCatcher(port);
    t = await startTestApp({
      SMTP_URL: mail.url,
      EMAIL_BATCH_WINDOW_MS: String(WINDOW_MS),
      NOTIFICATION_RETRY_DELAY_MS: String(RETRY_MS),
    });
  });
  afterAll(async () => {
    await t.close();
    await down.stop();
    await mail.stop();
  });

  it('answers sends at once, then delivers one email when SMTP is back', async () => {
    const [alice, bob] = await Promise.all([createUser(t), createUser(t)]);
    const direct = await chat(t).direct(alice, bob);
    const started = Date.now();
    for (let i = 1; i <= 5; i++) await chat(t).send(alice, direct.id, `while down ${i}`);
    expect(Date.now() - started).toBeLessThan(1000);

    // The batch takes the five after the window and fails to send them, then fails its first
    // retry: the second attempt began only once the first had failed and been put back.
    await down.attempts(2);
    const found = await t.app
      .get(DataSource)
      .query<{ email_status: string; email_batch: string | null }[]>(
        `SELECT email_status, email_batch FROM notifications WHERE user_id = $1`,
        [bob.id],
      );
    expect(found).toHaveLength(5);
    expect(found.every((n) => n.email_batch !== null)).toBe(true);
    expect(new Set(found.map((n) => n.email_batch)).size).toBe(1);
    expect(found.map((n) => n.email_status)).toEqual(Array(5).fill('pending'));
    // SMTP comes back while the batch waits to retry.
    await down.stop();
    await mail.listen();
    const email = await mail.waitFor(bob.email, () => true, 15_000);
    for (let i = 1; i <= 5; i++) expect(email.text).toContain(`while down ${i}`);
    await t.drain();
    expect(mail.to(bob.email)).toHaveLength(1);
  });
});

const describeWithRedis = process.env.REDIS_URL ? describe : describe.skip;
if (!process.env.REDIS_URL) {
  console.log(
    'notifications: restart test skipped (queued jobs survive restarts only with REDIS_URL)',
  );
}

describeWithRedis('notifications queued in Redis', () => {
  it('keeps a queued email across a restart of the app', async () => {
    const mail = await MailCatcher.start();
    const env = { SMTP_URL: mail.url, EMAIL_BATCH_WINDOW_MS: '2000' };
    const t = await startTestApp(env);
    let restarted: TestApp | undefined;
    try {
      const [alice, bob] = await Promise.all([createUser(t), createUser(t)]);
      const direct = await chat(t).direct(alice, bob);
      await chat(t).send(alice, direct.id, 'survives restarts');
      // the email is queued (its window not yet over) when the app stops
      await t.drainEvents();
      const res = await t.http().get(`${API}/notifications`).set(auth(bob.token)).expect(200);
      expect(res.body.items).toHaveLength(1);
      await t.app.close();
      expect(mail.mails).toEqual([]);

      restarted = await startTestApp(env, t.db);
      const email = await mail.waitFor(bob.email);
      expect(email.text).toContain('survives restarts');
      await restarted.drain();
      expect(mail.to(bob.email)).toHaveLength(1);
    } finally {
      await restarted?.close();
      await t.db.drop();
      await mail.stop();
    }
  });
});
