import { Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { openDataSource, ServerDataSource } from '../src/database/data-source';
import { row, rows } from '../src/database/sql';
import { createTestDatabase, TestDatabase } from './support/database';

/**
 * How repositories' statements run (src/database/sql.ts): the same answers whichever way they
 * are planned, errors as PostgreSQL gave them, and a transaction's statements on its own
 * connection. On a server, the statements marked `reusePlan` run outside transactions in
 * sessions that keep generic plans, and all others in sessions that plan each call.
 */
describe('SQL statements', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const server = Boolean(process.env.DATABASE_URL);

  beforeAll(async () => {
    database = await createTestDatabase();
    const url = database.env.DATABASE_URL;
    dataSource = await openDataSource(
      url ? { url } : { embeddedDir: database.env.DATA_DIR },
      new Logger('StatementsSpec'),
    );
    await dataSource.query(`CREATE TABLE spec_items (id int PRIMARY KEY, name text NOT NULL)`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  /** How the session that runs a statement plans: cache mode, and whether it may scan tables. */
  const session = (db: DataSource | EntityManager, options = {}) =>
    row<{ mode: string; seqscan: string; hashjoin: string }>(
      db,
      `SELECT current_setting('plan_cache_mode') AS mode,
              current_setting('enable_seqscan') AS seqscan,
              current_setting('enable_hashjoin') AS hashjoin`,
      [],
      options,
    );

  it('answers the same with a reused plan as with a plan per call, many times over', async () => {
    await rows(
      dataSource,
      `INSERT INTO spec_items SELECT g, 'item ' || g FROM generate_series(1, 50) g`,
    );
    const sql = `SELECT id, name FROM spec_items WHERE id = ANY($1::int[]) ORDER BY id`;
    for (let i = 0; i < 12; i++) {
      const ids = [i + 1, i + 20];
      const reused = await rows(dataSource, sql, [ids], { reusePlan: true });
      const planned = await rows(dataSource, sql, [ids]);
      expect(reused).toEqual(planned);
      expect(reused).toEqual(ids.map((id) => ({ id, name: `item ${id}` })));
    }
  });

  it('gives the database error as it is, and the next statement still runs', async () => {
    const insert = `INSERT INTO spec_items (id, name) VALUES ($1, $2)`;
    for (let i = 0; i < 3; i++) {
      await expect(
        rows(dataSource, insert, [1, 'again'], { reusePlan: true }),
      ).rejects.toMatchObject({
        code: '23505',
      });
    }
    await rows(dataSource, insert, [1000, 'new'], { reusePlan: true });
    expect(await row(dataSource, `SELECT name FROM spec_items WHERE id = $1`, [1000])).toEqual({
      name: 'new',
    });
  });

  it("runs a transaction's statements, reused plans too, on the transaction's connection", async () => {
    await dataSource
      .transaction(async (tx) => {
        await rows(tx, `INSERT INTO spec_items (id, name) VALUES ($1, $2)`, [2000, 'uncommitted']);
        // only this connection sees the row before the commit
        expect(
          await row(tx, `SELECT name FROM spec_items WHERE id = $1`, [2000], { reusePlan: true }),
        ).toEqual({ name: 'uncommitted' });
        throw new Error('roll back');
      })
      .catch((err: Error) => expect(err.message).toBe('roll back'));
    expect(await row(dataSource, `SELECT name FROM spec_items WHERE id = $1`, [2000])).toBeNull();
  });

  (server ? it : it.skip)(
    server
      ? 'on a server: reused plans come from sessions that keep generic plans, the rest are planned per call'
      : 'plan-caching sessions: skipped because DATABASE_URL is unset (the embedded database is one session)',
    async () => {
      expect(dataSource).toBeInstanceOf(ServerDataSource);
      // cached plans walk indexes whatever the statistics were when they were made
      expect(await session(dataSource, { reusePlan: true })).toEqual({
        mode: 'force_generic_plan',
        seqscan: 'off',
        hashjoin: 'off',
      });
      expect(await session(dataSource)).toEqual({ mode: 'auto', seqscan: 'on', hashjoin: 'on' });
      await dataSource.transaction(async (tx) => {
        expect(await session(tx, { reusePlan: true })).toEqual({
          mode: 'auto',
          seqscan: 'on',
          hashjoin: 'on',
        });
      });
    },
  );
});
