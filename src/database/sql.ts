import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { AppConfig } from '../config/app-config';
import { ConnectionAcquireTimeoutError, isAcquireTimeout } from './connections';
import { Transactions } from './transactions';

/** What node-postgres answers. */
interface PgResult {
  rows: unknown[];
  rowCount: number | null;
}
interface PgClient {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<PgResult>;
}

/**
 * How a statement is planned. By default PostgreSQL plans it on every call with that call's
 * values (node-postgres' unnamed statement): the right plan for a history page or a search
 * depends on which conversation and which words.
 *
 * `prepared` is for the hot statements whose best plan is the same for every value (key
 * lookups, the group commit): each connection prepares them once under a stable name, and
 * PostgreSQL chooses per call whether a generic plan pays (`plan_cache_mode = auto`).
 *
 * `generic` (implies `prepared`) is for the few whose custom plan PostgreSQL keeps choosing
 * although the generic one is as good, and whose planning costs more than running them (the
 * group commit, the membership check, the notification recipients: measured with
 * pg_stat_statements' planning times). They are planned once per connection, with
 * GENERIC_SETTINGS set (`SET LOCAL`) around that statement only (in its own transaction, or
 * reset after it in the caller's), never as a session setting. Their plans are proved by
 * test/statements.e2e-spec.ts on a seeded database.
 */
export interface StatementOptions {
  prepared?: boolean;
  generic?: boolean;
}

/**
 * The planner settings of a `generic` statement, scoped to it (see StatementOptions): one plan
 * for every value, made of key lookups. A generic plan is costed for parameters it cannot
 * see (an array of ids counts as ten, and each id as matching many rows), which can tip it
 * towards scanning a whole table and hashing: these statements touch a handful of rows by
 * their keys, whatever the table's size, so only index paths are offered.
 */
const GENERIC_SETTINGS = {
  plan_cache_mode: 'force_generic_plan',
  enable_seqscan: 'off',
  enable_hashjoin: 'off',
  enable_mergejoin: 'off',
};
export const GENERIC_ON = Object.entries(GENERIC_SETTINGS)
  .map(([name, value]) => `SET LOCAL ${name} = ${value}`)
  .join('; ');
export const GENERIC_OFF = Object.keys(GENERIC_SETTINGS)
  .map((name) => `SET LOCAL ${name} TO DEFAULT`)
  .join('; ');

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

/**
 * An error PostgreSQL answered (it carries an SQLSTATE), after which the connection is fine.
 * Not `instanceof DatabaseError`: the embedded database's adapter raises its own errors.
 */
function answeredByServer(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/**
 * The one way the repositories talk SQL: parameterised statements, run in the ambient
 * transaction when there is one (Transactions) and on the node's pool otherwise, with every
 * statement slower than `SLOW_QUERY_MS` logged.
 */
@Injectable()
export class Sql {
  private readonly logger = new Logger('Sql');
  private readonly slowMs: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    config: AppConfig,
  ) {
    this.slowMs = config.slowQueryMs;
  }

  /** Whether statements run in an ambient transaction (Transactions.run) right now. */
  get inTransaction(): boolean {
    return this.transactions.current() !== undefined;
  }

  /** The rows a statement answers. */
  async rows<T>(
    text: string,
    params: unknown[] = [],
    options: StatementOptions = {},
  ): Promise<T[]> {
    return (await this.execute(text, params, options)).rows as T[];
  }

  /** The first row, or null. */
  async row<T>(
    text: string,
    params: unknown[] = [],
    options: StatementOptions = {},
  ): Promise<T | null> {
    return ((await this.execute(text, params, options)).rows[0] as T | undefined) ?? null;
  }

  /** Runs a statement for its effect; answers how many rows it touched. */
  async run(text: string, params: unknown[] = [], options: StatementOptions = {}): Promise<number> {
    return (await this.execute(text, params, options)).rowCount ?? 0;
  }

  private async execute(
    text: string,
    values: unknown[],
    options: StatementOptions,
  ): Promise<PgResult> {
    const prepared = options.prepared || options.generic;
    const config = { name: prepared ? statementName(text) : undefined, text, values };
    const started = performance.now();
    try {
      const runner = this.transactions.current();
      if (runner) {
        const client = (await runner.connect()) as PgClient;
        if (!options.generic) return await client.query(config);
        await client.query({ text: GENERIC_ON, values: [] });
        const result = await client.query(config);
        await client.query({ text: GENERIC_OFF, values: [] });
        return result;
      }
      const client = await this.acquire();
      try {
        const result = options.generic
          ? await this.generically(client, config)
          : await (client as unknown as PgClient).query(config);
        client.release();
        return result;
      } catch (err) {
        // after an error the server answered the connection is fine; after any other, drop it
        client.release(answeredByServer(err) ? undefined : (err as Error));
        throw err;
      }
    } finally {
      const ms = performance.now() - started;
      if (ms >= this.slowMs) {
        this.logger.warn(
          { ms: Math.round(ms), sql: text.replace(/\s+/g, ' ').slice(0, 500) },
          'slow statement',
        );
      }
    }
  }

  /** A `generic` statement outside a transaction: in one of its own, with the plan scoped to it. */
  private async generically(
    client: PgClient,
    config: { name?: string; text: string; values: unknown[] },
  ): Promise<PgResult> {
    await client.query({ text: `BEGIN; ${GENERIC_ON}`, values: [] });
    try {
      const result = await client.query(config);
      await client.query({ text: 'COMMIT', values: [] });
      return result;
    } catch (err) {
      await client.query({ text: 'ROLLBACK', values: [] }).catch(() => undefined);
      throw err;
    }
  }

  private async acquire(): Promise<PoolClient> {
    try {
      const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
      return await pool.connect();
    } catch (err) {
      throw isAcquireTimeout(err) ? new ConnectionAcquireTimeoutError(err) : err;
    }
  }
}
