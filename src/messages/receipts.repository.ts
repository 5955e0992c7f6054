import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';
import { Transactions } from '../database/transactions';

export type ReceiptKind = 'delivered' | 'read';

export interface ReceiptRow {
  user_id: string;
  delivered_at: Date | null;
  read_at: Date | null;
}

/**
 * Read and delivered positions per participant, plus a mark each time one advances, so that a
 * message's readAt is the time of the first read mark at or past its seq.
 */
@Injectable()
export class ReceiptsRepository {
  constructor(
    private readonly sql: Sql,
    private readonly transactions: Transactions,
  ) {}

  /**
   * Moves a participant's mark forward to `upToSeq` (capped at the conversation's last seq);
   * never backwards. Returns the resulting position and whether it moved.
   */
  advance(
    conversationId: string,
    userId: string,
    kind: ReceiptKind,
    upToSeq: number,
  ): Promise<{ position: string; moved: boolean; at: Date }> {
    return this.transactions.run(async () => {
      const moved = await this.sql.row<{
        last_read_seq: string;
        last_delivered_seq: string;
        at: Date;
      }>(
        kind === 'read'
          ? `UPDATE conversation_participants p
                SET last_read_seq = LEAST($3::bigint, c.last_seq),
                    last_delivered_seq = GREATEST(p.last_delivered_seq, LEAST($3::bigint, c.last_seq))
               FROM conversations c
              WHERE c.id = p.conversation_id AND p.conversation_id = $1 AND p.user_id = $2
                AND p.last_read_seq < LEAST($3::bigint, c.last_seq)
              RETURNING p.last_read_seq, p.last_delivered_seq, now() AS at`
          : `UPDATE conversation_participants p
                SET last_delivered_seq = LEAST($3::bigint, c.last_seq)
               FROM conversations c
              WHERE c.id = p.conversation_id AND p.conversation_id = $1 AND p.user_id = $2
                AND p.last_delivered_seq < LEAST($3::bigint, c.last_seq)
              RETURNING p.last_read_seq, p.last_delivered_seq, now() AS at`,
        [conversationId, userId, upToSeq],
      );
      if (!moved) {
        const current = await this.sql.row<{ last_read_seq: string; last_delivered_seq: string }>(
          `SELECT last_read_seq, last_delivered_seq FROM conversation_participants
            WHERE conversation_id = $1 AND user_id = $2`,
          [conversationId, userId],
        );
        const position = kind === 'read' ? current?.last_read_seq : current?.last_delivered_seq;
        return { position: position ?? '0', moved: false, at: new Date() };
      }
      const position = kind === 'read' ? moved.last_read_seq : moved.last_delivered_seq;
      await this.sql.run(
        `INSERT INTO receipt_marks (conversation_id, user_id, kind, up_to_seq, at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING`,
        [conversationId, userId, kind, position, moved.at],
      );
      return { position, moved: true, at: moved.at };
    });
  }

  /** Delivered and read times of one message for each participant who can see it, but its sender. */
  forMessage(conversationId: string, seq: string, senderId: string | null): Promise<ReceiptRow[]> {
    return this.sql.rows<ReceiptRow>(
      `SELECT p.viewer_id AS user_id,
              (SELECT r.at FROM receipt_marks r
                WHERE r.conversation_id = $1 AND r.user_id = p.viewer_id AND r.kind = 'read' AND r.up_to_seq >= $2::bigint
                ORDER BY r.up_to_seq LIMIT 1) AS read_at,
              (SELECT min(r.at) FROM receipt_marks r
                WHERE r.conversation_id = $1 AND r.user_id = p.viewer_id AND r.up_to_seq >= $2::bigint) AS delivered_at
         FROM message_viewers p
        WHERE p.conversation_id = $1 AND p.seq = $2::bigint
          AND p.viewer_id IS DISTINCT FROM $3::uuid
        ORDER BY p.joined_at, p.viewer_id`,
      [conversationId, seq, senderId],
    );
  }
}
