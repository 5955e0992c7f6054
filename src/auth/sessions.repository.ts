import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { perTurnLoader } from '../database/per-turn-loader';
import { Sql } from '../database/sql';
import { Transactions } from '../database/transactions';

export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface PrincipalRow {
  id: string;
  role: 'user' | 'admin';
  locale: 'en' | 'ar';
  display_name: string;
  verification_status: string;
  suspended_at: Date | null;
  revoked_at: Date | null;
}

export type RotateResult =
  | { kind: 'rotated'; sessionId: string; userId: string; refreshToken: string }
  | { kind: 'reused'; sessionId: string; userId: string }
  | { kind: 'invalid' };

/**
 * Sessions are refresh-token chains. Refresh tokens are random and stored only as hashes; each
 * is spent once, and presenting a spent one ends the whole session.
 */
@Injectable()
export class SessionsRepository {
  constructor(
    private readonly sql: Sql,
    private readonly transactions: Transactions,
  ) {}

  async create(userId: string): Promise<{ sessionId: string; refreshToken: string }> {
    const [{ id }] = await this.sql.rows<{ id: string }>(
      `INSERT INTO auth_sessions (user_id) VALUES ($1) RETURNING id`,
      [userId],
    );
    const refreshToken = await this.issueRefreshToken(id);
    return { sessionId: id, refreshToken };
  }

  /** Spends a refresh token and issues its successor, in one transaction. */
  rotate(refreshToken: string): Promise<RotateResult> {
    const hash = hashToken(refreshToken);
    return this.transactions.run(async (): Promise<RotateResult> => {
      const spent = await this.sql.rows<{ session_id: string; user_id: string }>(
        `UPDATE refresh_tokens t SET spent_at = now()
           FROM auth_sessions s JOIN users u ON u.id = s.user_id
          WHERE t.token_hash = $1 AND t.session_id = s.id AND t.spent_at IS NULL
            AND t.expires_at > now() AND s.revoked_at IS NULL AND u.suspended_at IS NULL
          RETURNING s.id AS session_id, s.user_id`,
        [hash],
      );
      if (spent.length === 1) {
        const { session_id: sessionId, user_id: userId } = spent[0];
        return {
          kind: 'rotated',
          sessionId,
          userId,
          refreshToken: await this.issueRefreshToken(sessionId),
        };
      }
      const known = await this.sql.row<{
        session_id: string;
        spent_at: Date | null;
        user_id: string;
      }>(
        `SELECT t.session_id, t.spent_at, s.user_id FROM refresh_tokens t
           JOIN auth_sessions s ON s.id = t.session_id WHERE t.token_hash = $1`,
        [hash],
      );
      if (known?.spent_at)
        return { kind: 'reused', sessionId: known.session_id, userId: known.user_id };
      return { kind: 'invalid' };
    });
  }

  /** The session a refresh token (spent or not) belongs to, if it is the given user's. */
  async sessionOfToken(refreshToken: string, userId: string): Promise<string | null> {
    const found = await this.sql.row<{ id: string }>(
      `SELECT s.id FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id
        WHERE t.token_hash = $1 AND s.user_id = $2`,
      [hashToken(refreshToken), userId],
    );
    return found?.id ?? null;
  }

  /** Ends a session; returns false when it was already ended. */
  async revoke(sessionId: string, reason: string): Promise<boolean> {
    const revoked = await this.sql.rows(
      `UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2
        WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
      [sessionId, reason],
    );
    return revoked.length > 0;
  }

  /**
   * The user behind a session, with what decides whether its access tokens still work. Every
   * authenticated request asks, so the questions of one event-loop turn share one query.
   */
  principal(sessionId: string, userId: string): Promise<PrincipalRow | null> {
    return this.principals.load({ sessionId, userId });
  }

  private readonly principals = perTurnLoader<{ sessionId: string; userId: string }, PrincipalRow>(
    async (keys) => {
      const found = await this.sql.rows<PrincipalRow & { ord: string }>(
        `SELECT k.ord, u.id, u.role, u.locale, u.display_name, u.verification_status, u.suspended_at,
              s.revoked_at
         FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS k(session_id, user_id, ord)
         JOIN auth_sessions s ON s.id = k.session_id AND s.user_id = k.user_id
         JOIN users u ON u.id = s.user_id`,
        [keys.map((k) => k.sessionId), keys.map((k) => k.userId)],
        { generic: true },
      );
      const byOrd = new Map(found.map(({ ord, ...p }) => [Number(ord), p]));
      return keys.map((_, i) => byOrd.get(i + 1) ?? null);
    },
  );

  private async issueRefreshToken(sessionId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.sql.run(
      `INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)`,
      [hashToken(token), sessionId, new Date(Date.now() + REFRESH_TOKEN_TTL_MS)],
    );
    return token;
  }
}
