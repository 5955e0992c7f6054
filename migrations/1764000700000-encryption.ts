import { MigrationInterface, QueryRunner } from 'typeorm';

export class Encryption1764000700000 implements MigrationInterface {
  name = 'Encryption1764000700000';

  async up(db: QueryRunner): Promise<void> {
    // One random data key per at_rest conversation, stored only wrapped by a master key.
    await db.query(`
      CREATE TABLE conversation_keys (
        conversation_id uuid PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
        master_key_id text NOT NULL,
        wrapped_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        rewrapped_at timestamptz
      )`);
    await db.query(
      `CREATE INDEX conversation_keys_master_idx ON conversation_keys (master_key_id)`,
    );
    await db.query(`ALTER TABLE messages ADD COLUMN encrypted boolean NOT NULL DEFAULT false`);
    await db.query(
      `ALTER TABLE moderation_flags ADD COLUMN content_encrypted boolean NOT NULL DEFAULT false`,
    );
    // Public keys of the devices of e2e users: the server relays ciphertext and never sees plaintext.
    await db.query(`
      CREATE TABLE device_keys (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        device_id text NOT NULL CHECK (char_length(device_id) BETWEEN 1 AND 64),
        public_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, device_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE device_keys`);
    await db.query(`ALTER TABLE moderation_flags DROP COLUMN content_encrypted`);
    await db.query(`ALTER TABLE messages DROP COLUMN encrypted`);
    await db.query(`DROP TABLE conversation_keys`);
  }
}
