import { Module } from '@nestjs/common';
import { FlagsRepository } from './flags.repository';
import { ModerationPipeline } from './moderation-pipeline';

/** The moderation pipeline and flag storage, used by messages before anything is stored. */
@Module({
  providers: [FlagsRepository, ModerationPipeline],
  exports: [FlagsRepository, ModerationPipeline],
})
export class ModerationModule {}
