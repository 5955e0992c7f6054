import { MigrationInterface, QueryRunner } from 'typeorm';

export class Notifications1764000600000 implements MigrationInterface {
  name = 'Notifications1764000600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        type text NOT NULL CHECK (type IN ('message', 'mention', 'group_invite', 'system')),
        conversation_id uuid REFERENCES conversations (id) ON DELETE CASCADE,
        message_id uuid REFERENCES messages (id) ON DELETE CASCADE,
        -- who caused it (the sender, the inviter): named in emails and push payloads
        actor_id uuid REFERENCES users (id) ON DELETE SET NULL,
        title text NOT NULL CHECK (char_length(title) <= 300),
        body text NOT NULL DEFAULT '' CHECK (char_length(body) <= 500),
        read_at timestamptz,
        -- pending: waits for the email batch of its conversation; none: never emailed
        email_status text NOT NULL DEFAULT 'none'
          CHECK (email_status IN ('none', 'pending', 'sent', 'skipped')),
        -- the email job that claimed it, so two batches never send the same notification
        email_batch text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The list (newest first, keyset on created_at and id) and the unread list and count.
    await db.query(
      `CREATE INDEX notifications_list_idx ON notifications (user_id, created_at DESC, id DESC)`,
    );
    await db.query(
      `CREATE INDEX notifications_unread_idx ON notifications (user_id, created_at DESC, id DESC) WHERE read_at IS NULL`,
    );
    // One notification per recipient and message, whatever retries the event sees.
    await db.query(
      `CREATE UNIQUE INDEX notifications_message_key ON notifications (message_id, user_id) WHERE message_id IS NOT NULL`,
    );
    // The email batch of one user and conversation.
    await db.query(
      `CREATE INDEX notifications_email_idx ON notifications (user_id, conversation_id) WHERE email_status = 'pending'`,
    );
    await db.query(`
      CREATE TABLE push_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        endpoint text NOT NULL CHECK (char_length(endpoint) BETWEEN 1 AND 2048),
        p256dh text NOT NULL CHECK (char_length(p256dh) BETWEEN 1 AND 200),
        auth text NOT NULL CHECK (char_length(auth) BETWEEN 1 AND 100),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // A browser's endpoint belongs to one subscription: subscribing again updates it.
    await db.query(
      `CREATE UNIQUE INDEX push_subscriptions_endpoint_key ON push_subscriptions (endpoint)`,
    );
    await db.query(`CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE push_subscriptions`);
    await db.query(`DROP TABLE notifications`);
  }
}
