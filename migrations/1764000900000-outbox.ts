import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox (DESIGN.md, "Side effects are data"): a change and the events it
 * causes commit together. The writer holds a short lease on its own rows and dispatches them
 * right after the commit; a row whose lease ran out (its writer died) is claimed by any node's
 * dispatcher with FOR UPDATE SKIP LOCKED. Dispatched rows are deleted.
 */
export class Outbox1764000900000 implements MigrationInterface {
  name = 'Outbox1764000900000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        event_id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        claimed_until timestamptz NOT NULL DEFAULT now(),
        attempts int NOT NULL DEFAULT 0
      )`);
    // the dispatcher's scan for rows nobody holds: oldest first, by lease
    await db.query(`CREATE INDEX outbox_claimable_idx ON outbox (claimed_until)`);
    // A notification made for an event is made once, however often the event is dispatched
    // (message notifications already are, by message and user).
    await db.query(`ALTER TABLE notifications ADD COLUMN event_id uuid`);
    await db.query(
      `CREATE UNIQUE INDEX notifications_event_key ON notifications (event_id, user_id) WHERE event_id IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX notifications_event_key`);
    await db.query(`ALTER TABLE notifications DROP COLUMN event_id`);
    await db.query(`DROP TABLE outbox`);
  }
}
