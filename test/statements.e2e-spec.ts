import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../src/config/app-config';
import { ConnectionAcquireTimeoutError } from '../src/database/connections';
import { databaseTarget, openDataSource } from '../src/database/data-source';
import { GENERIC_OFF, GENERIC_ON, literal, Sql, StatementOptions } from '../src/database/sql';
import { NotificationsRepository } from '../src/notifications/notifications.repository';
import { Transactions } from '../src/database/transactions';
import { MessagesRepository } from '../src/messages/messages.repository';
import { createTestDatabase, TestDatabase } from './support/database';

/** Messages seeded for the plan checks: plans are only telling on a table of real size. */
const SEEDED_MESSAGES = 100_000;
const CONVERSATIONS = 200;

/**
 * How repositories' statements run (src/database/sql.ts, transactions.ts): ambient
 * transactions, prepared statements that answer like unprepared ones, a clear error instead of
 * a hang when no connection frees up, and the plans of the hot statements on a seeded database.
 */
describe('SQL statements', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let transactions: Transactions;
  let sql: Sql;
  const server = Boolean(process.env.DATABASE_URL);

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = new AppConfig({ ...database.env, LOG_LEVEL: 'silent' });
    dataSource = await openDataSource(databaseTarget(config), new Logger('StatementsSpec'));
    transactions = new Transactions(dataSource);
    sql = new Sql(dataSource, transactions, config);
    await sql.run(`CREATE TABLE spec_items (id int PRIMARY KEY, name text NOT NULL)`);
  }, 120_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('runs every statement of a transaction on its connection, nested runs included, and rolls all back', async () => {
    await expect(
      transactions.run(async () => {
        await sql.run(`INSERT INTO spec_items VALUES (1, 'one')`);
        await transactions.run(() => sql.run(`INSERT INTO spec_items VALUES (2, 'two')`));
        expect(await sql.rows(`SELECT id FROM spec_items ORDER BY id`)).toEqual([
          { id: 1 },
          { id: 2 },
        ]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await sql.rows(`SELECT id FROM spec_items`)).toEqual([]);
  });

  it('runs after-commit work only once the outermost transaction has committed', async () => {
    const seen: string[] = [];
    await transactions.run(async () => {
      await sql.run(`INSERT INTO spec_items VALUES (3, 'three')`);
      transactions.afterCommit(() => seen.push('committed'));
      await transactions.run(async () => {
        transactions.afterCommit(() => seen.push('inner'));
      });
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual(['committed', 'inner']);
    await transactions
      .run(async () => {
        transactions.afterCommit(() => seen.push('rolled back'));
        throw new Error('no');
      })
      .catch(() => undefined);
    expect(seen).toEqual(['committed', 'inner']);
  });

  it('leaves work that outlives its transaction outside it: a transaction begun there is a new one', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const txid = async () =>
      (await sql.rows<{ x: string }>(`SELECT txid_current()::text AS x`))[0].x;
    const seen: string[] = [];
    let later!: Promise<unknown>;
    await transactions.run(async () => {
      // started in the transaction, not awaited by it
      later = gate.then(async () => {
        const outside = transactions.current();
        transactions.afterCommit(() => seen.push('at once'));
        const inNew = await transactions.run(async () => [await txid(), await txid()]);
        return { outside, inNew };
      });
    });
    release();
    const { outside, inNew } = (await later) as { outside: unknown; inNew: string[] };
    expect(outside).toBeUndefined();
    expect(seen).toEqual(['at once']);
    // one transaction (joined to the ended one, each statement would run on its own)
    expect(inNew[1]).toBe(inNew[0]);
  });

  // a second connection: the embedded database has one
  (server ? it : it.skip)(
    'keeps a transaction in its transaction while another one ends',
    async () => {
      let otherEnded!: () => void;
      const gate = new Promise<void>((resolve) => (otherEnded = resolve));
      const txid = async () =>
        (await sql.rows<{ x: string }>(`SELECT txid_current()::text AS x`))[0].x;
      const long = transactions.run(async () => {
        const first = await txid();
        await gate;
        return [first, await txid()];
      });
      const other = await transactions.run(txid);
      otherEnded();
      const [first, second] = await long;
      expect(second).toBe(first);
      expect(other).not.toBe(first);
    },
  );

  it('answers the same with a prepared statement as without, past the point where PostgreSQL may switch to a generic plan', async () => {
    await sql.run(`INSERT INTO spec_items SELECT g, 'item ' || g FROM generate_series(10, 60) g`);
    const text = `SELECT id, name FROM spec_items WHERE id = ANY($1::int[]) ORDER BY id`;
    for (let i = 0; i < 12; i++) {
      const ids = [10 + i, 30 + i, 1000 + i];
      expect(await sql.rows(text, [ids], { prepared: true })).toEqual(await sql.rows(text, [ids]));
    }
    await sql.run(`INSERT INTO spec_items VALUES (1000, 'new')`);
    expect(await sql.row(text, [[1000]], { prepared: true })).toEqual({ id: 1000, name: 'new' });
  });

  it('keeps the server error of a failed prepared statement and the connection usable', async () => {
    const insert = `INSERT INTO spec_items VALUES ($1, $2)`;
    await expect(sql.run(insert, [10, 'again'], { prepared: true })).rejects.toMatchObject({
      code: '23505',
    });
    await sql.run(insert, [2000, 'fine'], { prepared: true });
    expect(await sql.row(`SELECT name FROM spec_items WHERE id = $1`, [2000])).toEqual({
      name: 'fine',
    });
  });

  it('uses PostgreSQL planner settings as they are: no session-wide switches', async () => {
    expect(
      await sql.row(
        `SELECT current_setting('plan_cache_mode') AS mode, current_setting('enable_seqscan') AS seqscan,
                current_setting('enable_hashjoin') AS hashjoin`,
        [],
        { prepared: true },
      ),
    ).toEqual({ mode: 'auto', seqscan: 'on', hashjoin: 'on' });
  });

  it('scopes the planner settings of a generic statement to that statement, in a transaction and outside', async () => {
    const settings = `SELECT current_setting('plan_cache_mode') AS mode,
      current_setting('enable_seqscan') AS seqscan, current_setting('enable_hashjoin') AS hashjoin`;
    const forced = { mode: 'force_generic_plan', seqscan: 'off', hashjoin: 'off' };
    const asIs = { mode: 'auto', seqscan: 'on', hashjoin: 'on' };
    await transactions.run(async () => {
      expect(await sql.row(settings, [], { generic: true })).toEqual(forced);
      expect(await sql.row(settings)).toEqual(asIs);
    });
    // outside a transaction, on whichever connections of the pool
    for (let i = 0; i < 6; i++) {
      expect(await sql.row(settings, [], { generic: true })).toEqual(forced);
      expect(await sql.row(settings)).toEqual(asIs);
    }
    // a generic statement that fails leaves nothing behind either
    await expect(
      sql.run(`INSERT INTO spec_items VALUES ($1, 'dup')`, [10], { generic: true }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await sql.row(settings)).toEqual(asIs);
    expect(await sql.row(`SELECT name FROM spec_items WHERE id = 10`)).toEqual({ name: 'item 10' });
  });

  it('answers a generic statement as a parameterised one, whatever its values hold', async () => {
    const text = `SELECT $1::text[] AS texts, $2::uuid[] AS ids, $3::jsonb[] AS docs, $4::boolean AS flag,
      $5::bigint AS big, $6::text AS nothing, $7::timestamptz AS at, $8::text AS plain`;
    const values = [
      ["it's", 'back\\slash', 'quote "q"', '{braces}', 'comma, here', '', 'NULL', 'عربي 🙂', null],
      ['7f1c0b7e-2f47-4d5e-9a59-0f4d1c1a2b3c'],
      [JSON.stringify({ a: "o'k", b: ['x\\y'] }), null],
      false,
      '9007199254740993',
      null,
      new Date('2026-12-05T10:00:00.123Z'),
      "'; DROP TABLE spec_items; --",
    ];
    const expected = await sql.row(text, values);
    for (let i = 0; i < 3; i++)
      expect(await sql.row(text, values, { generic: true })).toEqual(expected);
    await transactions.run(async () => {
      expect(await sql.row(text, values, { generic: true })).toEqual(expected);
    });
    expect(await sql.row(`SELECT count(*)::int AS n FROM spec_items WHERE id = 10`)).toEqual({
      n: 1,
    });
  });

  it('prepares a generic statement once when calls run at once on one connection, in a transaction', async () => {
    const text = `SELECT $1::int + 0 AS n`;
    await transactions.run(async () => {
      const answers = await Promise.all(
        [1, 2, 3].map((n) => sql.row<{ n: number }>(text, [n], { generic: true })),
      );
      expect(answers).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    });
  });

  (server ? it.skip : it)(
    'fails with a clear error, instead of hanging, when a statement outside a transaction waits for the embedded connection it holds',
    async () => {
      await transactions.run(async () => {
        await sql.run(`SELECT 1`);
        // on purpose outside the ambient transaction, as a forgotten one would be
        const outside = transactions.outside(() => sql.run(`SELECT 1`));
        await expect(outside).rejects.toBeInstanceOf(ConnectionAcquireTimeoutError);
      });
    },
    30_000,
  );

  describe(`plans on ${SEEDED_MESSAGES} messages`, () => {
    let conversationId: string;
    let userId: string;

    beforeAll(async () => {
      const [user] = await sql.rows<{ id: string }>(
        `INSERT INTO users (email, password_hash, display_name, verification_status)
         VALUES ('plans@test.local', 'x', 'Plans', 'verified') RETURNING id`,
      );
      userId = user.id;
      const perConversation = SEEDED_MESSAGES / CONVERSATIONS;
      const conversations = await sql.rows<{ id: string }>(
        `INSERT INTO conversations (type, title, created_by, last_seq, last_version)
         SELECT 'group', 'c' || g, $1, $2, $2 FROM generate_series(1, $3) g RETURNING id`,
        [userId, perConversation, CONVERSATIONS],
      );
      conversationId = conversations[0].id;
      await sql.run(
        `INSERT INTO conversation_participants (conversation_id, user_id, role, status, joined_at)
         SELECT id, $1, 'admin', 'active', now() FROM unnest($2::uuid[]) AS id`,
        [userId, conversations.map((c) => c.id)],
      );
      await sql.run(
        `INSERT INTO messages (conversation_id, seq, version, sender_id, type, content)
         SELECT c.id, s, s, $1, 'text', 'message ' || s
           FROM unnest($2::uuid[]) AS c(id) CROSS JOIN generate_series(1, $3) s`,
        [userId, conversations.map((c) => c.id), perConversation],
      );
      await sql.run(`ANALYZE`);
    }, 240_000);

    /**
     * The statements a repository call makes, captured with their values, then EXPLAINed as
     * they run: a `generic` statement's generic plan, under its scoped settings (prepared,
     * then EXPLAIN EXECUTE), any other with the call's values.
     */
    async function plansOf(
      call: (repos: {
        messages: MessagesRepository;
        notifications: NotificationsRepository;
      }) => Promise<unknown>,
    ): Promise<string> {
      const captured: { text: string; params: unknown[]; options: StatementOptions }[] = [];
      const spy = jest
        .spyOn(sql, 'rows')
        .mockImplementation(async (text, params = [], options = {}) => {
          captured.push({ text, params, options });
          return [];
        });
      try {
        // what the call makes of the empty answers does not matter here (the group commit
        // throws on a batch that took no seq): only its statements do
        await call({
          messages: new MessagesRepository(sql),
          notifications: new NotificationsRepository(sql),
        }).catch(() => undefined);
      } finally {
        spy.mockRestore();
      }
      expect(captured.length).toBeGreaterThan(0);
      const plans: string[] = [];
      for (const { text, params, options } of captured) {
        const lines = options.generic
          ? await transactions.run(async () => {
              await sql.run(GENERIC_ON);
              await sql.run(`PREPARE spec_plan AS ${text}`);
              // EXECUTE takes no bound parameters: the values go in as literals
              const args = params.map(literal).join(', ');
              const plan = await sql.rows<{ 'QUERY PLAN': string }>(
                `EXPLAIN EXECUTE spec_plan(${args})`,
              );
              await sql.run(`DEALLOCATE spec_plan`);
              await sql.run(GENERIC_OFF);
              return plan;
            })
          : await sql.rows<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, params);
        plans.push(lines.map((l) => l['QUERY PLAN']).join('\n'));
      }
      return plans.join('\n');
    }

    it('reads a history page through the (conversation, seq) key, not by scanning messages', async () => {
      const plan = await plansOf(({ messages: repo }) =>
        repo.history(conversationId, userId, { beforeSeq: '400' }, 50),
      );
      expect(plan).toMatch(/Index (Only )?Scan.* on messages/);
      expect(plan).not.toMatch(/Seq Scan on messages/);
    });

    it('reads a thread page through an index, bounded by what the viewer may see', async () => {
      const [root] = await sql.rows<{ id: string }>(
        `SELECT id FROM messages WHERE conversation_id = $1 AND seq = 1`,
        [conversationId],
      );
      const plan = await plansOf(({ messages: repo }) =>
        repo.replies(conversationId, root.id, userId, '0', 50),
      );
      expect(plan).not.toMatch(/Seq Scan on messages/);
    });

    it('answers who may see a message (message_viewers) through the message key', async () => {
      const [message] = await sql.rows<{ id: string }>(
        `SELECT id FROM messages WHERE conversation_id = $1 AND seq = 7`,
        [conversationId],
      );
      const explain = async (text: string, params: unknown[]) =>
        (await sql.rows<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, params))
          .map((l) => l['QUERY PLAN'])
          .join('\n');
      const one = await explain(
        `SELECT 1 FROM message_viewers WHERE message_id = $1 AND viewer_id = $2`,
        [message.id, userId],
      );
      // (the seeded participants are one user's 200 rows: scanning those is the planner's right)
      expect(one).toMatch(/Index Scan using messages_pkey/);
      expect(one).not.toMatch(/Seq Scan on messages/);
      const all = await explain(`SELECT viewer_id FROM message_viewers WHERE message_id = $1`, [
        message.id,
      ]);
      expect(all).not.toMatch(/Seq Scan on messages/);
    });

    it('reads the changes feed through an index', async () => {
      const plan = await plansOf(({ messages: repo }) =>
        repo.changes(conversationId, userId, '450', 50),
      );
      expect(plan).toMatch(/Index.* on messages/);
      expect(plan).not.toMatch(/Seq Scan on messages/);
    });

    it('writes the group commit with a generic plan of key lookups', async () => {
      const plan = await plansOf(({ messages }) =>
        messages.appendMany([
          {
            conversationId,
            senderId: userId,
            clientMessageId: 'plan-1',
            type: 'text',
            content: 'hello',
            language: 'en',
            direction: 'ltr',
            systemEvent: null,
            replyToMessageId: null,
            threadRootId: null,
            moderation: 'clean',
          },
        ]),
      );
      expect(plan).toMatch(/Index Scan using conversations_pkey/);
      expect(plan).toMatch(/Index Scan using conversation_participants_\w+/);
      expect(plan).not.toMatch(/Seq Scan on (messages|conversations|conversation_participants)/);
    });

    it('finds the recipients of a batch of notifications with a generic plan through keys', async () => {
      const [message] = await sql.rows<{ id: string }>(
        `SELECT id FROM messages WHERE conversation_id = $1 AND seq = 9`,
        [conversationId],
      );
      const plan = await plansOf(({ notifications }) =>
        notifications.messageDeliveries([message.id]),
      );
      expect(plan).toMatch(/Index Scan using messages_pkey on messages/);
      expect(plan).not.toMatch(/Seq Scan on (messages|conversations|conversation_participants)/);
    });

    it('reads a membership with its retry lookup through keys', async () => {
      const plan = await plansOf(({ messages: repo }) =>
        transactions.run(() => repo.membership(conversationId, userId, 'client-1')),
      );
      expect(plan).toMatch(/Index Scan using conversation_participants_pkey/);
      expect(plan).toMatch(/Index Scan using messages_client_id_key/);
      expect(plan).not.toMatch(/Seq Scan on messages/);
    });
  });
});
