import { MigrationInterface, QueryRunner } from 'typeorm';

export class VoiceMessages1764001110000 implements MigrationInterface {
  name = 'VoiceMessages1764001110000';

  async up(db: QueryRunner): Promise<void> {
    // Audio is a third kind of attachment, with its length read from the container.
    await db.query(`
      ALTER TABLE attachments
        DROP CONSTRAINT attachments_kind_check,
        ADD CONSTRAINT attachments_kind_check CHECK (kind IN ('image', 'file', 'audio')),
        ADD COLUMN duration_ms integer CHECK (duration_ms > 0),
        ADD CONSTRAINT attachments_duration_check CHECK ((kind = 'audio') = (duration_ms IS NOT NULL))`);
    // A message whose attachments are all audio is a voice message.
    await db.query(`
      ALTER TABLE messages
        DROP CONSTRAINT messages_type_check,
        ADD CONSTRAINT messages_type_check CHECK (type IN ('text', 'file', 'image', 'audio', 'system'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE messages
        DROP CONSTRAINT messages_type_check,
        ADD CONSTRAINT messages_type_check CHECK (type IN ('text', 'file', 'image', 'system'))`);
    await db.query(`
      ALTER TABLE attachments
        DROP CONSTRAINT attachments_duration_check,
        DROP COLUMN duration_ms,
        DROP CONSTRAINT attachments_kind_check,
        ADD CONSTRAINT attachments_kind_check CHECK (kind IN ('image', 'file'))`);
  }
}
