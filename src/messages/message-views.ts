import { Injectable } from '@nestjs/common';
import { PublicUserDto, toPublicUser } from '../users/dto/user.dto';
import { UsersRepository } from '../users/users.repository';
import { MessageRow } from './entities/message.row';
import { MessageDto } from './dto/message.dto';
import { ReactionsRepository, ReactionSummary } from './reactions.repository';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Pure mapping of a row plus its loaded extras into the API's Message. */
export function toMessageDto(
  row: MessageRow,
  sender: PublicUserDto | null,
  reactions: ReactionSummary[],
): MessageDto {
  const deleted = row.deleted_at !== null;
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: Number(row.seq),
    version: Number(row.version),
    clientMessageId: row.client_message_id,
    senderId: row.sender_id,
    sender,
    type: row.type,
    content: deleted ? '' : row.content,
    language: row.language,
    direction: row.direction,
    replyToMessageId: row.reply_to_message_id,
    threadRootId: row.thread_root_id,
    replyCount: row.reply_count,
    attachments: [],
    reactions: deleted ? [] : reactions,
    isEdited: row.edited_at !== null,
    editedAt: iso(row.edited_at),
    isDeleted: deleted,
    deletedAt: iso(row.deleted_at),
    moderation: row.moderation,
    system: row.system_event,
    createdAt: row.created_at.toISOString(),
  };
}

/** Renders message rows as a given viewer sees them, loading senders and reactions in batches. */
@Injectable()
export class MessageViews {
  constructor(
    private readonly users: UsersRepository,
    private readonly reactions: ReactionsRepository,
  ) {}

  async render(rows: MessageRow[], viewerId: string): Promise<MessageDto[]> {
    if (rows.length === 0) return [];
    const senderIds = [
      ...new Set(rows.map((r) => r.sender_id).filter((id): id is string => id !== null)),
    ];
    const [senders, reactions] = await Promise.all([
      this.users.inOrder(senderIds),
      this.reactions.summarize(
        rows.map((r) => r.id),
        viewerId,
      ),
    ]);
    const senderById = new Map(senders.map((u) => [u.id, toPublicUser(u)]));
    return rows.map((r) =>
      toMessageDto(
        r,
        r.sender_id ? (senderById.get(r.sender_id) ?? null) : null,
        reactions.get(r.id) ?? [],
      ),
    );
  }

  async renderOne(row: MessageRow, viewerId: string): Promise<MessageDto> {
    const [dto] = await this.render([row], viewerId);
    return dto;
  }
}
