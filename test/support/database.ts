import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/** A folder name that changes whenever a migration changes, so a stale template is never reused. */
export function templateDir(): string {
  const dir = join(__dirname, '..', '..', 'migrations');
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort())
    hash.update(file).update(readFileSync(join(dir, file)));
  return join(tmpdir(), `messaging-pglite-template-${hash.digest('hex').slice(0, 12)}`);
}

export interface TestDatabase {
  env: Record<string, string>;
  drop(): Promise<void>;
}

/**
 * The run's Redis (`REDIS_URL`), one logical database per Jest worker. Suites of two workers
 * run at the same time and each is a deployment of its own: one's presence reaper must not
 * take the sockets of a node that another suite killed, nor its queues the other's jobs.
 * (Pub/sub channels stay shared; they name rooms of users that exist in one suite only.)
 * Workers count up from the database `REDIS_URL` names, so two runs on one Redis (CI on
 * `/0`, a developer on `/8`) keep apart.
 */
function testRedis(): Record<string, string> {
  const base = process.env.REDIS_URL;
  if (!base) return {};
  const url = new URL(base);
  const first = Number(url.pathname.slice(1) || 0);
  url.pathname = `/${(first + Number(process.env.JEST_WORKER_ID ?? 0)) % 16}`;
  return { REDIS_URL: url.toString() };
}

/**
 * Each suite gets its own database: a copy of the migrated PGlite template, or a fresh
 * database on the PostgreSQL server when `DATABASE_URL` is set; and its worker's Redis.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  const dataDir = mkdtempSync(join(tmpdir(), 'messaging-test-'));
  if (!serverUrl) {
    cpSync(templateDir(), join(dataDir, 'pglite'), { recursive: true });
    return {
      env: { DATA_DIR: dataDir, ...testRedis() },
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `msg_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: url.toString(), ...testRedis() },
    drop: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
