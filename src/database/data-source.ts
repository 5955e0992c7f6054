import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { join } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { migrations } from '../../migrations';
import { ACQUIRE_TIMEOUT_MS } from './connections';
import { lockDataDir } from './embedded-lock';

type Logger = { error(msg: string): void };

/** Server connections are replaced after this long. */
const CONNECTION_LIFETIME_SECONDS = 300;

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
      // PGlite is one session: a pool of one. A statement that waits for it longer than
      // ACQUIRE_TIMEOUT_MS fails with a clear error instead of hanging (database/connections.ts).
      poolSize: 1,
      installExtensions: false,
      uuidExtension: 'pgcrypto',
      extra: {
        ...createPgConfig(pglite),
        max: 1,
        idleTimeoutMillis: 0,
        connectionTimeoutMillis: ACQUIRE_TIMEOUT_MS,
      },
      ...extraOptions,
    } as DataSourceOptions;
    return new EmbeddedDataSource(options, pglite, unlock);
  } catch (err) {
    await unlock();
    throw err;
  }
}

/**
 * A PostgreSQL server through one pool of `poolSize` connections (DATABASE_POOL_SIZE), with
 * PostgreSQL's own planner settings: every node counts `poolSize` against the server's
 * `max_connections`.
 */
export function serverDataSourceOptions(
  url: string,
  poolSize: number,
  extraOptions: Partial<DataSourceOptions> = {},
): DataSourceOptions {
  return {
    ...common,
    ...extraOptions,
    url,
    poolSize,
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    extra: {
      max: poolSize,
      connectionTimeoutMillis: ACQUIRE_TIMEOUT_MS,
      maxLifetimeSeconds: CONNECTION_LIFETIME_SECONDS,
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
export type DatabaseTarget = { url: string; poolSize: number } | { embeddedDir: string };

export function databaseTarget(config: AppConfig): DatabaseTarget {
  return config.databaseUrl
    ? { url: config.databaseUrl, poolSize: config.databasePoolSize }
    : { embeddedDir: config.dataDir };
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
    : new DataSource(serverDataSourceOptions(target.url, target.poolSize, extraOptions));
  try {
    await dataSource.initialize();
    await migrate(dataSource, embedded);
    return dataSource;
  } catch (err) {
    await dataSource.destroy().catch(() => undefined);
    throw err;
  }
}
