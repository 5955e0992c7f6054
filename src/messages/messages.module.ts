import { Module } from '@nestjs/common';
import { VisibilityModule } from '../visibility/visibility.module';
import { AttachmentsModule } from '../attachments/attachments.module';
import { EncryptionModule } from '../encryption/encryption.module';
import { ModerationModule } from '../moderation/moderation.module';
import { UsersModule } from '../users/users.module';
import { MessageAccess } from './message-access';
import { MessageQueriesService } from './message-queries.service';
import { MessageViews } from './message-views';
import { MessagesController } from './messages.controller';
import { MessagesRepository } from './messages.repository';
import { DeleteMessage } from './delete-message';
import { EditMessage } from './edit-message';
import { MessageTexts } from './message-texts';
import { ReportMessage } from './report-message';
import { SendMessage } from './send-message';
import { SystemMessages } from './system-messages';
import { SendBatcher } from './send-batcher';
import { ReactionsRepository } from './reactions.repository';
import { ReactionsService } from './reactions.service';
import { ReceiptsRepository } from './receipts.repository';
import { ReceiptsService } from './receipts.service';

/** The message log of conversations: sending, history, threads, reactions, receipts, changes. */
@Module({
  imports: [VisibilityModule, UsersModule, ModerationModule, EncryptionModule, AttachmentsModule],
  controllers: [MessagesController],
  providers: [
    MessagesRepository,
    ReactionsRepository,
    ReceiptsRepository,
    MessageAccess,
    MessageViews,
    MessageTexts,
    SendMessage,
    SystemMessages,
    EditMessage,
    DeleteMessage,
    ReportMessage,
    SendBatcher,
    MessageQueriesService,
    ReactionsService,
    ReceiptsService,
  ],
  exports: [
    MessagesRepository,
    MessageAccess,
    MessageViews,
    SendMessage,
    SystemMessages,
    DeleteMessage,
    ReceiptsService,
    MessageQueriesService,
  ],
})
export class MessagesModule {}
