import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { rows } from '../database/sql';

export interface ReactionSummary {
  emoji: string;
  count: number;
  reactedByMe: boolean;
}

@Injectable()
export class ReactionsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Returns true when the reaction is new. */
  async add(tx: EntityManager, messageId: string, userId: string, emoji: string): Promise<boolean> {
    const inserted = await rows(
      tx,
      `INSERT INTO message_reactions (message_id, user_id, emoji) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING message_id`,
      [messageId, userId, emoji],
    );
    return inserted.length > 0;
  }

  /** Returns true when a reaction was removed. */
  async remove(
    tx: EntityManager,
    messageId: string,
    userId: string,
    emoji: string,
  ): Promise<boolean> {
    const deleted = await rows(
      tx,
      `DELETE FROM message_reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3 RETURNING message_id`,
      [messageId, userId, emoji],
    );
    return deleted.length > 0;
  }

  /** Reactions of each message, in order of first use, with whether the viewer is among them. */
  async summarize(messageIds: string[], viewerId: string): Promise<Map<string, ReactionSummary[]>> {
    const byMessage = new Map<string, ReactionSummary[]>();
    if (messageIds.length === 0) return byMessage;
    const found = await rows<{ message_id: string; emoji: string; count: string; mine: boolean }>(
      this.db,
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
