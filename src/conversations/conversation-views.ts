import { Injectable } from '@nestjs/common';
import { MessageDto } from '../messages/dto/message.dto';
import { MessageViews } from '../messages/message-views';
import { ConversationsRepository } from './conversations.repository';
import { ConversationDto, ParticipantDto } from './dto/conversation.dto';
import { ParticipantRow, ViewerRow } from './entities/conversation.row';
import { historyFloor, lastVisibleSeq } from '../visibility/visibility-rule';

const big = (v: string | null): bigint => BigInt(v ?? '0');

function toParticipant(p: ParticipantRow): ParticipantDto {
  return {
    userId: p.user_id,
    displayName: p.display_name,
    avatarUrl: p.avatar_url,
    role: p.role,
    status: p.status,
    joinedAt: p.joined_at?.toISOString() ?? null,
    lastReadSeq: Number(p.last_read_seq),
  };
}

/** Renders conversations as one participant sees them, in batches (participants, last messages). */
@Injectable()
export class ConversationViews {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly messageViews: MessageViews,
  ) {}

  /** The viewer's conversations by activity, archived too, leaving out the given ids (for sync). */
  recentExcept(viewerId: string, excludeIds: string[], limit: number): Promise<ViewerRow[]> {
    return this.conversations.recentExcept(viewerId, excludeIds, limit);
  }

  async render(rows: ViewerRow[], viewerId: string): Promise<ConversationDto[]> {
    if (rows.length === 0) return [];
    const positions = rows.flatMap((r) => {
      const seq = lastVisibleSeq(r.viewer, r.last_seq);
      return seq ? [{ conversationId: r.id, seq }] : [];
    });
    const [participants, lastRows] = await Promise.all([
      this.conversations.participants(rows.map((r) => r.id)),
      this.messageViews.atSeqs(positions, viewerId),
    ]);
    const lastByConversation = new Map<string, MessageDto>(
      lastRows.map((m) => [m.conversationId, m]),
    );
    const participantsOf = new Map<string, ParticipantRow[]>();
    for (const p of participants)
      participantsOf.set(p.conversation_id, [...(participantsOf.get(p.conversation_id) ?? []), p]);
    const now = Date.now();
    return rows.map((r) => {
      const members = participantsOf.get(r.id) ?? [];
      const v = r.viewer;
      const mutedUntil = v.muted_until && v.muted_until.getTime() > now ? v.muted_until : null;
      const muted = v.muted && (v.muted_until === null || mutedUntil !== null);
      const readFrom = big(historyFloor(v, v.last_read_seq));
      const unread =
        v.status === 'active' && big(r.last_seq) > readFrom
          ? Number(big(r.last_seq) - readFrom)
          : 0;
      return {
        id: r.id,
        type: r.type,
        title:
          r.type === 'direct'
            ? (members.find((p) => p.user_id !== viewerId)?.display_name ?? r.title)
            : r.title,
        contextId: r.context_id,
        encryption: r.encryption,
        allowFileSharing: r.allow_file_sharing,
        createdBy: r.created_by,
        createdAt: r.created_at.toISOString(),
        updatedAt: r.updated_at.toISOString(),
        participants: members.map(toParticipant),
        lastMessage: lastByConversation.get(r.id) ?? null,
        lastSeq: Number(r.last_seq),
        lastVersion: Number(r.last_version),
        unreadCount: unread,
        archived: v.archived_at !== null,
        muted,
        mutedUntil: muted && mutedUntil ? mutedUntil.toISOString() : null,
        invitation: v.status === 'invited' ? 'pending' : null,
        retentionDays: r.retention_days,
      };
    });
  }

  /** One conversation as `viewerId` sees it, or null when they are not a participant. */
  async forViewer(conversationId: string, viewerId: string): Promise<ConversationDto | null> {
    const found = await this.conversations.forViewer(conversationId, viewerId);
    if (!found) return null;
    const [view] = await this.render([found], viewerId);
    return view;
  }
}
