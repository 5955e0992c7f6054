import { Module } from '@nestjs/common';
import { FlagsRepository } from './flags.repository';

@Module({
  providers: [FlagsRepository],
  exports: [FlagsRepository],
})
export class ModerationModule {}
