import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { chat } from './support/chat';
import { AppNode, startNode } from './support/cluster';
import { createTestDatabase } from './support/database';
import { auth, createUser } from './support/factories';
import { poll, Probe, Sender, ThrowawayPostgres, ThrowawayRedis, until } from './support/outage';
import { ADMIN, API, TestApp } from './support/test-app';

const enabled = Boolean(process.env.REDIS_URL && process.env.DATABASE_URL);
/** A request during an outage must be answered within this (fail fast, never hang). */
const FAIL_FAST_MS = 5000;

if (!enabled) {
  describe('outages (skipped: set DATABASE_URL and REDIS_URL to run them)', () => {
    it.skip('need a PostgreSQL server binary and Redis to restart under load', () => undefined);
  });
}

const nodeEnv = (env: Record<string, string>) => ({
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  RATE_LIMIT_AUTH_PER_MINUTE: '100000',
  RATE_LIMIT_REQUESTS_PER_MINUTE: '100000',
  RATE_LIMIT_MESSAGES_PER_MINUTE: '100000',
  RATE_LIMIT_SOCKET_EVENTS_PER_MINUTE: '100000',
  ...env,
});

/** The run's Redis, on a logical database no other suite of this worker uses at the time. */
function workerRedis(): string {
  const url = new URL(process.env.REDIS_URL!);
  url.pathname = `/${Number(process.env.JEST_WORKER_ID ?? 0) % 16}`;
  return url.toString();
}

const appOf = (node: AppNode): TestApp =>
  ({ url: node.url, http: () => request(node.url) }) as unknown as TestApp;

/** Two conversations, each with a sender; returns the senders (not started). */
async function load(t: TestApp, url: () => string) {
  const senders: Sender[] = [];
  const conversations: { id: string; token: string }[] = [];
  for (const name of ['a', 'b']) {
    const [from, to] = [await createUser(t), await createUser(t)];
    const { id } = await chat(t).direct(from, to);
    conversations.push({ id, token: to.token });
    senders.push(new Sender(url, from.token, id, `${name}-${Date.now()}`));
  }
  return { senders, conversations };
}

/** Every message id of a conversation, with its clientMessageId, paging the history. */
async function storedMessages(t: TestApp, token: string, conversationId: string) {
  const found: { id: string; clientMessageId: string | null; seq: string }[] = [];
  // history pages on by seq (its nextCursor is always null): oldest first above the last seen
  for (let afterSeq = '0'; ;) {
    const res: { body: { items: { id: string; clientMessageId: string | null; seq: string }[] } } =
      await t
        .http()
        .get(`${API}/conversations/${conversationId}/messages?afterSeq=${afterSeq}&limit=100`)
        .set(auth(token))
        .expect(200);
    found.push(...res.body.items);
    if (res.body.items.length < 100) return found;
    afterSeq = String(res.body.items[res.body.items.length - 1].seq);
  }
}

/** Acknowledged messages that are not stored exactly once. */
async function lostOrDoubled(
  t: TestApp,
  senders: Sender[],
  conversations: { id: string; token: string }[],
) {
  let lost = 0;
  let doubled = 0;
  for (const [i, sender] of senders.entries()) {
    const stored = await storedMessages(t, conversations[i].token, conversations[i].id);
    const ids = new Set(stored.map((m) => m.id));
    for (const id of sender.stats.acked.values()) if (!ids.has(id)) lost++;
    const perClientId = new Map<string, number>();
    for (const m of stored) {
      if (m.clientMessageId)
        perClientId.set(m.clientMessageId, (perClientId.get(m.clientMessageId) ?? 0) + 1);
    }
    doubled += [...perClientId.values()].filter((n) => n > 1).length;
  }
  return { lost, doubled };
}

const after = (probes: Probe[], from: number, to = Infinity) =>
  probes.filter((p) => p.at >= from && p.at < to);

/**
 * Runs load, takes a dependency down until health says so and requests have failed fast for a
 * while, brings it back, and waits for the service to recover by itself. Returns the figures.
 */
