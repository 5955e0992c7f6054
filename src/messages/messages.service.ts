import { Injectable } from '@nestjs/common';
import { AttachmentMessageType, MessageAttachments } from '../attachments/message-attachments';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { DomainEventBus } from '../common/events/domain-event-bus';
import { EventOrigin, MessageEvent } from '../common/events/domain-events';
import { RateLimiter } from '../common/rate-limit/rate-limiter';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions';
import { ModerationFlags } from '../moderation/moderation-flags';
import { canSee } from '../visibility/visibility-rule';
import type { NewFlag } from '../moderation/flags.repository';
import { EncryptionService } from '../encryption/encryption.service';
import { ModerationPipeline, ModerationResult } from '../moderation/moderation-pipeline';
import { MessageDto } from './dto/message.dto';
import { EditMessageDto, SendMessageDto } from './dto/message-inputs.dto';
import { Membership, MessageRow, SystemEvent } from './entities/message.row';
import { detectLanguage, directionOf } from './language';
import { MessageAccess } from './message-access';
import { MessageViews } from './message-views';
import { AppendedMessage, MessagesRepository, NewMessage } from './messages.repository';
import { SendBatcher } from './send-batcher';

const UNIQUE_VIOLATION = '23505';
const MAX_CONTENT = 4000;
/** e2e ciphertext: base64 of at most 16 KiB */
const MAX_E2E_CONTENT = Math.ceil((16 * 1024) / 3) * 4;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A text ready to store: moderated, and encrypted for at_rest conversations. */
type StoredText = ModerationResult & { encrypted: boolean; flagContent: string };

/** The English line a client can show as is; `system` carries the structured event. */
export function describeSystemEvent(event: SystemEvent, names: Map<string, string>): string {
  const actor = names.get(event.actorId) ?? 'Someone';
  const users = (event.userIds ?? []).map((id) => names.get(id) ?? 'someone').join(', ');
  switch (event.kind) {
    case 'group_created':
      return event.title
        ? `${actor} created the group "${event.title}"`
        : `${actor} created the group`;
    case 'members_added':
      return `${actor} added ${users}`;
    case 'member_removed':
      return `${actor} removed ${users}`;
    case 'member_left':
      return `${actor} left`;
    case 'title_changed':
      return `${actor} changed the title to "${event.title ?? ''}"`;
    case 'invitation_accepted':
      return `${actor} joined`;
    case 'retention_changed':
      return event.retentionDays
        ? `${actor} set messages to disappear after ${event.retentionDays} days`
        : `${actor} set messages to be kept by the default policy`;
  }
}

export interface SendResult {
  message: MessageDto;
  /** false when the same clientMessageId was sent before: nothing new was stored. */
  created: boolean;
}

const eventOf = (row: MessageRow, origin?: EventOrigin): MessageEvent => ({
  conversationId: row.conversation_id,
  messageId: row.id,
  seq: Number(row.seq),
  version: Number(row.version),
  senderId: row.sender_id,
  origin,
});

