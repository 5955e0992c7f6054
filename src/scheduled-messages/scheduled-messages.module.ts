import { Global, Module } from '@nestjs/common';
import { AttachmentsModule } from '../attachments/attachments.module';
import { MessagesModule } from '../messages/messages.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { UsersModule } from '../users/users.module';
import { MessageScheduler } from './message-scheduler';
import { ScheduledMessagesController } from './scheduled-messages.controller';
import { ScheduledMessagesRepository } from './scheduled-messages.repository';
import { ScheduledMessagesService } from './scheduled-messages.service';
import { ScheduledSendDispatcher } from './scheduled-send.dispatcher';

/**
 * Messages sent later (API.md, Scheduled messages): storing and managing them, and the
 * dispatcher that sends them through SendMessage at their time. Global only for the
 * MessageScheduler token the messages controller uses (see message-scheduler.ts).
 */
@Global()
@Module({
  imports: [MessagesModule, AttachmentsModule, UsersModule, NotificationsModule],
  controllers: [ScheduledMessagesController],
  providers: [
    ScheduledMessagesRepository,
    ScheduledMessagesService,
    ScheduledSendDispatcher,
    { provide: MessageScheduler, useExisting: ScheduledMessagesService },
  ],
  exports: [MessageScheduler],
})
export class ScheduledMessagesModule {}
