import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { escapeLiteral, type Pool, type PoolClient } from 'pg';
import { prepareValue } from 'pg/lib/utils';
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
/** A simple-protocol query of several statements answers one result each. */
type PgResults = PgResult | PgResult[];

/**
 * How a statement is planned. By default PostgreSQL plans it on every call with that call's
 * values (node-postgres' unnamed statement): the right plan for a history page or a search
 * depends on which conversation and which words.
 *
 * `prepared` is for the hot statements whose best plan is the same for every value (key
 * lookups, the group commit): each connection prepares them once under a stable name, and
 * PostgreSQL chooses per call whether a generic plan pays (`plan_cache_mode = auto`).
 *
 * `generic` is for the few whose custom plan PostgreSQL keeps choosing although the generic
 * one is as good, and whose planning costs more than running them (the group commit, the
 * membership check, the notification recipients: measured with pg_stat_statements' planning
 * times; the session and visibility lookups and the outbox prune, asked for every request or
 * event). Each connection prepares them once (`PREPARE`), and each call is one round trip of
 * the simple protocol: GENERIC_SETTINGS set locally, `EXECUTE` with the values as literals
 * (escaped as node-postgres escapes them). A local setting lasts for that query string only
 * (an implicit transaction of its own), or is put back in the caller's transaction: never a
 * session setting. Their plans are proved by
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
/** One statement (`set_config(…, true)` is `SET LOCAL`), not one per setting. */
export const GENERIC_ON = `SELECT ${Object.entries(GENERIC_SETTINGS)
  .map(([name, value]) => `set_config('${name}', '${value}', true)`)
  .join(', ')}`;
export const GENERIC_OFF = Object.keys(GENERIC_SETTINGS)
  .map((name) => `SET LOCAL ${name} TO DEFAULT`)
  .join('; ');

/**
 * Per connection, the `generic` statements it has prepared (or is preparing: callers that run
 * at once on one connection, as statements of one transaction may, share the one PREPARE).
 */
const preparedOn = new WeakMap<object, Map<string, Promise<void>>>();
const UNDEFINED_PREPARED_STATEMENT = '26000';

/** A value as an SQL literal: the text node-postgres would send for it as a parameter. */
export function literal(value: unknown): string {
  const text = prepareValue(value);
  if (text === null) return 'NULL';
  if (typeof text !== 'string') throw new Error('a generic statement takes no binary values');
  return escapeLiteral(text);
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
    const config = { name: options.prepared ? statementName(text) : undefined, text, values };
    const started = performance.now();
    try {
      const runner = this.transactions.current();
      if (runner) {
        const client = (await runner.connect()) as PgClient;
        return await (options.generic
          ? this.generically(client, text, values)
          : client.query(config));
      }
      const client = await this.acquire();
      try {
        const result = await (options.generic
          ? this.generically(client, text, values)
          : (client as unknown as PgClient).query(config));
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

  /** A `generic` statement: prepared once on this connection, then one round trip a call. */
  private async generically(client: PgClient, text: string, values: unknown[]): Promise<PgResult> {
    const name = `g${statementName(text) ?? ''}`;
    if (name === 'g') throw new Error('too many distinct statements to prepare another');
    let prepared = preparedOn.get(client);
    if (!prepared) preparedOn.set(client, (prepared = new Map<string, Promise<void>>()));
    const args = values.length > 0 ? `(${values.map(literal).join(', ')})` : '';
    // Outside a transaction the query string is an implicit transaction of its own, whose end
    // puts the settings back; inside one they are put back by hand.
    const inTransaction = this.inTransaction;
    const call = `${GENERIC_ON}; EXECUTE ${name}${args}${inTransaction ? `; ${GENERIC_OFF}` : ''}`;
    // Prepared again only outside a transaction: inside one, the failed EXECUTE has aborted it.
    const retries = inTransaction ? 0 : 1;
    for (let attempt = 0; ; attempt++) {
      let preparing = prepared.get(name);
      if (!preparing) {
        preparing = client
          .query({ text: `PREPARE ${name} AS ${text}`, values: [] })
          .then(() => undefined);
        prepared.set(name, preparing);
        // a PREPARE that failed is tried again by the next call
        preparing.catch(() => prepared.delete(name));
      }
      await preparing;
      try {
        const results = (await client.query({ text: call, values: [] })) as PgResults;
        return (results as PgResult[])[1];
      } catch (err) {
        // the connection lost its prepared statements (DISCARD ALL, say): prepare it again
        if ((err as { code?: string }).code !== UNDEFINED_PREPARED_STATEMENT || attempt >= retries)
          throw err;
        prepared.delete(name);
      }
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
