import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outgoing webhooks (API.md, Webhooks).
 *
 * - `webhooks`: where to send which event types, and the signing secret (`whsec_…`). A rotated
 *   secret stays in `previous_secret` until `previous_secret_expires_at` (both sign until then).
 *   `failing_since`: the first failed attempt since the last success; 24 h of that disables it.
 * - `webhook_deliveries`: one row per (webhook, event), unique, so an outbox event dispatched
 *   twice makes no second delivery. `body` holds the exact bytes sent on every attempt (cleared
 *   once the delivery is finished); `locked_until` is the lease of the node sending it, so no
 *   two nodes send one delivery at once. `order_key`/`order_pos` (conversation, version) keep a
 *   conversation's message events in order per webhook: a delivery waits while an earlier one
 *   of its conversation is pending.
 */
export class Webhooks1764001600000 implements MigrationInterface {
  name = 'Webhooks1764001600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url text NOT NULL CHECK (char_length(url) BETWEEN 1 AND 2048),
        events text[] NOT NULL CHECK (cardinality(events) > 0),
        description text CHECK (description IS NULL OR char_length(description) <= 500),
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason text,
        secret text NOT NULL,
        previous_secret text,
        previous_secret_expires_at timestamptz,
        failing_since timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL))
      )`);
    // The admin list, newest first (keyset on created_at, id).
    await db.query(`CREATE INDEX webhooks_created_idx ON webhooks (created_at, id)`);
    await db.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        body text,
        order_key uuid,
        order_pos bigint,
        attempt integer NOT NULL DEFAULT 0,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
        response_status integer,
        error text,
        next_attempt_at timestamptz,
        locked_until timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (webhook_id, event_id),
        CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL)),
        CHECK (status <> 'pending' OR body IS NOT NULL)
      )`);
    // The delivery log of one webhook, newest first (keyset on created_at, id).
    await db.query(
      `CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (webhook_id, created_at, id)`,
    );
    // The sweep for deliveries whose job was lost (an in-memory queue that stopped).
    await db.query(
      `CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    // "Is an earlier delivery of this conversation still pending?"
    await db.query(
      `CREATE INDEX webhook_deliveries_order_idx ON webhook_deliveries (webhook_id, order_key, order_pos)
        WHERE status = 'pending' AND order_key IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE webhook_deliveries`);
    await db.query(`DROP TABLE webhooks`);
  }
}
