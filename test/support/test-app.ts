import { join } from 'node:path';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { configureApp, listen } from '../../src/app.setup';
import { AppConfig } from '../../src/config/app-config';
import { RateLimiter } from '../../src/common/rate-limit/rate-limiter';
import { OutboxDispatcher } from '../../src/common/events/outbox-dispatcher';
import { JobQueue } from '../../src/notifications/jobs/job-queue';
import { RealtimeFanout } from '../../src/realtime/realtime-fanout';
import { createTestDatabase, TestDatabase } from './database';

export const ADMIN = { email: 'admin@test.local', password: 'admin-password-1' };
export const API = '/api/v1';

export interface TestApp {
  app: NestExpressApplication;
  url: string;
  /** supertest against the running server */
  http: () => ReturnType<typeof request>;
  db: TestDatabase;
  env: Record<string, string>;
  /**
   * Resolves once the app is idle: every committed event dispatched (outbox empty, its
   * consumers done: notifications stored and their jobs queued), every fan-out emitted (to
   * sockets, which `settle` then flushes), and no notification job left to run, delayed ones
   * (batch windows, retries) included. Assert "nothing arrived" after this, never after a sleep;
   * it takes as long as the longest job delay, so suites configure short ones.
   */
  drain(): Promise<void>;
  /** Like `drain`, without waiting for the jobs: events dispatched, jobs queued, fan-out done. */
  drainEvents(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Boots the real application on a random port with its own database, or on `reuse` (a
 * database of an earlier app of the same test, which then stays for the caller to drop).
 */
export async function startTestApp(
  overrides: Record<string, string> = {},
  reuse?: TestDatabase,
): Promise<TestApp> {
  const db = reuse ?? (await createTestDatabase());
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    DEMO_USERS: 'false',
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_REQUESTS_PER_MINUTE: '100000',
    RATE_LIMIT_MESSAGES_PER_MINUTE: '100000',
    RATE_LIMIT_SOCKET_EVENTS_PER_MINUTE: '100000',
    UPLOAD_DIR: join(db.env.DATA_DIR, 'uploads'),
    ...db.env,
    ...overrides,
  };
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(AppConfig)
    .useValue(new AppConfig(env))
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false });
  configureApp(app);
  try {
    await listen(app, 0, '127.0.0.1');
  } catch (err) {
    // a boot that fails (e.g. on purpose in a test) still releases its database and timers
    await app.close().catch(() => undefined);
    if (!reuse) await db.drop();
    throw err;
  }
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  // Jobs publish no events, so the events first, then the fan-out they and presence queued.
  const drainEvents = async () => {
    await app.get(OutboxDispatcher).drain();
    await app.get(RealtimeFanout).idle();
  };
  return {
    app,
    url,
    env,
    db,
    http: () => request(url),
    drain: async () => {
      await drainEvents();
      await app.get(JobQueue).idle();
      await app.get(RateLimiter).sync();
    },
    drainEvents,
    close: async () => {
      await app.close();
      if (!reuse) await db.drop();
    },
  };
}
