import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';

type Queryable = DataSource | EntityManager;

/** What node-postgres answers; `command` is the SQL verb (UPDATE, INSERT, SELECT…). */
interface PgResult {
  rows: unknown[];
}
interface PgClient {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<PgResult>;
}

/**
 * Past this many distinct statements a process stops preparing new ones: the repositories
 * write a bounded set of SQL texts (values always go in parameters), so reaching it would
 * mean a text that embeds values, which must not leave a prepared statement behind per call.
 */
const MAX_PREPARED = 1000;
const names = new Map<string, string>();

/** A stable name per SQL text, so each connection parses and plans it once, not per call. */
function statementName(sql: string): string | undefined {
  const known = names.get(sql);
  if (known !== undefined || names.size >= MAX_PREPARED) return known;
  const name = `q_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
  names.set(sql, name);
  return name;
}

/** Runs one statement on the transaction's connection, or on one borrowed from the pool. */
async function execute(db: Queryable, sql: string, params: unknown[]): Promise<PgResult> {
  const config = { name: statementName(sql), text: sql, values: params };
  const transaction = db instanceof EntityManager ? db.queryRunner : undefined;
  if (transaction && !transaction.isReleased) {
    return ((await transaction.connect()) as PgClient).query(config);
  }
  const dataSource = db instanceof DataSource ? db : db.connection;
  const runner = dataSource.createQueryRunner();
  try {
    return await ((await runner.connect()) as PgClient).query(config);
  } finally {
    await runner.release();
  }
}

/**
 * Runs a statement and returns its rows, as a named prepared statement: node-postgres sends
 * an unnamed one by default, which PostgreSQL parses and plans again on every call, and for
 * the service's statements that cost more than running them.
 */
export async function rows<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await execute(db, sql, params)).rows as T[];
}

/** The first row, or null. */
export async function row<T>(
  db: Queryable,
  sql: string,
  params: unknown[] = [],
): Promise<T | null> {
  const all = await rows<T>(db, sql, params);
  return all[0] ?? null;
}
