import { MigrationInterface, QueryRunner } from 'typeorm';

export class AttachmentsAtRest1764000800000 implements MigrationInterface {
  name = 'AttachmentsAtRest1764000800000';

  async up(db: QueryRunner): Promise<void> {
    // The at_rest conversation whose data key sealed the stored bytes; null: stored as uploaded.
    await db.query(
      `ALTER TABLE attachments ADD COLUMN sealed_for uuid REFERENCES conversations (id) ON DELETE SET NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE attachments DROP COLUMN sealed_for`);
  }
}
