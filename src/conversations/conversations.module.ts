import { Module } from '@nestjs/common';
import { MessagesModule } from '../messages/messages.module';
import { UsersModule } from '../users/users.module';
import { ContactPolicy } from './contact-policy';
import { ConversationViews } from './conversation-views';
import { ConversationsController } from './conversations.controller';
import { ConversationsRepository } from './conversations.repository';
import { ConversationsService } from './conversations.service';
import { DirectMessagesController } from './direct-messages.controller';
import { DirectMessagesService } from './direct-messages.service';
import { ParticipantsService } from './participants.service';

/** Conversations, their members and each member's own view; sends go through MessagesModule. */
@Module({
  imports: [UsersModule, MessagesModule],
  controllers: [ConversationsController, DirectMessagesController],
  providers: [
    ConversationsRepository,
    ConversationViews,
    ContactPolicy,
    ConversationsService,
    ParticipantsService,
    DirectMessagesService,
  ],
  exports: [
    ConversationsRepository,
    ConversationViews,
    ConversationsService,
    ParticipantsService,
    DirectMessagesService,
  ],
})
export class ConversationsModule {}
