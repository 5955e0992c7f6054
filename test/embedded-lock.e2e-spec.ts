import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { createTestDatabase, TestDatabase } from './support/database';
import { API } from './support/test-app';

const MAIN = join(__dirname, '..', 'dist', 'src', 'main.js');
const START_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 20_000;

interface ProcessEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A `node dist/src/main.js` process with everything it printed so far. */
class ServerProcess {
  readonly child: ChildProcess;
  private out = '';
  private readonly exit: Promise<ProcessEnd>;

  constructor(env: Record<string, string>) {
    // Only what the service needs: no DATABASE_URL or REDIS_URL leaks in from the test run.
    this.child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        LOG_LEVEL: 'silent',
        PORT: '0',
        DEMO_USERS: 'false',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.out += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.out += chunk.toString()));
    this.exit = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  get output(): string {
    return this.out;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the base URL once the process says it is listening. */
  listening(): Promise<string> {
    const url = new Promise<string>((resolve, reject) => {
      const check = () => {
        const match = /listening on (http:\/\/\S+?)\s/.exec(this.out);
        if (match) resolve(match[1].replace('localhost', '127.0.0.1'));
      };
      this.child.stdout?.on('data', check);
      void this.exit.then(() => reject(new Error(`exited before listening:\n${this.out}`)));
      check();
    });
    return this.withDeadline(url, START_TIMEOUT_MS, 'to listen');
  }

  /** Resolves with how the process ended. */
  exited(): Promise<ProcessEnd> {
    return this.withDeadline(this.exit, EXIT_TIMEOUT_MS, 'to exit');
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    await this.exited();
  }

  private async withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${ms} ms waiting ${what}:\n${this.out}`)),
        ms,
      );
    });
    try {
      return await Promise.race([promise, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

if (process.env.DATABASE_URL) {
  it.skip('embedded DATA_DIR lock: skipped because DATABASE_URL is set, so no embedded database is used', () =>
    undefined);
} else {
  describe('embedded database lock', () => {
    let db: TestDatabase;
    let first: ServerProcess;
    let firstUrl: string;
    const started: ServerProcess[] = [];
    const start = () => {
      const server = new ServerProcess({ DATA_DIR: db.env.DATA_DIR });
      started.push(server);
      return server;
    };
    const credentials = { email: `lock-${randomUUID()}@test.local`, password: 'password-123' };

    beforeAll(async () => {
      if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run the build (npm test does)`);
      db = await createTestDatabase();
      first = start();
      firstUrl = await first.listening();
      await request(firstUrl)
        .post(`${API}/auth/register`)
        .send({ ...credentials, displayName: 'Before The Second' })
        .expect(201);
    }, START_TIMEOUT_MS + 10_000);

    afterAll(async () => {
      for (const server of started) await server.stop();
      await db?.drop();
    }, EXIT_TIMEOUT_MS + 5_000);

    it(
      'refuses a second process on the same DATA_DIR: it exits non-zero saying the folder is in use',
      async () => {
        const second = start();
        const { code } = await second.exited();
        expect(code).not.toBe(0);
        expect(code).not.toBeNull();
        expect(second.output).toContain('in use by another process');
      },
      EXIT_TIMEOUT_MS + 5_000,
    );

    it('keeps the first process healthy, with the data written before', async () => {
      expect(first.running).toBe(true);
      await request(firstUrl).get('/health').expect(200, { status: 'ok' });
      await request(firstUrl).get('/health/ready').expect(200);
      const login = await request(firstUrl).post(`${API}/auth/login`).send(credentials).expect(200);
      const me = await request(firstUrl)
        .get(`${API}/users/me`)
        .set('Authorization', `Bearer ${login.body.accessToken}`)
        .expect(200);
      expect(me.body).toMatchObject({ email: credentials.email, displayName: 'Before The Second' });
    });

    it(
      'stops on SIGTERM and releases the folder, so the next process starts on the same data',
      async () => {
        first.child.kill('SIGTERM');
        const ended = await first.exited();
        expect(ended.code === 0 || ended.signal === 'SIGTERM').toBe(true);
        const next = start();
        const url = await next.listening();
        await request(url).post(`${API}/auth/login`).send(credentials).expect(200);
        await next.stop();
      },
      START_TIMEOUT_MS + EXIT_TIMEOUT_MS,
    );
  });
}
