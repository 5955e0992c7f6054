import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { Cursor, DEFAULT_LIMIT, Page, toPage } from '../common/pagination/page';
import { MessagesService } from '../messages/messages.service';
import { UsersService } from '../users/users.service';
import { FlagDto, FlagsQuery, ResolveFlagDto, toFlag } from './dto/flag.dto';
import { FlagsRepository } from './flags.repository';

/** Admins review flags: dismiss them, remove the message, or suspend its sender. */
@Injectable()
export class ModerationReviewService {
  constructor(
    private readonly flags: FlagsRepository,
    private readonly messages: MessagesService,
    private readonly users: UsersService,
  ) {}

  async list(q: FlagsQuery): Promise<Page<FlagDto>> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const after = q.cursor ? Cursor.decode(q.cursor, { us: 'int', id: 'uuid' }) : null;
    const rows = await this.flags.list(q.status ?? 'open', after, limit + 1);
    return toPage(rows, limit, toFlag, (r) => ({ us: r.created_us, id: r.id }));
  }

  /** Resolving a flag that is already resolved answers it unchanged. */
  async resolve(admin: AuthUser, flagId: string, dto: ResolveFlagDto): Promise<FlagDto> {
    const flag = await this.flags.find(flagId);
    if (!flag) throw AppError.notFound();
    if (flag.status === 'resolved') return toFlag(flag);
    switch (dto.action) {
      case 'dismiss':
        break;
      case 'remove_message':
        await this.messages.removeByModerator(flag.message_id);
        break;
      case 'suspend_user':
        if (!flag.sender_id)
          throw AppError.validation({ action: ['the message has no sender to suspend'] });
        await this.users.suspend(flag.sender_id, dto.note ?? `moderation flag ${flag.id}`);
        break;
    }
    const resolved = await this.flags.resolve(flagId, dto.action, dto.note ?? null, admin.id);
    return toFlag(resolved ?? (await this.flags.find(flagId))!);
  }
}
