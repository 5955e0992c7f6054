import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { join } from 'node:path';
import { Pool, PoolClient } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { migrations } from '../../migrations';
import { lockDataDir } from './embedded-lock';

type Logger = { error(msg: string): void };

/** Server connections are replaced after this long (the plan-caching pool's sooner). */
const CONNECTION_LIFETIME_SECONDS = 300;
/**
 * Connections per node: 16 in TypeORM's pool and 8 in the plan-caching one, whose statements
 * are short key lookups and writes that the per-turn loaders already batch; most of a send's
 * statements go there. Every node (and every parallel test's app) counts against the
 * server's `max_connections`.
 */
const POOL_SIZE = 16;
const PLAN_CACHING_POOL_SIZE = 8;
/**
 * A plan-caching connection is replaced after this long, and with it the plans it cached
 * (database/sql.ts): a plan made over the statistics of a small table (a fresh install) may
 * pick a less selective index, and lives at most this long even when no ANALYZE comes to
 * replace it sooner. Reconnecting eight connections a minute costs next to nothing.
 */
const CACHED_PLAN_LIFETIME_SECONDS = 60;

const common = {
  type: 'postgres' as const,
  migrations,
  migrationsRun: false,
  synchronize: false,
  logging: false,
};

/**
 * A DataSource over PGlite that owns the embedded database and its folder lock, and releases
 * both after TypeORM has closed its pool.
 */
export class EmbeddedDataSource extends DataSource {
  constructor(
    options: DataSourceOptions,
    private readonly pglite: PGlite,
    private readonly unlock: () => Promise<void>,
  ) {
    super(options);
  }

  override async destroy(): Promise<void> {
    try {
      if (this.isInitialized) await super.destroy();
    } finally {
      await this.pglite.close().catch(() => undefined);
      await this.unlock().catch(() => undefined);
    }
  }
}

export async function openEmbeddedDataSource(
  dir: string,
  logger: Logger,
  extraOptions: Partial<DataSourceOptions> = {},
): Promise<DataSource> {
  const unlock = await lockDataDir(dir, (err) =>
    logger.error(`lost the lock on ${dir}: ${err.message}`),
  );
  try {
    const pglite = await PGlite.create(join(dir, 'pglite'));
    const options: DataSourceOptions = {
      ...common,
      // PGlite is one session: a pool of one, and never a pool query inside a transaction.
      poolSize: 1,
      installExtensions: false,
      uuidExtension: 'pgcrypto',
      extra: { ...createPgConfig(pglite), max: 1, idleTimeoutMillis: 0 },
      ...extraOptions,
    } as DataSourceOptions;
    return new EmbeddedDataSource(options, pglite, unlock);
  } catch (err) {
    await unlock();
    throw err;
  }
}

export function serverDataSourceOptions(
  url: string,
  extraOptions: Partial<DataSourceOptions> = {},
): DataSourceOptions {
  return {
    ...common,
    ...extraOptions,
    url,
    poolSize: POOL_SIZE,
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    extra: {
      max: POOL_SIZE,
      connectionTimeoutMillis: 10_000,
      maxLifetimeSeconds: CONNECTION_LIFETIME_SECONDS,
    },
  } as DataSourceOptions;
}

/**
 * A PostgreSQL server, through two pools. TypeORM's pool plans each statement with its values
 * (PostgreSQL's default for a statement used once). The second, smaller pool is for the hot
 * statements marked `reusePlan` (database/sql.ts), outside transactions: its sessions keep one
 * generic plan per statement (`plan_cache_mode = force_generic_plan`), planned once per
 * connection instead of on every call. Such a plan is made from the statistics of its moment,
 * and one made over small tables (a fresh install) would scan and hash them after they grew,
 * so these sessions also turn off sequential scans and hash and merge joins: the plans walk
 * indexes with nested loops, which is what a key lookup wants at any table size.
 */
const PLAN_CACHING_SESSION = [
  'plan_cache_mode=force_generic_plan',
  'enable_seqscan=off',
  'enable_hashjoin=off',
  'enable_mergejoin=off',
]
  .map((setting) => `-c ${setting}`)
  .join(' ');

export class ServerDataSource extends DataSource {
  private readonly cachingPool: Pool;

  constructor(url: string, extraOptions: Partial<DataSourceOptions> = {}) {
    super(serverDataSourceOptions(url, extraOptions));
    this.cachingPool = new Pool({
      connectionString: url,
      max: PLAN_CACHING_POOL_SIZE,
      connectionTimeoutMillis: 10_000,
      maxLifetimeSeconds: CACHED_PLAN_LIFETIME_SECONDS,
      options: PLAN_CACHING_SESSION,
    });
    // an idle connection the server closed is dropped by the pool; nothing to crash on
    this.cachingPool.on('error', () => undefined);
  }

  /** A connection whose session keeps generic plans; release it when done. */
  planCachingConnection(): Promise<PoolClient> {
    return this.cachingPool.connect();
  }

  override async destroy(): Promise<void> {
    try {
      if (this.isInitialized) await super.destroy();
    } finally {
      await this.cachingPool.end().catch(() => undefined);
    }
  }
}

/** Serialises migrations across app nodes that start at the same time. */
const MIGRATION_LOCK = 7_310_301;

async function migrate(dataSource: DataSource, embedded: boolean): Promise<void> {
  // The embedded database has one connection and its folder lock already excludes other nodes.
  if (embedded) {
    await dataSource.runMigrations({ transaction: 'each' });
    return;
  }
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

/** Where the database lives: a PostgreSQL server, or an embedded folder. */
export type DatabaseTarget = { url: string } | { embeddedDir: string };

export function databaseTarget(config: AppConfig): DatabaseTarget {
  return config.databaseUrl ? { url: config.databaseUrl } : { embeddedDir: config.dataDir };
}

/** Opens the database and brings its schema up to date. */
export async function openDataSource(
  target: DatabaseTarget,
  logger: Logger,
  extraOptions: Partial<DataSourceOptions> = {},
): Promise<DataSource> {
  const embedded = 'embeddedDir' in target;
  const dataSource = embedded
    ? await openEmbeddedDataSource(target.embeddedDir, logger, extraOptions)
    : new ServerDataSource(target.url, extraOptions);
  try {
    await dataSource.initialize();
    await migrate(dataSource, embedded);
    return dataSource;
  } catch (err) {
    await dataSource.destroy().catch(() => undefined);
    throw err;
  }
}
