import { MigrationInterface, QueryRunner } from 'typeorm';

export class UsersAndAuth1764000000000 implements MigrationInterface {
  name = 'UsersAndAuth1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE app_secrets (
        name text PRIMARY KEY,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL CHECK (email = lower(email)),
        password_hash text NOT NULL,
        display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 80),
        avatar_url text,
        locale text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'ar')),
        role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
        verification_status text NOT NULL DEFAULT 'unverified'
          CHECK (verification_status IN ('unverified', 'verified')),
        verified_at timestamptz,
        suspended_at timestamptz,
        suspension_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX users_email_key ON users (email)`);
    // User lookup by prefix: only verified users are ever listed.
    await db.query(`
      CREATE INDEX users_lookup_name_idx ON users (lower(display_name) text_pattern_ops, id)
      WHERE verification_status = 'verified'`);
    await db.query(`
      CREATE INDEX users_lookup_email_idx ON users (email text_pattern_ops, id)
      WHERE verification_status = 'verified'`);
    await db.query(`
      CREATE TABLE user_message_settings (
        user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        allow_messages_from text NOT NULL DEFAULT 'verified_only'
          CHECK (allow_messages_from IN ('anyone', 'verified_only', 'connections_only')),
        email_notifications boolean NOT NULL DEFAULT true,
        push_notifications boolean NOT NULL DEFAULT true,
        sound_notifications boolean NOT NULL DEFAULT true,
        auto_accept_group_invites boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE user_blocks (
        blocker_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        blocked_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (blocker_id, blocked_id),
        CHECK (blocker_id <> blocked_id)
      )`);
    await db.query(
      `CREATE INDEX user_blocks_list_idx ON user_blocks (blocker_id, created_at DESC, blocked_id)`,
    );
    await db.query(`CREATE INDEX user_blocks_blocked_idx ON user_blocks (blocked_id)`);
    await db.query(`
      CREATE TABLE auth_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_reason text
      )`);
    await db.query(
      `CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id) WHERE revoked_at IS NULL`,
    );
    await db.query(`
      CREATE TABLE refresh_tokens (
        token_hash text PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        spent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE refresh_tokens`);
    await db.query(`DROP TABLE auth_sessions`);
    await db.query(`DROP TABLE user_blocks`);
    await db.query(`DROP TABLE user_message_settings`);
    await db.query(`DROP TABLE users`);
    await db.query(`DROP TABLE app_secrets`);
  }
}
