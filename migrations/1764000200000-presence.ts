import { MigrationInterface, QueryRunner } from 'typeorm';

export class Presence1764000200000 implements MigrationInterface {
  name = 'Presence1764000200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users ADD COLUMN last_seen_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users DROP COLUMN last_seen_at`);
  }
}
