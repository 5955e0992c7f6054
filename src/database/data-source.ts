import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { join } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { migrations } from '../../migrations';
import { lockDataDir } from './embedded-lock';

type Logger = { error(msg: string): void };

/**
 * Statements are prepared once per connection (database/sql.ts) but planned on every call,
 * with the call's values: a cached generic plan is made from the statistics of the moment,
 * and one made while a table was small (a fresh install, a test database) kept scanning it
 * after it had grown, until the next autoanalyze.
 */
const PLAN_CACHE_MODE = 'force_custom_plan';

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
    poolSize: 20,
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    extra: {
      max: 20,
      connectionTimeoutMillis: 10_000,
      options: `-c plan_cache_mode=${PLAN_CACHE_MODE}`,
    },
  } as DataSourceOptions;
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
    : new DataSource(serverDataSourceOptions(target.url, extraOptions));
  try {
    await dataSource.initialize();
    // PGlite is one session: set there once (a server connection gets it at connect time)
    if (embedded) await dataSource.query(`SET plan_cache_mode = ${PLAN_CACHE_MODE}`);
    await migrate(dataSource, embedded);
    return dataSource;
  } catch (err) {
    await dataSource.destroy().catch(() => undefined);
    throw err;
  }
}
