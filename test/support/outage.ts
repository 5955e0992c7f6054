import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { call, ClientSocket, connect } from './sockets';

/** Whether something listens on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function freePort(from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) if (!(await listening(port))) return port;
  throw new Error(`no free port in ${from}..${to}`);
}

export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The PostgreSQL binaries of the machine (Debian keeps them out of PATH). */
function pgBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort().reverse() : [];
  for (const v of versions) {
    const path = join(root, v, 'bin', name);
    if (existsSync(path)) return path;
  }
  return name;
}

/** initdb refuses root: as root, run the server as the `postgres` user. */
const asPostgres = (cmd: string, args: string[]): [string, string[]] =>
  process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];

/**
 * A throwaway PostgreSQL cluster of the test's own, so that it can be restarted without
 * touching the machine's shared server.
 */
export class ThrowawayPostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async create(): Promise<ThrowawayPostgres> {
    const port = await freePort(5433, 5439);
    const dir = mkdtempSync(join(tmpdir(), 'outage-pg-'));
    chmodSync(dir, 0o700);
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(dir, uid, gid);
    }
    const pg = new ThrowawayPostgres(port, dir);
    pg.run('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    await pg.start();
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private run(cmd: string, args: string[]): void {
    const [bin, argv] = asPostgres(pgBin(cmd), args);
    const result = spawnSync(bin, argv, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${cmd} failed: ${result.stderr}${result.stdout}`);
  }

  async start(): Promise<void> {
    this.run('pg_ctl', [
      '-D',
      join(this.dir, 'data'),
      '-l',
      join(this.dir, 'log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      '-w',
      'start',
    ]);
    await until(() => listening(this.port), 15_000, 'PostgreSQL to listen');
  }

  /** Fast shutdown: every session is terminated ("terminating connection due to administrator command"). */
  stop(): void {
    this.run('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
  }

  destroy(): void {
    try {
      this.stop();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A Redis server of the test's own, on a port of 6390..6399, to be stopped and started again. */
export class ThrowawayRedis {
  private constructor(readonly port: number) {}

  static async create(): Promise<ThrowawayRedis> {
    const redis = new ThrowawayRedis(await freePort(6390, 6399));
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    execFileSync('redis-server', [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '--port',
      String(this.port),
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    await until(() => listening(this.port), 10_000, 'Redis to listen');
  }

  async stop(): Promise<void> {
    spawnSync('redis-cli', ['-p', String(this.port), 'shutdown', 'nosave']);
    await until(async () => !(await listening(this.port)), 10_000, 'Redis to stop');
  }
}

export interface Probe {
  at: number;
  status: number;
  ms: number;
  code?: string;
  failing?: string[];
}

/** Polls a route every `everyMs` and keeps what each answer was and how long it took. */
export function poll(url: string, path: string, headers: Record<string, string>, everyMs = 100) {
  const seen: Probe[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      const res = await request(url)
        .get(path)
        .set(headers)
        .timeout(15_000)
        .catch(() => null);
      seen.push({
        at: started,
        status: res?.status ?? 0,
        ms: Date.now() - started,
        code: res?.body?.code,
        failing: res?.body?.details?.failing,
      });
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    seen,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

export interface SendStats {
  /** message ids the server acknowledged, by clientMessageId */
  acked: Map<string, string>;
  failures: { at: number; code: string }[];
  /** time of each acknowledged send */
  ackedAt: number[];
  /** why each socket was closed (`transport close`: the client would reconnect by itself) */
  disconnects: string[];
  /** sends given up after stop() because the server never acknowledged them */
  unacked: string[];
  /** every attempt: when it was emitted and how it ended (`ok` or the error code) */
  attempts: { emittedAt: number; outcome: string }[];
}

/**
 * A client that sends one message after the other on its socket, as a careful client does:
 * a send that fails (503, timeout, lost connection) is sent again with the same
 * clientMessageId, on a new socket when the old one is gone.
 */
export class Sender {
  readonly stats: SendStats = {
    acked: new Map(),
    failures: [],
    ackedAt: [],
    disconnects: [],
    unacked: [],
    attempts: [],
  };
  private running = true;
  private socket: ClientSocket | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private url: () => string,
    private readonly token: string,
    private readonly conversationId: string,
    private readonly prefix: string,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.socket?.close();
  }

  private async ensureSocket(): Promise<ClientSocket> {
    if (this.socket?.connected) return this.socket;
    this.socket?.close();
    const socket = await connect(this.url(), this.token);
    socket.on('disconnect', (reason) => {
      if (this.running) this.stats.disconnects.push(reason);
    });
    this.socket = socket;
    return socket;
  }

  private async run(): Promise<void> {
    for (let i = 0; this.running; i++) {
      const clientMessageId = `${this.prefix}-${i}`;
      // a message is retried until acknowledged, even after stop() was asked (for a while)
      for (let attempt = 0; ; attempt++) {
        if (!this.running && attempt > 100) {
          this.stats.unacked.push(clientMessageId);
          break;
        }
        try {
          const socket = await this.ensureSocket();
          const attempt = { emittedAt: Date.now(), outcome: 'pending' };
          this.stats.attempts.push(attempt);
          const res = await call(socket, 'message:send', {
            conversationId: this.conversationId,
            content: `load ${clientMessageId}`,
            clientMessageId,
          }).catch((err: Error) => {
            attempt.outcome = err.message;
            throw err;
          });
          attempt.outcome = res.ok ? 'ok' : res.error.code;
          if (res.ok) {
            this.stats.acked.set(clientMessageId, res.data.id);
            this.stats.ackedAt.push(Date.now());
            break;
          }
          this.stats.failures.push({ at: Date.now(), code: res.error.code });
        } catch (err) {
          this.stats.failures.push({ at: Date.now(), code: (err as Error).message.slice(0, 40) });
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}
