import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { AppConfig } from '../src/config/app-config';
import { BullmqJobQueue } from '../src/notifications/jobs/bullmq-job-queue';
import { queuePrefix } from '../src/notifications/jobs/job-queue.provider';
import { chat } from './support/chat';
import { AppNode, startNode } from './support/cluster';
import { createTestDatabase, TestDatabase } from './support/database';
import { auth, createUser } from './support/factories';
import { FcmEndpoint } from './support/fcm-endpoint';
import { MailCatcher } from './support/mail-catcher';
import { waitUntilBlockedBy } from './support/pg-locks';
import { PushEndpoint, SubscriptionKeys } from './support/push-endpoint';
import { ADMIN, API, TestApp } from './support/test-app';

const enabled = Boolean(process.env.REDIS_URL && process.env.DATABASE_URL);
/** The outbox lease (src/common/events/outbox-lease.ts, 10 s) plus a poll, an email window, sends. */
const AFTER_LEASE_MS = 30_000;

if (!enabled) {
  describe('outbox across a crash (skipped: set REDIS_URL and DATABASE_URL to run it)', () => {
    it.skip('needs a PostgreSQL server a second node shares, and Redis for its jobs', () =>
      undefined);
  });
}

/**
 * Polls `check` until it holds, with a deadline: for state the app's processes write with no
 * event to wait on (the outbox emptied). Not a sleep before an assertion.
 */
async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

(enabled ? describe : describe.skip)('outbox across a crash', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let mail: MailCatcher;
  let push: PushEndpoint;
  let fcm: FcmEndpoint;
  let sql: Client;
  let jobs: BullmqJobQueue;
  const nodes: AppNode[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    [mail, push, fcm] = await Promise.all([
      MailCatcher.start(),
      PushEndpoint.start(),
      FcmEndpoint.start(),
    ]);
    env = {
      ...db.env,
      ...fcm.env,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_AUTH_PER_MINUTE: '100000',
      RATE_LIMIT_REQUESTS_PER_MINUTE: '100000',
      RATE_LIMIT_MESSAGES_PER_MINUTE: '100000',
      SMTP_URL: mail.url,
      EMAIL_BATCH_WINDOW_MS: '300',
      NOTIFICATION_RETRY_DELAY_MS: '200',
      // the fake Web Push service's self-signed certificate, trusted by the node
      NODE_EXTRA_CA_CERTS: join(__dirname, 'fixtures', 'notifications', 'push-endpoint.cert.pem'),
    };
    sql = new Client({ connectionString: db.env.DATABASE_URL });
    await sql.connect();
    // the nodes' queue, seen from here: Redis holds it, so its counts are every node's
    jobs = new BullmqJobQueue(db.env.REDIS_URL, queuePrefix(new AppConfig(env)), {
      attempts: 1,
      delayMs: 0,
    });
  }, 60_000);

  afterAll(async () => {
    await jobs?.close();
    await sql?.end();
    await Promise.all([mail?.stop(), push?.stop(), fcm?.stop()]);
    await db?.drop();
  });

  const outboxSize = async () =>
    (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n;

  /** What `TestApp.drain` does, for nodes in other processes: outbox empty, then no job left. */
  const drain = async (timeoutMs: number) => {
    await until(async () => (await outboxSize()) === 0, timeoutMs);
    await jobs.idle();
  };

  /**
   * Bob is offline: Alice's message is due a notification, an email and two pushes. n1 commits
   * it, then its dispatch's insert of the notification waits behind a lock this test holds; n1
   * is killed there. `deadInsert` says what becomes of that insert once the lock is released:
   * 'lost' (its backend is terminated first, as when the server notices the client is gone) or
   * 'committed' (PostgreSQL runs the statement it had already received, autocommit, and only
   * then finds the client gone: what happens by default). Then a second node starts.
   */
  async function crashWhileNotifying(deadInsert: 'lost' | 'committed') {
    const n1 = await startNode(env);
    nodes.push(n1);
    const t1 = { http: () => request(n1.url) } as unknown as TestApp;
    const [alice, bob] = await Promise.all([createUser(t1), createUser(t1)]);
    const endpoint = push.newEndpoint();
    const keys = new SubscriptionKeys();
    const token = fcm.newToken();
    for (const body of [
      { endpoint, keys: keys.json },
      { type: 'fcm', token, platform: 'android' },
    ]) {
      await t1
        .http()
        .post(`${API}/notifications/push-subscriptions`)
        .set(auth(bob.token))
        .send(body)
        .expect(201);
    }
    const direct = await chat(t1).direct(alice, bob);
    await drain(10_000);

    const lock = new Client({ connectionString: db.env.DATABASE_URL });
    await lock.connect();
    let sent: { id: string };
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE notifications IN ACCESS EXCLUSIVE MODE');
      sent = await chat(t1).send(alice, direct.id, 'sent just before the crash');
      const [insert] = await waitUntilBlockedBy(lock, 10_000);
      const { rows: pending } = await sql.query<{ name: string }>(`SELECT name FROM outbox`);
      expect(pending.map((r) => r.name)).toEqual(['message.created']);
      await n1.crash();
      if (deadInsert === 'lost') {
        await sql.query('SELECT pg_terminate_backend($1)', [insert]);
      }
    } finally {
      await lock.query('ROLLBACK');
      await lock.end();
    }
    // A node takes over once the dead node's lease on the event ran out.
    nodes.push(await startNode(env));
    return { alice, bob, endpoint, keys, token, sent };
  }

  const expectNotifiedOnce = async (c: Awaited<ReturnType<typeof crashWhileNotifying>>) => {
    const [email] = await Promise.all([
      mail.waitFor(c.bob.email, () => true, AFTER_LEASE_MS),
      push.waitFor(c.endpoint, AFTER_LEASE_MS),
      fcm.waitFor(c.token, 1, AFTER_LEASE_MS),
    ]);
    expect(email.text).toContain('sent just before the crash');
    await drain(AFTER_LEASE_MS);

    const { rows: notifications } = await sql.query<{ user_id: string }>(
      `SELECT user_id FROM notifications WHERE message_id = $1`,
      [c.sent.id],
    );
    expect(notifications).toEqual([{ user_id: c.bob.id }]);
    expect(mail.to(c.bob.email)).toHaveLength(1);
    expect(mail.to(c.alice.email)).toHaveLength(0);
    expect(push.to(c.endpoint)).toHaveLength(1);
    expect(JSON.parse(c.keys.decrypt(push.to(c.endpoint)[0].body))).toMatchObject({
      messageId: c.sent.id,
    });
    expect(fcm.to(c.token)).toHaveLength(1);
    expect(await outboxSize()).toBe(0);
  };

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  it('notifies, emails and pushes once when the node that committed a message died before dispatching it', async () => {
    await expectNotifiedOnce(await crashWhileNotifying('lost'));
  }, 90_000);

  // The dead node's insert commits after it died: the notification exists, but its email and
  // push were never queued; the next node's dispatch of the event finds it and queues them.
  it('notifies, emails and pushes once when the dead node’s insert of the notification committed after it died', async () => {
    await expectNotifiedOnce(await crashWhileNotifying('committed'));
  }, 90_000);
});
