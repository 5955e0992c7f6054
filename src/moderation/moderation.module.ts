import { Module } from '@nestjs/common';
import { FlagsRepository } from './flags.repository';
import { ModerationFlags } from './moderation-flags';
import { ModerationPipeline } from './moderation-pipeline';

/** The moderation pipeline and flag storage, used by messages before anything is stored. */
@Module({
  providers: [FlagsRepository, ModerationFlags, ModerationPipeline],
  exports: [FlagsRepository, ModerationFlags, ModerationPipeline],
})
export class ModerationModule {}
