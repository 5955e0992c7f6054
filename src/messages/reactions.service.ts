import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { DomainEventBus } from '../common/events/domain-event-bus';
import { EventOrigin } from '../common/events/domain-events';
import { MessageDto } from './dto/message.dto';
import { MessageRow } from './entities/message.row';
import { isSingleEmoji } from './emoji';
import { MessageAccess } from './message-access';
import { MessageViews } from './message-views';
import { MessagesRepository } from './messages.repository';
import { ReactionsRepository } from './reactions.repository';
import { Transactions } from '../database/transactions';

/** Thrown inside the transaction to roll it back when the reaction was already as asked. */
class NoChange extends Error {}

/** Reactions: idempotent per user and emoji; each real change bumps the message's version. */
@Injectable()
export class ReactionsService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly reactions: ReactionsRepository,
    private readonly access: MessageAccess,
    private readonly views: MessageViews,
    private readonly events: DomainEventBus,
    private readonly transactions: Transactions,
  ) {}

  react(
    caller: AuthUser,
    conversationId: string,
    messageId: string,
    emoji: string,
    origin?: EventOrigin,
  ) {
    return this.change(caller, conversationId, messageId, emoji, 'add', origin);
  }

  unreact(
    caller: AuthUser,
    conversationId: string,
    messageId: string,
    emoji: string,
    origin?: EventOrigin,
  ) {
    return this.change(caller, conversationId, messageId, emoji, 'remove', origin);
  }

  private async change(
    caller: AuthUser,
    conversationId: string,
    messageId: string,
    emoji: string,
    action: 'add' | 'remove',
    origin?: EventOrigin,
  ): Promise<MessageDto> {
    if (!isSingleEmoji(emoji)) throw AppError.validation({ emoji: ['must be exactly one emoji'] });
    const m = await this.access.member(caller, conversationId);
    await this.access.liveMessage(m, messageId);
    this.access.assertNotBlocked(m);
    let changed: MessageRow | null;
    try {
      changed = await this.transactions.run(async () => {
        // Taking the version locks the conversation row, so a concurrent delete cannot interleave.
        const version = await this.messages.nextVersion(conversationId);
        const current = await this.messages.findById(conversationId, messageId);
        if (!current || current.deleted_at) throw AppError.notFound();
        const did =
          action === 'add'
            ? await this.reactions.add(messageId, caller.id, emoji)
            : await this.reactions.remove(messageId, caller.id, emoji);
        // Nothing changed: roll back so that no version is spent.
        if (!did) throw new NoChange();
        await this.messages.setVersion(messageId, version);
        await this.events.publish('message.updated', {
          conversationId,
          messageId,
          seq: Number(current.seq),
          version: Number(version),
          senderId: current.sender_id,
          origin,
        });
        return { ...current, version };
      });
    } catch (err) {
      if (!(err instanceof NoChange)) throw err;
      changed = null;
    }
    const message = changed ?? (await this.access.visibleMessage(m, messageId));
    return this.views.renderOne(message, caller.id);
  }
}
