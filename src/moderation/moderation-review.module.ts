import { Module } from '@nestjs/common';
import { EncryptionModule } from '../encryption/encryption.module';
import { MessagesModule } from '../messages/messages.module';
import { UsersModule } from '../users/users.module';
import { AdminModerationController } from './admin-moderation.controller';
import { ModerationModule } from './moderation.module';
import { ModerationReviewService } from './moderation-review.service';

/** The admin review of flags; separate from the pipeline so messages need not depend on it. */
@Module({
  imports: [ModerationModule, MessagesModule, UsersModule, EncryptionModule],
  controllers: [AdminModerationController],
  providers: [ModerationReviewService],
})
export class ModerationReviewModule {}
