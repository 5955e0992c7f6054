import { Injectable } from '@nestjs/common';
import { MessageAttachments } from '../attachments/message-attachments';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { DomainEventBus } from '../common/events/domain-event-bus';
import { EventOrigin } from '../common/events/domain-events';
import { Transactions } from '../database/transactions';
import { MessageAccess } from './message-access';
import { eventOf } from './message-events';
import { MessagesRepository } from './messages.repository';

/** Deleting a message: a tombstone for everyone, its files gone, its thread's count lowered. */
@Injectable()
export class DeleteMessage {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly access: MessageAccess,
    private readonly attachments: MessageAttachments,
    private readonly events: DomainEventBus,
    private readonly transactions: Transactions,
  ) {}

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
}
