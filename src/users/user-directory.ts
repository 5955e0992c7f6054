import { Injectable } from '@nestjs/common';
import { UserMessageSettingsEntity } from './entities/user-message-settings.entity';
import { UserEntity } from './entities/user.entity';
import { UsersRepository } from './users.repository';

export type NewUser = Pick<UserEntity, 'email' | 'passwordHash' | 'displayName' | 'locale'> &
  Partial<Pick<UserEntity, 'role' | 'verificationStatus' | 'verifiedAt'>>;

/**
 * What other modules may read and write of users (accounts for auth, profiles for rendering,
 * settings and blocks for contact rules); the users table stays this module's own.
 */
@Injectable()
export class UserDirectory {
  constructor(private readonly users: UsersRepository) {}

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findByEmail(email);
  }

  /** A user and their default message settings, in the caller's transaction (or its own). */
  create(values: NewUser): Promise<UserEntity> {
    return this.users.create(values);
  }

  update(id: string, patch: Partial<UserEntity>): Promise<void> {
    return this.users.update(id, patch);
  }

  /** The users with these ids, in the order of `ids` (missing ones left out). */
  inOrder(ids: string[]): Promise<UserEntity[]> {
    return this.users.inOrder(ids);
  }

  settings(userId: string): Promise<UserMessageSettingsEntity | null> {
    return this.users.getSettings(userId);
  }

  isBlockedEitherWay(a: string, b: string): Promise<boolean> {
    return this.users.isBlockedEitherWay(a, b);
  }
}
