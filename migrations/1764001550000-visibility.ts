import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who may see what, in one place (src/visibility owns it): every statement that decides whether a
 * user may see a conversation or a message uses these instead of reading
 * conversation_participants itself.
 *
 * - `conversation_viewers`: the active members of a conversation (not invited, not gone), each
 *   with the seq after which their history starts (`visible_after_seq`: joining later, "delete
 *   for me").
 * - `message_viewers`: each message with every user who may see it.
 * - `conversation_contacts`: pairs of users who are both active members of a conversation (who
 *   sees whose presence and device keys), once per conversation they share.
 * - `visible_after(viewer, conversation)`: that seq for one viewer, NULL when they may see
 *   nothing (so `m.seq > visible_after(...)` keeps no rows); stable, so it bounds an index range.
 * - `can_see(viewer, conversation, seq)`: the rule for one message.
 * - `direct_block(conversation, member)`: whether a block (either way) stands between the two
 *   people of a direct conversation, which then neither may use.
 *
 * All are plain SQL that the planner inlines or evaluates once per statement (but see
 * VisibilityFunctionsCached1764001700000: two are PL/pgSQL now); none changes a plan
 * that used the table directly.
 */
export class Visibility1764001550000 implements MigrationInterface {
  name = 'Visibility1764001550000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE VIEW conversation_viewers AS
        SELECT p.conversation_id, p.user_id AS viewer_id, p.role, p.joined_at, p.visible_after_seq
          FROM conversation_participants p
         WHERE p.status = 'active'`);
    await db.query(`
      CREATE VIEW message_viewers AS
        SELECT m.id AS message_id, m.conversation_id, m.seq, v.viewer_id, v.joined_at
          FROM messages m
          JOIN conversation_viewers v
            ON v.conversation_id = m.conversation_id AND m.seq > v.visible_after_seq`);
    await db.query(`
      CREATE VIEW conversation_contacts AS
        SELECT a.viewer_id AS user_id, b.viewer_id AS contact_id, a.conversation_id
          FROM conversation_viewers a
          JOIN conversation_viewers b
            ON b.conversation_id = a.conversation_id AND b.viewer_id <> a.viewer_id`);
    await db.query(`
      CREATE FUNCTION visible_after(viewer uuid, conversation uuid) RETURNS bigint
        LANGUAGE sql STABLE PARALLEL SAFE AS $$
          SELECT v.visible_after_seq FROM conversation_viewers v
           WHERE v.conversation_id = conversation AND v.viewer_id = viewer
        $$`);
    await db.query(`
      CREATE FUNCTION can_see(viewer uuid, conversation uuid, seq bigint) RETURNS boolean
        LANGUAGE sql STABLE PARALLEL SAFE AS $$
          SELECT COALESCE(seq > visible_after(viewer, conversation), false)
        $$`);
    await db.query(`
      CREATE FUNCTION direct_block(conversation uuid, member uuid) RETURNS boolean
        LANGUAGE sql STABLE PARALLEL SAFE AS $$
          SELECT EXISTS (
            SELECT 1 FROM conversations c
              JOIN conversation_participants o ON o.conversation_id = c.id AND o.user_id <> member
              JOIN user_blocks b ON (b.blocker_id = member AND b.blocked_id = o.user_id)
                                 OR (b.blocker_id = o.user_id AND b.blocked_id = member)
             WHERE c.id = conversation AND c.type = 'direct')
        $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION direct_block(uuid, uuid)`);
    await db.query(`DROP FUNCTION can_see(uuid, uuid, bigint)`);
    await db.query(`DROP FUNCTION visible_after(uuid, uuid)`);
    await db.query(`DROP VIEW conversation_contacts`);
    await db.query(`DROP VIEW message_viewers`);
    await db.query(`DROP VIEW conversation_viewers`);
  }
}
