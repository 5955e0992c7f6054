import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { DomainEventBus } from '../common/events/domain-event-bus';
import { EventOrigin } from '../common/events/domain-events';
import { Transactions } from '../database/transactions';
import { MessageDto } from './dto/message.dto';
import { EditMessageDto } from './dto/message-inputs.dto';
import { detectLanguage, directionOf } from './language';
import { MessageAccess } from './message-access';
import { eventOf } from './message-events';
import { MessageTexts } from './message-texts';
import { MessageViews } from './message-views';
import { MessagesRepository } from './messages.repository';

/** Editing one's own message: moderated again, under a new version. */
@Injectable()
export class EditMessage {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly access: MessageAccess,
    private readonly views: MessageViews,
    private readonly texts: MessageTexts,
    private readonly events: DomainEventBus,
    private readonly transactions: Transactions,
  ) {}

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
    const moderated = await this.texts.prepare(m, dto.content);
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
      await this.texts.openFlag(edited, moderated);
      await this.events.publish('message.updated', eventOf(edited, origin));
      return edited;
    });
    return this.views.renderOne(updated, caller.id);
  }
}
