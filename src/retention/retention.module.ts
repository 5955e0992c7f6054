import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../attachments/attachments.module';
import { RetentionRepository } from './retention.repository';
import { RetentionSweeper } from './retention.sweeper';

/** Expiry of old messages by each conversation's retention (API.md, Retention). */
@Module({
  imports: [AttachmentsModule],
  providers: [RetentionRepository, RetentionSweeper],
})
export class RetentionModule {}
