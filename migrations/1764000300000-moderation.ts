import { MigrationInterface, QueryRunner } from 'typeorm';

export class Moderation1764000300000 implements MigrationInterface {
  name = 'Moderation1764000300000';

  async up(db: QueryRunner): Promise<void> {
    // What a masked message said before masking: for reviewers only, never rendered to users.
    await db.query(`ALTER TABLE messages ADD COLUMN masked_original text`);
    await db.query(`ALTER TABLE moderation_flags ADD COLUMN content text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE moderation_flags DROP COLUMN content`);
    await db.query(`ALTER TABLE messages DROP COLUMN masked_original`);
  }
}
