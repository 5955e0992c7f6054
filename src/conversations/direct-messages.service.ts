import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { EventOrigin } from '../common/events/domain-events';
import { SendMessage, SendResult } from '../messages/send-message';
import { ConversationsService } from './conversations.service';
import { DirectMessageDto } from './dto/conversation-inputs.dto';

/** `POST /messages`: finds or creates the direct conversation with the recipient, then sends. */
@Injectable()
export class DirectMessagesService {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly messages: SendMessage,
  ) {}

  async send(caller: AuthUser, dto: DirectMessageDto, origin?: EventOrigin): Promise<SendResult> {
    const { conversation } = await this.conversations.findOrCreateDirect(
      caller,
      dto.recipientId,
      { contextId: dto.contextId },
      origin,
    );
    return this.messages.send(
      caller,
      conversation.id,
      {
        content: dto.content,
        clientMessageId: dto.clientMessageId,
        attachmentIds: dto.attachmentIds,
      },
      origin,
    );
  }
}
