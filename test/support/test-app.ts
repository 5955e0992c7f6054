import { join } from 'node:path';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { configureApp, listen } from '../../src/app.setup';
import { AppConfig } from '../../src/config/app-config';
import { OutboxDispatcher } from '../../src/common/events/outbox-dispatcher';
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
   * Resolves once every committed event has been dispatched (outbox empty, its consumers done:
   * fan-out emitted, notifications stored and their jobs queued). Assert "nothing arrived"
   * after this, never after a sleep.
   */
  drain(): Promise<void>;
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
  return {
    app,
    url,
    env,
    db,
    http: () => request(url),
    drain: () => app.get(OutboxDispatcher).drain(),
    close: async () => {
      await app.close();
      if (!reuse) await db.drop();
    },
  };
}
