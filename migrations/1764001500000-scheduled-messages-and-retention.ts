import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scheduled messages (API.md, Scheduled messages) and retention policies (API.md, Retention).
 *
 * - `scheduled_messages`: what a user asked to send later. The dispatcher claims due rows with
 *   `FOR UPDATE SKIP LOCKED` and a short lease (`claimed_until`), so any node sends them and
 *   none two at once; the send itself is idempotent through the clientMessageId
 *   `scheduled:<id>`, so a node dying between the send and `status = 'sent'` never sends twice.
 *   `notified_at` is set once the author has been told of a failure (told again after a crash
 *   in between, never left untold).
 * - `conversations.retention_days`: null takes the server default (`MESSAGE_RETENTION_DAYS`).
 * - `retention_progress`: per conversation, the seq below which the sweep has nothing left to
 *   do, so each sweep reads only the messages it has not passed yet (not every tombstone).
 */
export class ScheduledMessagesAndRetention1764001500000 implements MigrationInterface {
  name = 'ScheduledMessagesAndRetention1764001500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE scheduled_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        author_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        content text NOT NULL,
        reply_to_message_id uuid,
        attachment_ids uuid[] NOT NULL DEFAULT '{}',
        language text,
        client_message_id text CHECK (client_message_id IS NULL OR char_length(client_message_id) BETWEEN 1 AND 64),
        send_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'scheduled'
          CHECK (status IN ('scheduled', 'sent', 'failed', 'canceled')),
        message_id uuid,
        failure text,
        attempts integer NOT NULL DEFAULT 0,
        claimed_until timestamptz,
        notified_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'sent') = (message_id IS NOT NULL)),
        CHECK ((status = 'failed') = (failure IS NOT NULL))
      )`);
    // The dispatcher's scan: due items only.
    await db.query(
      `CREATE INDEX scheduled_messages_due_idx ON scheduled_messages (send_at) WHERE status = 'scheduled'`,
    );
    // The author's list by sendAt (keyset on send_at, id) and the count of pending ones.
    await db.query(
      `CREATE INDEX scheduled_messages_author_idx ON scheduled_messages (author_id, send_at, id)`,
    );
    await db.query(
      `CREATE INDEX scheduled_messages_pending_idx ON scheduled_messages (author_id) WHERE status = 'scheduled'`,
    );
    // A retried scheduling request (same clientMessageId) finds the first one.
    await db.query(
      `CREATE UNIQUE INDEX scheduled_messages_client_id_key ON scheduled_messages (author_id, conversation_id, client_message_id)
        WHERE client_message_id IS NOT NULL`,
    );
    // Uploads a pending scheduled message will send: the attachments' cleanup leaves them.
    await db.query(
      `CREATE INDEX scheduled_messages_attachments_idx ON scheduled_messages USING gin (attachment_ids)
        WHERE status = 'scheduled'`,
    );
    // Failures whose author has not been told yet.
    await db.query(
      `CREATE INDEX scheduled_messages_unnotified_idx ON scheduled_messages (updated_at)
        WHERE status = 'failed' AND notified_at IS NULL`,
    );
    await db.query(
      `ALTER TABLE conversations ADD COLUMN retention_days integer
         CHECK (retention_days IS NULL OR retention_days BETWEEN 1 AND 3650)`,
    );
    await db.query(`
      CREATE TABLE retention_progress (
        conversation_id uuid PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
        swept_seq bigint NOT NULL DEFAULT 0
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE retention_progress`);
    await db.query(`ALTER TABLE conversations DROP COLUMN retention_days`);
    await db.query(`DROP TABLE scheduled_messages`);
  }
}
