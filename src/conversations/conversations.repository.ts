import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';
import {
  ConversationRow,
  ConversationType,
  Encryption,
  ParticipantRow,
  ViewerRow,
} from './entities/conversation.row';

const CONVERSATION = `c.id, c.type, c.title, c.context_id, c.encryption, c.allow_file_sharing, c.created_by,
  c.created_at, c.updated_at, c.last_seq, c.last_version, c.last_activity, c.retention_days`;
const PARTICIPANT = `p.conversation_id, p.user_id, p.role, p.status, p.invited_at, p.joined_at, p.visible_after_seq,
  p.cleared_seq, p.last_read_seq, p.last_delivered_seq, p.archived_at, p.muted, p.muted_until`;

export interface NewConversation {
  type: ConversationType;
  title: string | null;
  contextId: string | null;
  encryption: Encryption;
  allowFileSharing: boolean;
  createdBy: string;
  directKey: string | null;
}

export interface NewParticipant {
  userId: string;
  role: 'admin' | 'member';
  status: 'active' | 'invited';
  /** for active members: they see messages after this seq */
  visibleAfterSeq: string;
}

export type ViewState = Partial<{
  archived_at: Date | null;
  muted: boolean;
  muted_until: Date | null;
}>;

function toViewerRow(r: Record<string, unknown>): ViewerRow {
  const viewer = {} as Record<string, unknown>;
  const conversation = {} as Record<string, unknown>;
  for (const [key, value] of Object.entries(r)) {
    if (key.startsWith('p_')) viewer[key.slice(2)] = value;
    else conversation[key] = value;
  }
  return {
    ...(conversation as unknown as ConversationRow),
    viewer: viewer as unknown as ViewerRow['viewer'],
  };
}

const VIEWER_COLUMNS = PARTICIPANT.split(',')
  .map((c) => c.trim())
  .map((c) => `${c} AS p_${c.slice(2)}`)
  .join(', ');

/** Conversations and their participants. Every list query is scoped to one user or one conversation. */
@Injectable()
export class ConversationsRepository {
  constructor(private readonly sql: Sql) {}

  /** Inserts a conversation; for a direct one that already exists, returns null. */
  async insert(c: NewConversation): Promise<ConversationRow | null> {
    return this.sql.row<ConversationRow>(
      `INSERT INTO conversations AS c (type, title, context_id, encryption, allow_file_sharing, created_by, direct_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (direct_key) WHERE direct_key IS NOT NULL DO NOTHING
       RETURNING ${CONVERSATION}`,
      [c.type, c.title, c.contextId, c.encryption, c.allowFileSharing, c.createdBy, c.directKey],
    );
  }

  async addParticipants(conversationId: string, members: NewParticipant[]): Promise<void> {
    if (members.length === 0) return;
    await this.sql.run(
      `INSERT INTO conversation_participants
              (conversation_id, user_id, role, status, joined_at, visible_after_seq, last_read_seq, last_delivered_seq)
       SELECT $1, m.user_id, m.role, m.status, CASE WHEN m.status = 'active' THEN now() END, m.seq, m.seq, m.seq
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::bigint[]) AS m(user_id, role, status, seq)`,
      [
        conversationId,
        members.map((m) => m.userId),
        members.map((m) => m.role),
        members.map((m) => m.status),
        members.map((m) => m.visibleAfterSeq),
      ],
    );
  }

  findDirect(directKey: string): Promise<ConversationRow | null> {
    return this.sql.row<ConversationRow>(
      `SELECT ${CONVERSATION} FROM conversations c WHERE c.direct_key = $1`,
      [directKey],
    );
  }

  /** Locks the conversation row for a membership change. */
  lock(conversationId: string): Promise<ConversationRow | null> {
    return this.sql.row<ConversationRow>(
      `SELECT ${CONVERSATION} FROM conversations c WHERE c.id = $1 FOR UPDATE`,
      [conversationId],
    );
  }

  /** The conversation with the viewer's own participant state, if they are a participant. */
  async forViewer(conversationId: string, userId: string): Promise<ViewerRow | null> {
    const found = await this.sql.row<Record<string, unknown>>(
      `SELECT ${CONVERSATION}, ${VIEWER_COLUMNS}
         FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
        WHERE p.conversation_id = $1 AND p.user_id = $2`,
      [conversationId, userId],
    );
    return found ? toViewerRow(found) : null;
  }

  /**
   * A page of the user's conversations by activity, newest first. Conversations the user
   * deleted for themselves stay out until a newer message arrives.
   */
  async listForUser(
    userId: string,
    archived: boolean,
    before: { activity: string; id: string } | null,
    limit: number,
  ): Promise<ViewerRow[]> {
    const params: unknown[] = [userId, archived, limit];
    let keyset = '';
    if (before) {
      params.push(before.activity, before.id);
      keyset = `AND (c.last_activity, c.id) < ($4::bigint, $5::uuid)`;
    }
    const found = await this.sql.rows<Record<string, unknown>>(
      `SELECT ${CONVERSATION}, ${VIEWER_COLUMNS}
         FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
        WHERE p.user_id = $1 AND (p.archived_at IS NOT NULL) = $2
          AND (p.cleared_seq IS NULL OR c.last_seq > p.cleared_seq)
          ${keyset}
        ORDER BY c.last_activity DESC, c.id DESC
        LIMIT $3`,
      params,
    );
    return found.map(toViewerRow);
  }

