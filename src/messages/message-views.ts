import { Injectable } from '@nestjs/common';
import { AttachmentDto } from '../attachments/dto/attachment.dto';
import { MessageAttachments } from '../attachments/message-attachments';
import { PublicUserDto, toPublicUser } from '../users/dto/user.dto';
import { EncryptionService } from '../encryption/encryption.service';
import { UserDirectory } from '../users/user-directory';
import { MessageRow } from './entities/message.row';
import { MessagesRepository, SentMessage } from './messages.repository';
import { MessageDto } from './dto/message.dto';
import { ReactionsRepository, ReactionSummary } from './reactions.repository';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The sender's public profile as the statement that wrote the message read it. */
const senderOf = (row: SentMessage): PublicUserDto | null =>
  row.sender_id && row.sender_display_name !== null
    ? {
        id: row.sender_id,
        displayName: row.sender_display_name,
        avatarUrl: row.sender_avatar_url,
        locale: row.sender_locale as PublicUserDto['locale'],
        verificationStatus: row.sender_verification_status as PublicUserDto['verificationStatus'],
      }
    : null;

/** Only live image, audio and file messages have attachments to load. */
const hasAttachments = (row: MessageRow): boolean =>
  row.deleted_at === null && (row.type === 'image' || row.type === 'audio' || row.type === 'file');

/** Pure mapping of a row plus its loaded extras into the API's Message. */
export function toMessageDto(
  row: MessageRow,
  sender: PublicUserDto | null,
  reactions: ReactionSummary[],
  attachments: AttachmentDto[] = [],
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
    attachments: deleted ? [] : attachments,
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

/**
 * Renders message rows as a given viewer sees them, loading senders, reactions and attachments
 * in batches.
 */
@Injectable()
export class MessageViews {
  constructor(
    private readonly users: UserDirectory,
    private readonly reactions: ReactionsRepository,
    private readonly attachments: MessageAttachments,
    private readonly encryption: EncryptionService,
    private readonly messages: MessagesRepository,
  ) {}

  /** The messages at these positions, as the viewer sees them (missing ones left out). */
  async atSeqs(
    positions: { conversationId: string; seq: string }[],
    viewerId: string,
  ): Promise<MessageDto[]> {
    return this.render(await this.messages.atSeqs(positions), viewerId);
  }

  /** One message as the viewer sees it, or null when it is gone. */
  async byId(
    conversationId: string,
    messageId: string,
    viewerId: string,
  ): Promise<MessageDto | null> {
    const row = await this.messages.findById(conversationId, messageId);
    return row ? ((await this.render([row], viewerId))[0] ?? null) : null;
  }

  /** Rows read with their senders' profiles (SentMessage) need no lookup of them. */
  async render(stored: (MessageRow | SentMessage)[], viewerId: string): Promise<MessageDto[]> {
    if (stored.length === 0) return [];
    const rows = await this.decrypted(stored);
    const known = new Map<string, PublicUserDto | null>();
    for (const r of stored) {
      if (r.sender_id && 'sender_display_name' in r) known.set(r.sender_id, senderOf(r));
    }
    const senderIds = [
      ...new Set(
        rows.map((r) => r.sender_id).filter((id): id is string => id !== null && !known.has(id)),
      ),
    ];
    const [senders, reactions, attachments] = await Promise.all([
      this.users.inOrder(senderIds),
      this.reactions.summarize(
        rows.map((r) => r.id),
        viewerId,
      ),
      this.attachments.forMessages(rows.filter(hasAttachments).map((r) => r.id)),
    ]);
    const senderById = new Map([...known, ...senders.map((u) => [u.id, toPublicUser(u)] as const)]);
    return rows.map((r) =>
      toMessageDto(
        r,
        r.sender_id ? (senderById.get(r.sender_id) ?? null) : null,
        reactions.get(r.id) ?? [],
        attachments.get(r.id) ?? [],
      ),
    );
  }

  /**
   * Content of at_rest conversations is decrypted here, and only here; a tampered row throws.
   * One key lookup per conversation of the page, and nothing at all for a plain one.
   */
  private async decrypted<R extends MessageRow>(rows: R[]): Promise<R[]> {
    const sealed = rows.filter((r) => r.encrypted && r.deleted_at === null);
    if (sealed.length === 0) return rows;
    const plain = new Map<R, string>();
    for (const conversationId of new Set(sealed.map((r) => r.conversation_id))) {
      const mine = sealed.filter((r) => r.conversation_id === conversationId);
      const texts = await this.encryption.decryptAll(
        conversationId,
        mine.map((r) => r.content),
      );
      mine.forEach((r, i) => plain.set(r, texts[i]));
    }
    return rows.map((r) => {
      const content = plain.get(r);
      return content === undefined ? r : { ...r, content };
    });
  }

  /**
   * A message just created: it has no reactions yet, so that query is skipped, and a freshly
   * written row brings its sender along.
   */
  async renderNew(row: MessageRow | SentMessage): Promise<MessageDto> {
    const [plain] = await this.decrypted([row]);
    const known = 'sender_display_name' in row ? senderOf(row) : undefined;
    const [senders, attachments] = await Promise.all([
      known !== undefined ? [] : this.users.inOrder(plain.sender_id ? [plain.sender_id] : []),
      this.attachments.forMessages(hasAttachments(plain) ? [plain.id] : []),
    ]);
    return toMessageDto(
      plain,
      known !== undefined ? known : senders[0] ? toPublicUser(senders[0]) : null,
      [],
      attachments.get(plain.id) ?? [],
    );
  }

  async renderOne(row: MessageRow, viewerId: string): Promise<MessageDto> {
    const [dto] = await this.render([row], viewerId);
    return dto;
  }
}
