import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';

export interface ContactRow {
  id: string;
  display_name: string;
  avatar_url: string | null;
  locale: 'en' | 'ar';
  verification_status: 'unverified' | 'verified';
  last_seen_at: Date | null;
}

/** A contact is a user you share a conversation with (both active members). */
@Injectable()
export class ContactsRepository {
  constructor(private readonly sql: Sql) {}

  async contactIds(userId: string): Promise<string[]> {
    const found = await this.sql.rows<{ user_id: string }>(
      `SELECT DISTINCT contact_id AS user_id FROM conversation_contacts WHERE user_id = $1`,
      [userId],
    );
    return found.map((r) => r.user_id);
  }

  /** Which of `ids` are contacts of `userId`. */
  async shared(userId: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const found = await this.sql.rows<{ user_id: string }>(
      `SELECT DISTINCT contact_id AS user_id FROM conversation_contacts
        WHERE user_id = $1 AND contact_id = ANY($2::uuid[])`,
      [userId, ids],
    );
    return new Set(found.map((r) => r.user_id));
  }

  /** Contacts by display name, keyset-paged. */
  page(
    userId: string,
    after: { name: string; id: string } | null,
    limit: number,
  ): Promise<ContactRow[]> {
    const params: unknown[] = [userId, limit];
    let keyset = '';
    if (after) {
      params.push(after.name, after.id);
      keyset = `AND (lower(u.display_name), u.id) > ($3, $4::uuid)`;
    }
    return this.sql.rows<ContactRow>(
      `SELECT u.id, u.display_name, u.avatar_url, u.locale, u.verification_status, u.last_seen_at
         FROM users u
        WHERE u.id IN (SELECT contact_id FROM conversation_contacts WHERE user_id = $1)
          ${keyset}
        ORDER BY lower(u.display_name), u.id
        LIMIT $2`,
      params,
    );
  }

  async lastSeen(ids: string[]): Promise<Map<string, Date | null>> {
    if (ids.length === 0) return new Map();
    const found = await this.sql.rows<{ id: string; last_seen_at: Date | null }>(
      `SELECT id, last_seen_at FROM users WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(found.map((r) => [r.id, r.last_seen_at]));
  }

  async markSeen(userId: string, at: Date): Promise<void> {
    await this.markSeenMany([userId], at);
  }

  async markSeenMany(userIds: string[], at: Date): Promise<void> {
    if (userIds.length === 0) return;
    await this.sql.run(`UPDATE users SET last_seen_at = $2 WHERE id = ANY($1::uuid[])`, [
      userIds,
      at,
    ]);
  }
}
