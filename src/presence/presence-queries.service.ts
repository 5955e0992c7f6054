import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { Cursor, DEFAULT_LIMIT, Page, PageQuery, toPage } from '../common/pagination/page';
import { PublicUserDto } from '../users/dto/user.dto';
import { ContactsRepository } from './contacts.repository';
import { PresenceService } from './presence.service';

export class PresenceDto {
  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty({ enum: ['online', 'away', 'offline'] })
  status!: 'online' | 'away' | 'offline';

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  lastSeenAt!: string | null;
}

export class ContactDto extends PublicUserDto {
  @ApiProperty({ enum: ['online', 'away', 'offline'] })
  status!: 'online' | 'away' | 'offline';

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  lastSeenAt!: string | null;
}

/** Presence as other users may see it: only contacts' real status is revealed. */
@Injectable()
export class PresenceQueriesService {
  constructor(
    private readonly repo: ContactsRepository,
    private readonly presence: PresenceService,
  ) {}

  async contacts(caller: AuthUser, q: PageQuery): Promise<Page<ContactDto>> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const after = q.cursor ? Cursor.decode(q.cursor, { name: 'string', id: 'uuid' }) : null;
    const rows = await this.repo.page(caller.id, after, limit + 1);
    const page = toPage(
      rows,
      limit,
      (r) => r,
      (r) => ({ name: r.display_name.toLowerCase(), id: r.id }),
    );
    const statuses = new Map(
      (await this.presence.statuses(page.items.map((r) => r.id))).map((s) => [s.userId, s]),
    );
    return {
      items: page.items.map((r) => ({
        id: r.id,
        displayName: r.display_name,
        avatarUrl: r.avatar_url,
        locale: r.locale,
        verificationStatus: r.verification_status,
        status: statuses.get(r.id)?.status ?? 'offline',
        lastSeenAt: statuses.get(r.id)?.lastSeenAt ?? null,
      })),
      nextCursor: page.nextCursor,
    };
  }

  async statuses(caller: AuthUser, userIds: string[]): Promise<Page<PresenceDto>> {
    const unique = [...new Set(userIds)];
    const visible = await this.repo.shared(caller.id, unique);
    const known = new Map((await this.presence.statuses([...visible])).map((s) => [s.userId, s]));
    return {
      items: unique.map(
        (userId) => known.get(userId) ?? { userId, status: 'offline', lastSeenAt: null },
      ),
      nextCursor: null,
    };
  }
}
