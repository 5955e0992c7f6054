import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The visibility functions that read tables, in PL/pgSQL (Visibility1764001550000 made them
 * plain SQL).
 *
 * PostgreSQL inlines an SQL function only when its body is one expression without a FROM or a
 * subquery; `visible_after` (FROM) and `direct_block` (EXISTS) are neither, so each statement
 * that called them planned their bodies again, every time it ran: measured with
 * pg_stat_statements and auto_explain on the membership check of every send, `direct_block`
 * cost 9 ms a call where its lookups take 0.1 ms. PL/pgSQL keeps the plans of its statements
 * for the session, so each connection plans them once. Both stay STABLE: `visible_after` is
 * still evaluated once per statement where it bounds an index range (`m.seq > visible_after(…)`).
 *
 * `direct_block` also looks the block up by its key in each direction, instead of joining on an
 * OR that no index answers.
 */
export class VisibilityFunctionsCached1764001700000 implements MigrationInterface {
  name = 'VisibilityFunctionsCached1764001700000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION visible_after(viewer uuid, conversation uuid) RETURNS bigint
        LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
        BEGIN
          RETURN (SELECT v.visible_after_seq FROM conversation_viewers v
                   WHERE v.conversation_id = conversation AND v.viewer_id = viewer);
        END
        $$`);
    await db.query(`
      CREATE OR REPLACE FUNCTION direct_block(conversation uuid, member uuid) RETURNS boolean
        LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
        BEGIN
          RETURN EXISTS (
            SELECT 1 FROM conversations c
              JOIN conversation_participants o ON o.conversation_id = c.id AND o.user_id <> member
             WHERE c.id = conversation AND c.type = 'direct'
               AND (EXISTS (SELECT 1 FROM user_blocks b
                             WHERE b.blocker_id = member AND b.blocked_id = o.user_id)
                    OR EXISTS (SELECT 1 FROM user_blocks b
                                WHERE b.blocker_id = o.user_id AND b.blocked_id = member)));
        END
        $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION visible_after(viewer uuid, conversation uuid) RETURNS bigint
        LANGUAGE sql STABLE PARALLEL SAFE AS $$
          SELECT v.visible_after_seq FROM conversation_viewers v
           WHERE v.conversation_id = conversation AND v.viewer_id = viewer
        $$`);
    await db.query(`
      CREATE OR REPLACE FUNCTION direct_block(conversation uuid, member uuid) RETURNS boolean
        LANGUAGE sql STABLE PARALLEL SAFE AS $$
          SELECT EXISTS (
            SELECT 1 FROM conversations c
              JOIN conversation_participants o ON o.conversation_id = c.id AND o.user_id <> member
              JOIN user_blocks b ON (b.blocker_id = member AND b.blocked_id = o.user_id)
                                 OR (b.blocker_id = o.user_id AND b.blocked_id = member)
             WHERE c.id = conversation AND c.type = 'direct')
        $$`);
  }
}