  /** The user's conversations by activity, archived too, leaving out the given ids (for sync). */
  async recentExcept(userId: string, excludeIds: string[], limit: number): Promise<ViewerRow[]> {
    const found = await this.sql.rows<Record<string, unknown>>(
      `SELECT ${CONVERSATION}, ${VIEWER_COLUMNS}
         FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
        WHERE p.user_id = $1 AND NOT (p.conversation_id = ANY($2::uuid[]))
          AND (p.cleared_seq IS NULL OR c.last_seq > p.cleared_seq)
        ORDER BY c.last_activity DESC, c.id DESC
        LIMIT $3`,
      [userId, excludeIds, limit],
    );
    return found.map(toViewerRow);
  }

  /** Participants of the given conversations with their public profile, longest-standing first. */
  async participants(conversationIds: string[]): Promise<ParticipantRow[]> {
    if (conversationIds.length === 0) return [];
    return this.sql.rows<ParticipantRow>(
      `SELECT ${PARTICIPANT}, u.display_name, u.avatar_url
         FROM conversation_participants p JOIN users u ON u.id = p.user_id
        WHERE p.conversation_id = ANY($1::uuid[])
        ORDER BY p.conversation_id, p.joined_at NULLS LAST, p.invited_at, p.user_id`,
      [conversationIds],
    );
  }

  async update(
    conversationId: string,
    patch: { title?: string; allowFileSharing?: boolean; retentionDays?: number | null },
  ): Promise<void> {
    await this.sql.run(
      `UPDATE conversations
          SET title = COALESCE($2, title), allow_file_sharing = COALESCE($3, allow_file_sharing),
              retention_days = CASE WHEN $4 THEN $5::int ELSE retention_days END, updated_at = now()
        WHERE id = $1`,
      [
        conversationId,
        patch.title ?? null,
        patch.allowFileSharing ?? null,
        patch.retentionDays !== undefined,
        patch.retentionDays ?? null,
      ],
    );
  }

  async touch(conversationId: string): Promise<void> {
    await this.sql.run(`UPDATE conversations SET updated_at = now() WHERE id = $1`, [
      conversationId,
    ]);
  }

  async setViewState(conversationId: string, userId: string, state: ViewState): Promise<boolean> {
    const sets: string[] = [];
    const params: unknown[] = [conversationId, userId];
    for (const [column, value] of Object.entries(state)) {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    }
    if (sets.length === 0) return true;
    const updated = await this.sql.rows(
      `UPDATE conversation_participants SET ${sets.join(', ')}
        WHERE conversation_id = $1 AND user_id = $2 RETURNING user_id`,
      params,
    );
    return updated.length > 0;
  }

  /** "Delete for me": everything up to now becomes invisible to this participant. */
  async clearForUser(conversationId: string, userId: string): Promise<boolean> {
    const updated = await this.sql.rows(
      `UPDATE conversation_participants p
          SET cleared_seq = c.last_seq,
              visible_after_seq = GREATEST(p.visible_after_seq, c.last_seq),
              last_read_seq = GREATEST(p.last_read_seq, c.last_seq),
              last_delivered_seq = GREATEST(p.last_delivered_seq, c.last_seq)
         FROM conversations c
        WHERE c.id = p.conversation_id AND p.conversation_id = $1 AND p.user_id = $2
        RETURNING p.user_id`,
      [conversationId, userId],
    );
    return updated.length > 0;
  }

  async removeParticipant(conversationId: string, userId: string): Promise<void> {
    await this.sql.run(
      `DELETE FROM conversation_participants WHERE conversation_id = $1 AND user_id = $2`,
      [conversationId, userId],
    );
  }

  async setRole(conversationId: string, userId: string, role: 'admin' | 'member'): Promise<void> {
    await this.sql.run(
      `UPDATE conversation_participants SET role = $3 WHERE conversation_id = $1 AND user_id = $2`,
      [conversationId, userId, role],
    );
  }

  /** Makes the longest-standing active member an admin when no active admin is left. */
  async ensureAdmin(conversationId: string): Promise<void> {
    await this.sql.run(
      `UPDATE conversation_participants SET role = 'admin'
        WHERE conversation_id = $1 AND user_id = (
          SELECT user_id FROM conversation_participants
           WHERE conversation_id = $1 AND status = 'active'
           ORDER BY joined_at, user_id LIMIT 1)
          AND NOT EXISTS (SELECT 1 FROM conversation_participants
                           WHERE conversation_id = $1 AND status = 'active' AND role = 'admin')`,
      [conversationId],
    );
  }

  /** An invited user accepts: they see messages from now on. */
  async accept(conversationId: string, userId: string, lastSeq: string): Promise<void> {
    await this.sql.run(
      `UPDATE conversation_participants
          SET status = 'active', joined_at = now(), visible_after_seq = $3, last_read_seq = $3, last_delivered_seq = $3
        WHERE conversation_id = $1 AND user_id = $2 AND status = 'invited'`,
      [conversationId, userId, lastSeq],
    );
  }

  /** True when both users are active members of some conversation. */
  async shareConversation(a: string, b: string): Promise<boolean> {
    const found = await this.sql.rows(
      `SELECT 1 FROM conversation_contacts WHERE user_id = $1 AND contact_id = $2 LIMIT 1`,
      [a, b],
    );
    return found.length > 0;
  }
}
