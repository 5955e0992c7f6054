import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';

export interface ReactionSummary {
  emoji: string;
  count: number;
  reactedByMe: boolean;
}

@Injectable()
export class ReactionsRepository {
  constructor(private readonly sql: Sql) {}

  /** Returns true when the reaction is new. */
  async add(messageId: string, userId: string, emoji: string): Promise<boolean> {
    const inserted = await this.sql.rows(
      `INSERT INTO message_reactions (message_id, user_id, emoji) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING message_id`,
      [messageId, userId, emoji],
    );
    return inserted.length > 0;
  }

  /** Returns true when a reaction was removed. */
  async remove(messageId: string, userId: string, emoji: string): Promise<boolean> {
    const deleted = await this.sql.rows(
      `DELETE FROM message_reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3 RETURNING message_id`,
      [messageId, userId, emoji],
    );
    return deleted.length > 0;
  }

  /** Reactions of each message, in order of first use, with whether the viewer is among them. */
  async summarize(messageIds: string[], viewerId: string): Promise<Map<string, ReactionSummary[]>> {
    const byMessage = new Map<string, ReactionSummary[]>();
    if (messageIds.length === 0) return byMessage;
    const found = await this.sql.rows<{
      message_id: string;
      emoji: string;
      count: string;
      mine: boolean;
    }>(
      `SELECT message_id, emoji, count(*) AS count, bool_or(user_id = $2) AS mine, min(created_at) AS first
         FROM message_reactions WHERE message_id = ANY($1::uuid[])
        GROUP BY message_id, emoji ORDER BY message_id, first, emoji`,
      [messageIds, viewerId],
    );
    for (const r of found) {
      const list = byMessage.get(r.message_id) ?? [];
      list.push({ emoji: r.emoji, count: Number(r.count), reactedByMe: r.mine });
      byMessage.set(r.message_id, list);
    }
    return byMessage;
  }
}
