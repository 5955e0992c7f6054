import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { canSee } from '../visibility/visibility-rule';
import { Membership, MessageRow } from './entities/message.row';
import { MessagesRepository } from './messages.repository';

/**
 * Who may see and touch what. A conversation or message that is not the caller's answers 404,
 * exactly like one that does not exist; invited users see no messages until they accept.
 */
@Injectable()
export class MessageAccess {
  constructor(private readonly messages: MessagesRepository) {}

  /** The caller's active membership (and any earlier send under `clientMessageId`), or 404. */
  async member(
    caller: AuthUser,
    conversationId: string,
    clientMessageId?: string,
  ): Promise<Membership> {
    const membership = await this.messages.membership(
      conversationId,
      caller.id,
      clientMessageId ?? null,
    );
    if (!membership) throw AppError.notFound();
    return membership;
  }

  /** A message of the conversation that the member can see (tombstones included), or 404. */
  async visibleMessage(m: Membership, messageId: string): Promise<MessageRow> {
    const message = await this.messages.findById(m.conversation_id, messageId);
    if (!message || !canSee(m, message.seq)) throw AppError.notFound();
    return message;
  }

  /** A live (not deleted) visible message, or 404. */
  async liveMessage(m: Membership, messageId: string): Promise<MessageRow> {
    const message = await this.visibleMessage(m, messageId);
    if (message.deleted_at) throw AppError.notFound();
    return message;
  }

  /** Only verified users send. */
  assertVerified(caller: AuthUser): void {
    if (!caller.verified) throw new AppError('USER_NOT_VERIFIED');
  }

  /** A block in either direction refuses using a direct conversation. */
  assertNotBlocked(m: Membership): void {
    if (m.blocked) throw new AppError('BLOCKED');
  }
}