async function outage(
  node: AppNode,
  part: 'database' | 'redis',
  down: () => Promise<void> | void,
  up: () => Promise<void>,
) {
  const t = appOf(node);
  const { senders, conversations } = await load(t, () => node.url);
  const watcher = await createUser(t);
  for (const s of senders) s.start();
  const health = poll(node.url, '/health/ready', {});
  const api = poll(node.url, `${API}/users/me`, auth(watcher.token));
  try {
    await until(async () => senders.every((s) => s.stats.acked.size >= 5), 30_000, 'load');
    const downAt = Date.now();
    await down();
    // the outage lasts at least 2 s, and until health has said so three times
    await until(
      async () =>
        Date.now() - downAt >= 2000 &&
        after(health.seen, downAt).filter((p) => p.status === 503).length >= 3,
      30_000,
      `/health/ready to report ${part} down`,
    );
    const upAt = Date.now();
    await up();
    await until(
      async () =>
        after(health.seen, upAt).some((p) => p.status === 200) &&
        senders.every((s) => s.stats.ackedAt.some((at) => at > upAt)),
      60_000,
      'the service to recover',
    );
    const readyAt = after(health.seen, upAt).find((p) => p.status === 200)!.at;
    const sendingAt = Math.max(...senders.map((s) => s.stats.ackedAt.find((at) => at > upAt)!));
    await Promise.all(senders.map((s) => s.stop()));
    await Promise.all([health.stop(), api.stop()]);
    const during = [...after(health.seen, downAt), ...after(api.seen, downAt)];
    const failedSends = senders.reduce(
      (n, s) => n + s.stats.failures.filter((f) => f.at >= downAt).length,
      0,
    );
    const { lost, doubled } = await lostOrDoubled(t, senders, conversations);
    return {
      part,
      outageMs: upAt - downAt,
      recoverMs: Math.max(readyAt, sendingAt) - upAt,
      failedRequests: during.filter((p) => p.status !== 200).length + failedSends,
      failedSends,
      acked: senders.reduce((n, s) => n + s.stats.acked.size, 0),
      unacked: senders.reduce((n, s) => n + s.stats.unacked.length, 0),
      lost,
      doubled,
      healthDuring: after(health.seen, downAt, upAt),
      apiDuring: after(api.seen, downAt),
      sendFailureCodes: [...new Set(senders.flatMap((s) => s.stats.failures.map((f) => f.code)))],
      slowest: Math.max(...during.map((p) => p.ms)),
    };
  } finally {
    await Promise.all(senders.map((s) => s.stop()));
    await Promise.all([health.stop(), api.stop()]);
  }
}

function report(name: string, figures: Awaited<ReturnType<typeof outage>>): void {
  const { healthDuring: _h, apiDuring: _a, ...shown } = figures;
  process.stdout.write(`OUTAGE ${name}: ${JSON.stringify(shown)}\n`);
}

function expectSurvived(node: AppNode, figures: Awaited<ReturnType<typeof outage>>): void {
  expect(node.process.exitCode).toBeNull();
  expect(node.process.signalCode).toBeNull();
  // /health/ready said 503 UNAVAILABLE naming the part while it was down
  const down = figures.healthDuring.filter((p) => p.status !== 200);
  expect(down.length).toBeGreaterThan(0);
  for (const p of down) {
    expect(p).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    expect(p.failing).toContain(figures.part);
  }
  // requests failed fast with 503, never 500 or 401, and none hung
  for (const p of figures.apiDuring) expect([200, 503]).toContain(p.status);
  expect(
    figures.apiDuring.filter((p) => p.status === 503).every((p) => p.code === 'UNAVAILABLE'),
  ).toBe(true);
  expect(figures.slowest).toBeLessThan(FAIL_FAST_MS);
  expect(figures.sendFailureCodes).not.toContain('INTERNAL');
  expect(figures.sendFailureCodes).not.toContain('UNAUTHORIZED');
  // nothing acknowledged was lost, nothing stored twice, nothing left unacknowledged
  expect(figures.lost).toBe(0);
  expect(figures.doubled).toBe(0);
  expect(figures.unacked).toBe(0);
}

/** SIGTERM and the exit code (0: drained). */
async function stopWithExitCode(node: AppNode): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) =>
    node.process.exitCode !== null
      ? resolve(node.process.exitCode)
      : node.process.once('exit', (code) => resolve(code)),
  );
  await node.stop();
  return exited;
}

