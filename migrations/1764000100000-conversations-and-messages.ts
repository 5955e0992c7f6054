import { MigrationInterface, QueryRunner } from 'typeorm';

export class ConversationsAndMessages1764000100000 implements MigrationInterface {
  name = 'ConversationsAndMessages1764000100000';

  async up(db: QueryRunner): Promise<void> {
    // Activity order for conversation lists: exact and monotonic, so keyset cursors never skip.
    await db.query(`CREATE SEQUENCE conversation_activity_seq`);
    await db.query(`
      CREATE TABLE conversations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type text NOT NULL CHECK (type IN ('direct', 'group')),
        title text CHECK (title IS NULL OR char_length(title) BETWEEN 1 AND 100),
        context_id text CHECK (context_id IS NULL OR context_id ~ '^[A-Za-z0-9:_-]{1,128}$'),
        encryption text NOT NULL DEFAULT 'none' CHECK (encryption IN ('none', 'at_rest', 'e2e')),
        allow_file_sharing boolean NOT NULL DEFAULT true,
        created_by uuid NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        last_seq bigint NOT NULL DEFAULT 0,
        last_version bigint NOT NULL DEFAULT 0,
        last_message_at timestamptz,
        last_activity bigint NOT NULL DEFAULT nextval('conversation_activity_seq'),
        -- sorted user pair plus context: the database enforces one direct conversation per pair
        direct_key text,
        CHECK ((type = 'direct') = (direct_key IS NOT NULL))
      )`);
    await db.query(
      `CREATE UNIQUE INDEX conversations_direct_key ON conversations (direct_key) WHERE direct_key IS NOT NULL`,
    );
    await db.query(`
      CREATE TABLE conversation_participants (
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role text NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member')),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'invited')),
        invited_at timestamptz NOT NULL DEFAULT now(),
        joined_at timestamptz,
        -- the participant sees messages with seq > visible_after_seq (joined later, or deleted for me)
        visible_after_seq bigint NOT NULL DEFAULT 0,
        -- set by "delete for me": hidden from the list until last_seq passes it
        cleared_seq bigint,
        last_read_seq bigint NOT NULL DEFAULT 0,
        last_delivered_seq bigint NOT NULL DEFAULT 0,
        archived_at timestamptz,
        muted boolean NOT NULL DEFAULT false,
        muted_until timestamptz,
        PRIMARY KEY (conversation_id, user_id),
        CHECK ((status = 'active') = (joined_at IS NOT NULL))
      )`);
    await db.query(
      `CREATE INDEX conversation_participants_user_idx ON conversation_participants (user_id, conversation_id)`,
    );
    await db.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        version bigint NOT NULL,
        sender_id uuid REFERENCES users (id),
        client_message_id text CHECK (client_message_id IS NULL OR char_length(client_message_id) BETWEEN 1 AND 64),
        type text NOT NULL CHECK (type IN ('text', 'file', 'image', 'system')),
        content text NOT NULL DEFAULT '',
        language text NOT NULL DEFAULT 'en',
        direction text NOT NULL DEFAULT 'ltr' CHECK (direction IN ('ltr', 'rtl')),
        system_event jsonb,
        reply_to_message_id uuid REFERENCES messages (id),
        thread_root_id uuid REFERENCES messages (id),
        reply_count integer NOT NULL DEFAULT 0 CHECK (reply_count >= 0),
        moderation text NOT NULL DEFAULT 'clean' CHECK (moderation IN ('clean', 'masked', 'flagged')),
        edited_at timestamptz,
        deleted_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((type = 'system') = (sender_id IS NULL))
      )`);
    await db.query(`CREATE UNIQUE INDEX messages_seq_key ON messages (conversation_id, seq)`);
    await db.query(
      `CREATE UNIQUE INDEX messages_client_id_key ON messages (conversation_id, sender_id, client_message_id)`,
    );
    await db.query(`CREATE INDEX messages_version_idx ON messages (conversation_id, version)`);
    await db.query(
      `CREATE INDEX messages_thread_idx ON messages (thread_root_id, seq) WHERE thread_root_id IS NOT NULL`,
    );
    await db.query(`
      CREATE TABLE message_reactions (
        message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        emoji text NOT NULL CHECK (char_length(emoji) BETWEEN 1 AND 32),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (message_id, emoji, user_id)
      )`);
    await db.query(`
      CREATE TABLE receipt_marks (
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('delivered', 'read')),
        up_to_seq bigint NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (conversation_id, user_id, kind, up_to_seq)
      )`);
    await db.query(`
      CREATE TABLE moderation_flags (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        sender_id uuid REFERENCES users (id),
        reasons text[] NOT NULL,
        matched text[] NOT NULL DEFAULT '{}',
        reporter_id uuid REFERENCES users (id),
        report_reason text,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
        resolution text,
        note text,
        resolved_by uuid REFERENCES users (id),
        resolved_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX moderation_flags_list_idx ON moderation_flags (status, created_at DESC, id DESC)`,
    );
    await db.query(`CREATE INDEX moderation_flags_message_idx ON moderation_flags (message_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [
      'moderation_flags',
      'receipt_marks',
      'message_reactions',
      'messages',
      'conversation_participants',
      'conversations',
    ]) {
      await db.query(`DROP TABLE ${table}`);
    }
    await db.query(`DROP SEQUENCE conversation_activity_seq`);
  }
}
