import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { DomainEventBus } from '../common/events/domain-event-bus';
import { Cursor, DEFAULT_LIMIT, Page, PageQuery, toPage } from '../common/pagination/page';
import {
  MessageSettingsDto,
  toMessageSettings,
  UpdateMessageSettingsDto,
} from './dto/message-settings.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { PublicUserDto, toPublicUser, toUser, UserDto } from './dto/user.dto';
import { UserLookupQuery } from './dto/user-queries.dto';
import { UserEntity } from './entities/user.entity';
import { UsersRepository } from './users.repository';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly events: DomainEventBus,
  ) {}

  async getEntity(id: string): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) throw AppError.notFound();
    return user;
  }

  async getMe(caller: AuthUser): Promise<UserDto> {
    return toUser(await this.getEntity(caller.id));
  }

  async updateMe(caller: AuthUser, dto: UpdateUserDto): Promise<UserDto> {
    await this.users.update(caller.id, { ...dto });
    return this.getMe(caller);
  }

  async getPublic(id: string): Promise<PublicUserDto> {
    return toPublicUser(await this.getEntity(id));
  }

  async lookup(caller: AuthUser, q: UserLookupQuery): Promise<Page<PublicUserDto>> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const after = q.cursor ? Cursor.decode(q.cursor, { name: 'string', id: 'uuid' }) : null;
    const rows = await this.users.lookup(q.query, caller.id, after, limit + 1);
    return toPage(rows, limit, toPublicUser, (u) => ({
      name: u.displayName.toLowerCase(),
      id: u.id,
    }));
  }

  async getSettings(caller: AuthUser): Promise<MessageSettingsDto> {
    const row = await this.users.getSettings(caller.id);
    if (!row) throw AppError.notFound();
    return toMessageSettings(row);
  }

  async updateSettings(
    caller: AuthUser,
    dto: UpdateMessageSettingsDto,
  ): Promise<MessageSettingsDto> {
    await this.users.updateSettings(caller.id, { ...dto });
    return this.getSettings(caller);
  }

  async block(caller: AuthUser, targetId: string): Promise<void> {
    if (targetId === caller.id) throw AppError.validation({ id: ['you cannot block yourself'] });
    await this.getEntity(targetId);
    await this.users.block(caller.id, targetId);
  }

  async unblock(caller: AuthUser, targetId: string): Promise<void> {
    await this.getEntity(targetId);
    await this.users.unblock(caller.id, targetId);
  }

  async listBlocks(caller: AuthUser, q: PageQuery): Promise<Page<PublicUserDto>> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const after = q.cursor ? Cursor.decode(q.cursor, { at: 'int', id: 'uuid' }) : null;
    const rows = await this.users.listBlocked(caller.id, after, limit + 1);
    return toPage(
      rows,
      limit,
      (r) => toPublicUser(r.user),
      (r) => ({ at: r.at, id: r.user.id }),
    );
  }

  async verify(id: string): Promise<UserDto> {
    const user = await this.getEntity(id);
    if (user.verificationStatus !== 'verified') {
      await this.users.update(id, { verificationStatus: 'verified', verifiedAt: new Date() });
    }
    return toUser(await this.getEntity(id));
  }

  async suspend(id: string, reason: string): Promise<UserDto> {
    await this.getEntity(id);
    await this.users.suspend(id, reason);
    this.events.emit('user.suspended', { userId: id });
    return toUser(await this.getEntity(id));
  }

  async unsuspend(id: string): Promise<UserDto> {
    await this.getEntity(id);
    await this.users.update(id, { suspendedAt: null, suspensionReason: null });
    return toUser(await this.getEntity(id));
  }
}
