import { MigrationInterface, QueryRunner } from 'typeorm';

export class Attachments1764000500000 implements MigrationInterface {
  name = 'Attachments1764000500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE attachments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        uploader_id uuid NOT NULL REFERENCES users (id),
        kind text NOT NULL CHECK (kind IN ('image', 'file')),
        -- the base name the client gave: shown and sent back, never part of a storage path
        filename text NOT NULL CHECK (char_length(filename) BETWEEN 1 AND 255),
        mime_type text NOT NULL,
        size bigint NOT NULL CHECK (size > 0),
        width integer CHECK (width > 0),
        height integer CHECK (height > 0),
        -- random names chosen by the server, unique across both storages
        storage_key text NOT NULL UNIQUE,
        thumbnail_key text UNIQUE,
        thumbnail_size integer CHECK (thumbnail_size > 0),
        -- of the stored bytes: the ETag
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        -- the one message that references it; a message that is hard-deleted (with its
        -- conversation) leaves it unreferenced, and the cleanup removes it
        message_id uuid REFERENCES messages (id) ON DELETE SET NULL,
        position smallint CHECK (position BETWEEN 1 AND 10),
        created_at timestamptz NOT NULL DEFAULT now(),
        -- its message was deleted: the file goes, and the row once the file is gone
        deleted_at timestamptz,
        CHECK ((kind = 'image') = (width IS NOT NULL AND height IS NOT NULL)),
        CHECK ((kind = 'image') = (thumbnail_key IS NOT NULL AND thumbnail_size IS NOT NULL))
      )`);
    // A message's attachments, in order: rendering, the access check, and deleting with the message.
    await db.query(
      `CREATE INDEX attachments_message_idx ON attachments (message_id, position) WHERE message_id IS NOT NULL`,
    );
    // The cleanup job: unreferenced uploads by age, and files whose message was deleted.
    await db.query(
      `CREATE INDEX attachments_unreferenced_idx ON attachments (created_at) WHERE message_id IS NULL`,
    );
    await db.query(
      `CREATE INDEX attachments_deleted_idx ON attachments (deleted_at) WHERE deleted_at IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE attachments`);
  }
}