(enabled ? describe : describe.skip)('outages survived (server mode)', () => {
  jest.setTimeout(180_000);
  const dataDirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'outage-data-'));
    dataDirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('survives PostgreSQL restarting under load: 503 while down, recovers by itself, loses nothing', async () => {
    const pg = await ThrowawayPostgres.create();
    let node: AppNode | undefined;
    try {
      node = await startNode(
        nodeEnv({ DATABASE_URL: pg.url, REDIS_URL: workerRedis(), DATA_DIR: dataDir() }),
      );
      const figures = await outage(
        node,
        'database',
        () => pg.stop(),
        () => pg.start(),
      );
      report('postgres-restart', figures);
      expectSurvived(node, figures);
      expect(await stopWithExitCode(node)).toBe(0);
    } finally {
      await node?.crash();
      pg.destroy();
    }
  });

  it('survives Redis restarting under load: 503 while down, recovers by itself, loses nothing', async () => {
    const redis = await ThrowawayRedis.create();
    const db = await createTestDatabase();
    let node: AppNode | undefined;
    try {
      node = await startNode(nodeEnv({ ...db.env, REDIS_URL: redis.url }));
      const figures = await outage(
        node,
        'redis',
        () => redis.stop(),
        () => redis.start(),
      );
      report('redis-restart', figures);
      expectSurvived(node, figures);
      expect(await stopWithExitCode(node)).toBe(0);
    } finally {
      await node?.crash();
      await redis.stop().catch(() => undefined);
      await db.drop();
    }
  });

  it('drains on SIGTERM while clients send: finishes in-flight sends, closes sockets, exits 0', async () => {
    const db = await createTestDatabase();
    const env = nodeEnv({ ...db.env });
    const [first, second] = await Promise.all([startNode(env), startNode(env)]);
    try {
      // a load balancer: new connections go to the first node until it stops accepting
      let target = first;
      const t = appOf(second);
      const { senders, conversations } = await load(appOf(first), () => target.url);
      for (const s of senders) s.start();
      await until(async () => senders.every((s) => s.stats.acked.size >= 10), 30_000, 'load');
      const termAt = Date.now();
      const exitCode = stopWithExitCode(first);
      target = second;
      const code = await exitCode;
      const exitedAt = Date.now();
      await until(
        async () => senders.every((s) => s.stats.ackedAt.some((at) => at > exitedAt)),
        30_000,
        'the clients to go on sending through the other node',
      );
      const resumedAt = Math.max(
        ...senders.map(
          (s) => s.stats.ackedAt.find((at) => at > termAt && s.stats.disconnects.length > 0) ?? 0,
        ),
      );
      await Promise.all(senders.map((s) => s.stop()));
      const { lost, doubled } = await lostOrDoubled(t, senders, conversations);
      const failures = senders.flatMap((s) => s.stats.failures.filter((f) => f.at >= termAt));
      // sends in flight when the signal came
      const inFlight = senders.flatMap((s) =>
        s.stats.attempts.filter((a) => a.emittedAt < termAt && a.outcome !== 'ok'),
      );
      const figures = {
        drainMs: exitedAt - termAt,
        recoverMs: resumedAt - termAt,
        inFlightNotFinished: inFlight.length,
        failedSends: failures.length,
        failureCodes: [...new Set(failures.map((f) => f.code))],
        disconnects: senders.flatMap((s) => s.stats.disconnects),
        acked: senders.reduce((n, s) => n + s.stats.acked.size, 0),
        unacked: senders.reduce((n, s) => n + s.stats.unacked.length, 0),
        lost,
        doubled,
      };
      process.stdout.write(
        `OUTAGE sigterm-drain: ${JSON.stringify({ exitCode: code, ...figures })}\n`,
      );
      expect(code).toBe(0);
      // the sockets were closed under the clients (a transport close: they reconnect by themselves)
      expect(figures.disconnects.length).toBeGreaterThanOrEqual(senders.length);
      expect(figures.disconnects.every((reason) => reason === 'transport close')).toBe(true);
      expect(figures.failureCodes).not.toContain('INTERNAL');
      // every send emitted before SIGTERM was acknowledged (none cut off by the close)
      expect(inFlight).toEqual([]);
      expect(lost).toBe(0);
      expect(doubled).toBe(0);
      expect(figures.unacked).toBe(0);
    } finally {
      await Promise.all([first.crash(), second.stop()]);
      await db.drop();
    }
  });
});
