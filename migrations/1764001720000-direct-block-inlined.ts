import { MigrationInterface, QueryRunner } from 'typeorm';

/** Whether a block (either way) stands between `member` and the other member of a direct conversation. */
const BLOCKED = `
          SELECT EXISTS (
            SELECT 1 FROM conversations c
              JOIN conversation_participants o ON o.conversation_id = c.id AND o.user_id <> member
             WHERE c.id = conversation AND c.type = 'direct'
               AND (EXISTS (SELECT 1 FROM user_blocks b
                             WHERE b.blocker_id = member AND b.blocked_id = o.user_id)
                    OR EXISTS (SELECT 1 FROM user_blocks b
                                WHERE b.blocker_id = o.user_id AND b.blocked_id = member)))`;

/**
 * `direct_block` becomes a table function (one row: `blocked`), joined LATERAL where it is used.
 *
 * VisibilityFunctionsCached1764001700000 made it PL/pgSQL so that its plan is kept, but each call
 * still goes through PL/pgSQL and SPI: about 0.1 ms, once per send in the membership check (with
 * pg_stat_statements on the realtime benchmark, 1.7 s of the database's 4.8 s). PostgreSQL inlines
 * an SQL function that returns a set, used in FROM, whatever its body holds: the lookups become
 * part of the calling statement's plan, planned with it once.
 */
export class DirectBlockInlined1764001720000 implements MigrationInterface {
  name = 'DirectBlockInlined1764001720000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION direct_block(uuid, uuid)`);
    await db.query(`
      CREATE FUNCTION direct_block(conversation uuid, member uuid) RETURNS TABLE (blocked boolean)
        LANGUAGE sql STABLE PARALLEL SAFE ROWS 1 AS $$
${BLOCKED}
        $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION direct_block(uuid, uuid)`);
    await db.query(`
      CREATE FUNCTION direct_block(conversation uuid, member uuid) RETURNS boolean
        LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
        BEGIN
          RETURN (${BLOCKED});
        END
        $$`);
  }
}
