import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { UserEntity } from './entities/user.entity';
import { UserMessageSettingsEntity } from './entities/user-message-settings.entity';

/** LIKE pattern for "starts with", with the wildcard characters of the input escaped. */
export function prefixPattern(input: string): string {
  return `${input.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface BlockRow {
  user: UserEntity;
  /** microseconds since the epoch, as a string */
  at: string;
}

const MICROS = `(extract(epoch FROM b.created_at) * 1000000)::bigint`;

@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  findById(id: string, manager: EntityManager = this.db.manager): Promise<UserEntity | null> {
    return manager.findOneBy(UserEntity, { id });
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.db.manager.findOneBy(UserEntity, { email: email.toLowerCase() });
  }

  /** Creates a user and their default message settings in one transaction. */
  async create(
    values: Pick<UserEntity, 'email' | 'passwordHash' | 'displayName' | 'locale'> &
      Partial<Pick<UserEntity, 'role' | 'verificationStatus' | 'verifiedAt'>>,
    manager: EntityManager,
  ): Promise<UserEntity> {
    const user = await manager.save(
      UserEntity,
      manager.create(UserEntity, {
        role: 'user',
        verificationStatus: 'unverified',
        verifiedAt: null,
        avatarUrl: null,
        suspendedAt: null,
        suspensionReason: null,
        ...values,
      }),
    );
    await manager.insert(UserMessageSettingsEntity, { userId: user.id });
    return user;
  }

  /** Verified users whose display name or email starts with `query`, by name. */
  async lookup(
    query: string,
    excludeUserId: string,
    after: { name: string; id: string } | null,
    limit: number,
  ): Promise<UserEntity[]> {
    const pattern = prefixPattern(query);
    const params: unknown[] = [pattern, excludeUserId, limit];
    let keyset = '';
    if (after) {
      params.push(after.name, after.id);
      keyset = `AND (lower(u.display_name), u.id) > ($4, $5::uuid)`;
    }
    const ids: { id: string }[] = await this.db.query(
      `SELECT u.id FROM users u
        WHERE u.verification_status = 'verified' AND u.suspended_at IS NULL AND u.id <> $2
          AND (lower(u.display_name) LIKE $1 OR u.email LIKE $1)
          ${keyset}
        ORDER BY lower(u.display_name), u.id
        LIMIT $3`,
      params,
    );
    return this.inOrder(ids.map((r) => r.id));
  }

  /** Newest block first; the cursor holds the exact microsecond so no block is skipped. */
  async listBlocked(
    blockerId: string,
    after: { at: string; id: string } | null,
    limit: number,
  ): Promise<BlockRow[]> {
    const params: unknown[] = [blockerId, limit];
    let keyset = '';
    if (after) {
      params.push(after.at, after.id);
      keyset = `AND (${MICROS}, b.blocked_id) < ($3::bigint, $4::uuid)`;
    }
    const found: { blocked_id: string; at: string }[] = await this.db.query(
      `SELECT b.blocked_id, ${MICROS} AS at FROM user_blocks b
        WHERE b.blocker_id = $1 ${keyset}
        ORDER BY b.created_at DESC, b.blocked_id DESC
        LIMIT $2`,
      params,
    );
    const users = new Map(
      (await this.inOrder(found.map((r) => r.blocked_id))).map((u) => [u.id, u]),
    );
    return found.flatMap((r) => {
      const user = users.get(r.blocked_id);
      return user ? [{ user, at: r.at }] : [];
    });
  }

  async block(blockerId: string, blockedId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO user_blocks (blocker_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [blockerId, blockedId],
    );
  }

  async unblock(blockerId: string, blockedId: string): Promise<void> {
    await this.db.query(`DELETE FROM user_blocks WHERE blocker_id = $1 AND blocked_id = $2`, [
      blockerId,
      blockedId,
    ]);
  }

  /** True when either user blocked the other. */
  async isBlockedEitherWay(
    a: string,
    b: string,
    manager: EntityManager = this.db.manager,
  ): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM user_blocks
        WHERE (blocker_id = $1 AND blocked_id = $2) OR (blocker_id = $2 AND blocked_id = $1)
        LIMIT 1`,
      [a, b],
    );
    return rows.length > 0;
  }

  getSettings(
    userId: string,
    manager: EntityManager = this.db.manager,
  ): Promise<UserMessageSettingsEntity | null> {
    return manager.findOneBy(UserMessageSettingsEntity, { userId });
  }

  async updateSettings(userId: string, patch: Partial<UserMessageSettingsEntity>): Promise<void> {
    if (Object.keys(patch).length > 0) {
      await this.db.manager.update(UserMessageSettingsEntity, { userId }, patch);
    }
  }

  async update(id: string, patch: Partial<UserEntity>): Promise<void> {
    if (Object.keys(patch).length > 0) await this.db.manager.update(UserEntity, { id }, patch);
  }

  /** Suspends a user and ends every session of theirs in the same transaction. */
  async suspend(id: string, reason: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `UPDATE users SET suspended_at = COALESCE(suspended_at, now()), suspension_reason = $2,
                updated_at = now()
          WHERE id = $1`,
        [id, reason],
      );
      await tx.query(
        `UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'suspended'
          WHERE user_id = $1 AND revoked_at IS NULL`,
        [id],
      );
    });
  }

  /** The users with these ids, in the order of `ids` (missing ones left out). */
  async inOrder(ids: string[]): Promise<UserEntity[]> {
    if (ids.length === 0) return [];
    const users = await this.db.manager
      .createQueryBuilder(UserEntity, 'u')
      .where('u.id IN (:...ids)', { ids })
      .getMany();
    const byId = new Map(users.map((u) => [u.id, u]));
    return ids.map((id) => byId.get(id)).filter((u): u is UserEntity => u !== undefined);
  }
}
