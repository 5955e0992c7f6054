import { Injectable } from '@nestjs/common';
import { UserEntity } from './entities/user.entity';
import { UserMessageSettingsEntity } from './entities/user-message-settings.entity';
import { Sql } from '../database/sql';
import { Transactions } from '../database/transactions';

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
  constructor(
    private readonly sql: Sql,
    private readonly transactions: Transactions,
  ) {}

  findById(id: string): Promise<UserEntity | null> {
    return this.transactions.manager.findOneBy(UserEntity, { id });
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.transactions.manager.findOneBy(UserEntity, { email: email.toLowerCase() });
  }

  /** Creates a user and their default message settings in one transaction. */
  async create(
    values: Pick<UserEntity, 'email' | 'passwordHash' | 'displayName' | 'locale'> &
      Partial<Pick<UserEntity, 'role' | 'verificationStatus' | 'verifiedAt'>>,
  ): Promise<UserEntity> {
    const user = await this.transactions.manager.save(
      UserEntity,
      this.transactions.manager.create(UserEntity, {
        role: 'user',
        verificationStatus: 'unverified',
        verifiedAt: null,
        avatarUrl: null,
        suspendedAt: null,
        suspensionReason: null,
        ...values,
      }),
    );
    await this.transactions.manager.insert(UserMessageSettingsEntity, { userId: user.id });
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
    const ids: { id: string }[] = await this.sql.rows(
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
    const found: { blocked_id: string; at: string }[] = await this.sql.rows(
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
    await this.sql.run(
      `INSERT INTO user_blocks (blocker_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [blockerId, blockedId],
    );
  }

  async unblock(blockerId: string, blockedId: string): Promise<void> {
    await this.sql.run(`DELETE FROM user_blocks WHERE blocker_id = $1 AND blocked_id = $2`, [
      blockerId,
      blockedId,
    ]);
  }

  /** True when either user blocked the other. */
  async isBlockedEitherWay(a: string, b: string): Promise<boolean> {
    const rows: unknown[] = await this.sql.rows(
      `SELECT 1 FROM user_blocks
        WHERE (blocker_id = $1 AND blocked_id = $2) OR (blocker_id = $2 AND blocked_id = $1)
        LIMIT 1`,
      [a, b],
    );
    return rows.length > 0;
  }

  getSettings(userId: string): Promise<UserMessageSettingsEntity | null> {
    return this.transactions.manager.findOneBy(UserMessageSettingsEntity, { userId });
  }

  async updateSettings(userId: string, patch: Partial<UserMessageSettingsEntity>): Promise<void> {
    if (Object.keys(patch).length > 0) {
      await this.transactions.manager.update(UserMessageSettingsEntity, { userId }, patch);
    }
  }

  async update(id: string, patch: Partial<UserEntity>): Promise<void> {
    if (Object.keys(patch).length > 0)
      await this.transactions.manager.update(UserEntity, { id }, patch);
  }

  /** Suspends a user and ends every session of theirs in the same transaction. */
  async suspend(id: string, reason: string): Promise<void> {
    await this.transactions.run(async () => {
      await this.sql.run(
        `UPDATE users SET suspended_at = COALESCE(suspended_at, now()), suspension_reason = $2,
                updated_at = now()
          WHERE id = $1`,
        [id, reason],
      );
      await this.sql.run(
        `UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'suspended'
          WHERE user_id = $1 AND revoked_at IS NULL`,
        [id],
      );
    });
  }

  /** The users with these ids, in the order of `ids` (missing ones left out). */
  async inOrder(ids: string[]): Promise<UserEntity[]> {
    if (ids.length === 0) return [];
    const users = await this.transactions.manager
      .createQueryBuilder(UserEntity, 'u')
      .where('u.id IN (:...ids)', { ids })
      .getMany();
    const byId = new Map(users.map((u) => [u.id, u]));
    return ids.map((id) => byId.get(id)).filter((u): u is UserEntity => u !== undefined);
  }
}
