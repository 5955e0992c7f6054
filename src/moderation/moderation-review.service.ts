import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { Cursor, DEFAULT_LIMIT, Page, toPage } from '../common/pagination/page';
import { EncryptionService } from '../encryption/encryption.service';
import { DeleteMessage } from '../messages/delete-message';
import { UsersService } from '../users/users.service';
import { FlagDto, FlagsQuery, ResolveFlagDto, toFlag } from './dto/flag.dto';
import { FlagRow, FlagsRepository } from './flags.repository';

/** Admins review flags: dismiss them, remove the message, or suspend its sender. */
@Injectable()
export class ModerationReviewService {
  constructor(
    private readonly flags: FlagsRepository,
    private readonly deleting: DeleteMessage,
    private readonly users: UsersService,
    private readonly encryption: EncryptionService,
  ) {}

  async list(q: FlagsQuery): Promise<Page<FlagDto>> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const after = q.cursor ? Cursor.decode(q.cursor, { us: 'int', id: 'uuid' }) : null;
    const rows = await this.flags.list(q.status ?? 'open', after, limit + 1);
    const page = toPage(
      rows,
      limit,
      (r) => r,
      (r) => ({ us: r.created_us, id: r.id }),
    );
    return {
      items: await Promise.all(page.items.map((r) => this.view(r))),
      nextCursor: page.nextCursor,
    };
  }

  /** Resolving a flag that is already resolved answers it unchanged. */
  async resolve(admin: AuthUser, flagId: string, dto: ResolveFlagDto): Promise<FlagDto> {
    const flag = await this.flags.find(flagId);
    if (!flag) throw AppError.notFound();
    if (flag.status === 'resolved') return this.view(flag);
    switch (dto.action) {
      case 'dismiss':
        break;
      case 'remove_message':
        await this.deleting.removeByModerator(flag.message_id);
        break;
      case 'suspend_user':
        if (!flag.sender_id)
          throw AppError.validation({ action: ['the message has no sender to suspend'] });
        await this.users.suspend(flag.sender_id, dto.note ?? `moderation flag ${flag.id}`);
        break;
    }
    const resolved = await this.flags.resolve(flagId, dto.action, dto.note ?? null, admin.id);
    return this.view(resolved ?? (await this.flags.find(flagId))!);
  }

  /** Reviewers read the text of at_rest conversations decrypted; nobody else ever does. */
  private async view(row: FlagRow): Promise<FlagDto> {
    if (!row.content_encrypted || row.content === null) return toFlag(row);
    return toFlag({
      ...row,
      content: await this.encryption.decrypt(row.conversation_id, row.content, 'flag'),
    });
  }
}
