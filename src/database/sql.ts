import { createHash } from 'node:crypto';
import { DatabaseError } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { ServerDataSource } from './data-source';

type Queryable = DataSource | EntityManager;

/** What node-postgres answers; `command` is the SQL verb (UPDATE, INSERT, SELECT…). */
interface PgResult {
  rows: unknown[];
}
interface PgClient {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<PgResult>;
}

/**
 * How a statement is planned. By default PostgreSQL plans it on every call with that call's
 * values (node-postgres' unnamed statement): the right plan for a history page or a search
 * depends on which conversation and which words, and a cached generic plan made while a
 * table was small keeps scanning it after it has grown.
 *
 * `reusePlan` is for the hot statements whose best plan is the same for every value: each
 * table reached through a key (an index), one row or a handful, and no join between two sets
 * of rows the statement made itself (their sessions do not scan tables, nor hash or merge
 * anything: data-source.ts). Planning them cost more than running them: a send's membership,
 * session and notification lookups took 1.5 ms of planning for 0.2 ms of work. Outside a
 * transaction they run on the server's plan-caching pool (ServerDataSource), prepared once
 * per connection under a stable name and planned once, generically; inside one, or on the
 * embedded database, they are prepared there and PostgreSQL chooses. A cached plan is made
 * again when an ANALYZE changes its tables' statistics, and plan-caching connections are
 * replaced every minute, so no plan outlives that.
 */
export interface StatementOptions {
  reusePlan?: boolean;
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

/** Runs one statement on the transaction's connection, or on one borrowed from a pool. */
async function execute(
  db: Queryable,
  sql: string,
  params: unknown[],
  options: StatementOptions,
): Promise<PgResult> {
  const config = {
    name: options.reusePlan ? statementName(sql) : undefined,
    text: sql,
    values: params,
  };
  const transaction = db instanceof EntityManager ? db.queryRunner : undefined;
  if (transaction && !transaction.isReleased) {
    return ((await transaction.connect()) as PgClient).query(config);
  }
  const dataSource = db instanceof DataSource ? db : db.connection;
  if (options.reusePlan && dataSource instanceof ServerDataSource) {
    const client = await dataSource.planCachingConnection();
    try {
      const result = await client.query(config);
      client.release();
      return result;
    } catch (err) {
      // after an error the server answered, the connection is fine; after any other, drop it
      client.release(err instanceof DatabaseError ? undefined : (err as Error));
      throw err;
    }
  }
  const runner = dataSource.createQueryRunner();
  try {
    return await ((await runner.connect()) as PgClient).query(config);
  } finally {
    await runner.release();
  }
}

/** Runs a statement and returns its rows; see StatementOptions for how it is planned. */
export async function rows<T>(
  db: Queryable,
  sql: string,
  params: unknown[] = [],
  options: StatementOptions = {},
): Promise<T[]> {
  return (await execute(db, sql, params, options)).rows as T[];
}

/** The first row, or null. */
export async function row<T>(
  db: Queryable,
  sql: string,
  params: unknown[] = [],
  options: StatementOptions = {},
): Promise<T | null> {
  const all = await rows<T>(db, sql, params, options);
  return all[0] ?? null;
}
