import { Injectable } from '@nestjs/common';
import { FlagsRepository, NewFlag } from './flags.repository';

/** Opens flags for review: what other modules may do with the moderation_flags table. */
@Injectable()
export class ModerationFlags {
  constructor(private readonly flags: FlagsRepository) {}

  /** Stores a flag in the caller's transaction; answers its id. */
  open(flag: NewFlag): Promise<string> {
    return this.flags.open(flag);
  }
}
