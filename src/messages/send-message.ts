import { Injectable } from '@nestjs/common';
import { AttachmentMessageType, MessageAttachments } from '../attachments/message-attachments';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { DomainEventBus } from '../common/events/domain-event-bus';
import { EventOrigin } from '../common/events/domain-events';
import { RateLimiter } from '../common/rate-limit/rate-limiter';
import { AppConfig } from '../config/app-config';
import { canSee } from '../visibility/visibility-rule';
import { MessageDto } from './dto/message.dto';
import { SendMessageDto } from './dto/message-inputs.dto';
import { Membership, MessageRow } from './entities/message.row';
import { detectLanguage, directionOf } from './language';
import { MessageAccess } from './message-access';
import { eventOf } from './message-events';
import { MessageTexts } from './message-texts';
import { MessageViews } from './message-views';
import { AppendedMessage, MessagesRepository, NewMessage } from './messages.repository';
import { SendBatcher } from './send-batcher';

const UNIQUE_VIOLATION = '23505';

export interface SendResult {
  message: MessageDto;
  /** false when the same clientMessageId was sent before: nothing new was stored. */
  created: boolean;
}

/**
 * Sending a message, the one write path for every send (plain, reply, flagged, with files):
 * every rule is checked for the sender now, and the message joins the group commit.
 */
@Injectable()
export class SendMessage {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly access: MessageAccess,
    private readonly views: MessageViews,
    private readonly texts: MessageTexts,
    private readonly attachments: MessageAttachments,
    private readonly events: DomainEventBus,
    private readonly rateLimiter: RateLimiter,
    private readonly config: AppConfig,
    private readonly batcher: SendBatcher,
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
    this.rateLimiter.consume('messages', caller.id, this.config.rateLimits.messagesPerMinute);
    this.access.assertNotBlocked(m);
    const attachmentIds = input.attachmentIds ?? [];
    const type = await this.checkAttachments(m, attachmentIds);
    const replyTo = input.replyToMessageId
      ? await this.replyTarget(m, input.replyToMessageId)
      : null;
    const stored = await this.texts.prepare(m, input.content);
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
            await this.texts.openFlag(message, stored);
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