/** Writes to the message log: send, edit, delete, and the system messages of membership changes. */
@Injectable()
export class MessagesService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly access: MessageAccess,
    private readonly views: MessageViews,
    private readonly attachments: MessageAttachments,
    private readonly events: DomainEventBus,
    private readonly rateLimiter: RateLimiter,
    private readonly config: AppConfig,
    private readonly flags: ModerationFlags,
    private readonly moderation: ModerationPipeline,
    private readonly encryption: EncryptionService,
    private readonly batcher: SendBatcher,
    private readonly transactions: Transactions,
  ) {}

  async send(
    caller: AuthUser,
    conversationId: string,
    input: SendMessageDto,
    origin?: EventOrigin,
  ): Promise<SendResult> {
    this.access.assertVerified(caller);
    const m = await this.access.member(caller, conversationId, input.clientMessageId);
    // A retry of a stored message is answered from the store and costs no send.
    if (m.earlier_id) return this.repeat(caller, conversationId, m.earlier_id);
    await this.rateLimiter.consume('messages', caller.id, this.config.rateLimits.messagesPerMinute);
    this.access.assertNotBlocked(m);
    const attachmentIds = input.attachmentIds ?? [];
    const type = await this.checkAttachments(m, attachmentIds);
    const replyTo = input.replyToMessageId
      ? await this.replyTarget(m, input.replyToMessageId)
      : null;
    const stored = await this.prepare(m, input.content);
    const values: NewMessage = {
      conversationId,
      senderId: caller.id,
      clientMessageId: input.clientMessageId ?? null,
      type,
      content: stored.content,
      language: input.language ?? detectLanguage(input.content),
      direction: directionOf(input.content),
      systemEvent: null,
      replyToMessageId: replyTo?.id ?? null,
      threadRootId: replyTo ? (replyTo.thread_root_id ?? replyTo.id) : null,
      moderation: stored.moderation,
      maskedOriginal: stored.original,
      encrypted: stored.encrypted,
    };

    // What a reply, a flagged send or a send with attachments writes besides its message
    // commits with it, in its batch's transaction.
    const alongWith =
      replyTo || stored.flagged.length > 0 || attachmentIds.length > 0
        ? async (message: AppendedMessage) => {
            await this.openFlag(message, stored);
            await this.attachments.claim(message.id, caller.id, attachmentIds);
            if (message.thread_root_id) await this.countReply(message, origin);
          }
        : undefined;
    let created: AppendedMessage;
    try {
      created = await this.batcher.append({ ...values, senderId: caller.id }, alongWith);
    } catch (err) {
      // The same clientMessageId sent concurrently: the unique key let one through.
      if ((err as { code?: string }).code === UNIQUE_VIOLATION && input.clientMessageId) {
        const earlier = await this.messages.findByClientId(
          conversationId,
          caller.id,
          input.clientMessageId,
        );
        if (earlier) return this.repeat(caller, conversationId, earlier.id);
      }
      throw err;
    }
    if (m.encryption === 'at_rest' && attachmentIds.length > 0) {
      await this.attachments.sealForConversation(conversationId, created.id);
    }
    const message = await this.views.renderNew(created);
    // written by the group commit with its outbox row: dispatched here, with the rendering
    this.events.committed(
      { id: created.outbox_id, event_id: created.outbox_event_id, name: 'message.created' },
      { ...eventOf(created, origin), type: created.type, message },
    );
    return { message, created: true };
  }

  /** A reply raises its thread root's replyCount, under a version of its own. */
  private async countReply(reply: MessageRow, origin?: EventOrigin): Promise<void> {
    const rootId = reply.thread_root_id!;
    const version = await this.messages.nextVersion(reply.conversation_id);
    await this.messages.addReplyCount(rootId, 1, version);
    const root = await this.messages.findById(reply.conversation_id, rootId);
    if (root) await this.events.publish('message.updated', eventOf(root, origin));
  }

  /**
   * Appends a system message, and its `message.created`, inside the caller's transaction; the
   * member whose action made it has it read.
   */
  async appendSystem(
    conversationId: string,
    event: SystemEvent,
    origin?: EventOrigin,
  ): Promise<MessageRow> {
    const names = await this.messages.displayNames([event.actorId, ...(event.userIds ?? [])]);
    const [row] = await this.messages.appendMany([
      {
        conversationId,
        senderId: null,
        clientMessageId: null,
        type: 'system',
        content: describeSystemEvent(event, names),
        language: 'en',
        direction: 'ltr',
        systemEvent: event,
        replyToMessageId: null,
        threadRootId: null,
        moderation: 'clean',
        readerId: event.actorId,
      },
    ]);
    // its outbox row was written with it; announced once the caller's transaction commits
    this.transactions.afterCommit(() =>
      this.events.committed(
        { id: row.outbox_id, event_id: row.outbox_event_id, name: 'message.created' },
        { ...eventOf(row, origin), type: 'system' },
      ),
    );
    return row;
  }

  async edit(
    caller: AuthUser,
    conversationId: string,
    messageId: string,
    dto: EditMessageDto,
    origin?: EventOrigin,
  ): Promise<MessageDto> {
    const m = await this.access.member(caller, conversationId);
    const message = await this.access.liveMessage(m, messageId);
    if (message.sender_id !== caller.id) throw new AppError('NOT_MESSAGE_SENDER');
    this.access.assertNotBlocked(m);
    if (dto.content.length === 0 && message.type === 'text') {
      throw AppError.validation({ content: ['content must not be empty'] });
    }
    const moderated = await this.prepare(m, dto.content);
    const updated = await this.transactions.run(async () => {
      const version = await this.messages.nextVersion(conversationId);
      const edited = await this.messages.updateContent(messageId, {
        content: moderated.content,
        language: detectLanguage(dto.content),
        direction: directionOf(dto.content),
        moderation: moderated.moderation,
        maskedOriginal: moderated.original,
        encrypted: moderated.encrypted,
        version,
      });
      // Deleted while this edit waited for the lock.
      if (!edited) throw AppError.notFound();
      // An edit that is still flagged opens a new flag.
      await this.openFlag(edited, moderated);
      await this.events.publish('message.updated', eventOf(edited, origin));
      return edited;
    });
    return this.views.renderOne(updated, caller.id);
  }

  /** A moderator removes a message, whoever sent it. Idempotent. */
  async removeByModerator(messageId: string): Promise<void> {
    const found = await this.messages.conversationOf(messageId);
    if (found) await this.tombstone(found, messageId);
  }

  /** Tombstones a message (the sender's, or any in a group the caller administers). Idempotent. */
  async delete(
    caller: AuthUser,
    conversationId: string,
    messageId: string,
    origin?: EventOrigin,
  ): Promise<void> {
    const m = await this.access.member(caller, conversationId);
    const message = await this.access.visibleMessage(m, messageId);
    const isGroupAdmin = m.type === 'group' && m.role === 'admin';
    if (message.sender_id !== caller.id && !isGroupAdmin) throw new AppError('NOT_MESSAGE_SENDER');
    if (message.deleted_at) return;
    await this.tombstone(conversationId, messageId, origin);
  }

  private async tombstone(
    conversationId: string,
    messageId: string,
    origin?: EventOrigin,
  ): Promise<void> {
    await this.transactions.run(async () => {
      // Taking the version locks the conversation row: concurrent deletes of one message queue here.
      const version = await this.messages.nextVersion(conversationId);
      const current = await this.messages.findById(conversationId, messageId);
      if (!current || current.deleted_at) return;
      const tombstone = await this.messages.tombstone(messageId, version);
      await this.attachments.deleteWithMessage(messageId);
      await this.events.publish('message.deleted', eventOf(tombstone, origin));
      if (tombstone.thread_root_id) {
        const rootVersion = await this.messages.nextVersion(conversationId);
        await this.messages.addReplyCount(tombstone.thread_root_id, -1, rootVersion);
        const root = await this.messages.findById(conversationId, tombstone.thread_root_id);
        if (root) await this.events.publish('message.updated', eventOf(root, origin));
      }
    });
  }

  /** A participant reports a message to the moderators. */
  async report(
    caller: AuthUser,
    conversationId: string,
    messageId: string,
    reason: string,
  ): Promise<void> {
    const m = await this.access.member(caller, conversationId);
    const message = await this.access.liveMessage(m, messageId);
    // the reviewers' copy; at_rest content stays encrypted, under its own purpose
    const content = message.encrypted
      ? await this.encryption.encrypt(
          conversationId,
          await this.encryption.decrypt(conversationId, message.content),
          'flag',
        )
      : message.content;
    await this.transactions.run(() =>
      this.recordFlag({
        messageId,
        conversationId,
        senderId: message.sender_id,
        reasons: ['reported'],
        reporterId: caller.id,
        reportReason: reason,
        content,
        contentEncrypted: message.encrypted,
      }),
    );
  }

  /** Opens a flag and announces it, in the caller's transaction. */
  private async recordFlag(flag: NewFlag): Promise<void> {
    const flagId = await this.flags.open(flag);
    await this.events.publish('moderation.flagged', {
      flagId,
      messageId: flag.messageId,
      conversationId: flag.conversationId,
      senderId: flag.senderId,
      reasons: flag.reasons,
      reporterId: flag.reporterId ?? null,
    });
  }

  /** The message stored earlier under the same clientMessageId, answered again. */
  private async repeat(
    caller: AuthUser,
    conversationId: string,
    messageId: string,
  ): Promise<SendResult> {
    const earlier = await this.messages.findById(conversationId, messageId);
    if (!earlier) throw AppError.notFound();
    return { message: await this.views.renderOne(earlier, caller.id), created: false };
  }

  /**
   * What gets stored for a text: e2e ciphertext as given (base64, never moderated); otherwise
   * moderated, and for at_rest conversations encrypted (masked original and flag copy too).
   */
  private async prepare(m: Membership, text: string): Promise<StoredText> {
    if (m.encryption === 'e2e') {
      if (!BASE64.test(text) || text.length > MAX_E2E_CONTENT) {
        throw AppError.validation({ content: ['e2e content must be base64, at most 16 KiB'] });
      }
    } else if ([...text].length > MAX_CONTENT) {
      throw AppError.validation({ content: [`content must be at most ${MAX_CONTENT} characters`] });
    }
    const result = this.moderate(m, text);
    if (m.encryption !== 'at_rest') return { ...result, encrypted: false, flagContent: text };
    const id = m.conversation_id;
    return {
      ...result,
      content: await this.encryption.encrypt(id, result.content),
      original:
        result.original === null
          ? null
          : await this.encryption.encrypt(id, result.original, 'original'),
      flagContent: await this.encryption.encrypt(id, text, 'flag'),
      encrypted: true,
    };
  }

  private moderate(m: Membership, text: string): ModerationResult {
    if (m.encryption === 'e2e') {
      return { content: text, moderation: 'clean', original: null, blocked: [], flagged: [] };
    }
    const result = this.moderation.run(text);
    if (result.blocked.length > 0)
      throw new AppError('CONTENT_BLOCKED', { reasons: result.blocked });
    return result;
  }

  private async openFlag(message: MessageRow, stored: StoredText): Promise<void> {
    if (stored.flagged.length === 0) return;
    await this.recordFlag({
      messageId: message.id,
      conversationId: message.conversation_id,
      senderId: message.sender_id,
      reasons: stored.flagged.map((f) => f.check),
      matched: stored.encrypted ? [] : stored.flagged.flatMap((f) => f.hits.map((h) => h.matched)),
      content: stored.flagContent,
      contentEncrypted: stored.encrypted,
    });
  }

  private async replyTarget(m: Membership, replyToMessageId: string): Promise<MessageRow> {
    const target = await this.messages.findById(m.conversation_id, replyToMessageId);
    if (!target || !canSee(m, target.seq)) throw new AppError('INVALID_REPLY');
    if (target.deleted_at)
      throw AppError.notFound({ replyToMessageId: ['the message was deleted'] });
    return target;
  }

  /** The sender's own unused uploads, where file sharing is on; they make the message's type. */
  private async checkAttachments(
    m: Membership,
    attachmentIds: string[],
  ): Promise<AttachmentMessageType> {
    if (attachmentIds.length === 0) return 'text';
    if (!m.allow_file_sharing) throw new AppError('FILE_SHARING_DISABLED');
    return this.attachments.messageType(m.user_id, attachmentIds);
  }
}
