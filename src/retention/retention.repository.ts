import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';
import { Transactions } from '../database/transactions';
import { BatchPlan, planBatch, ScannedMessage } from './retention-plan';

/** A conversation whose messages expire, and how far earlier sweeps got. */
export interface RetainedConversation {
  id: string;
  days: number;
  swept_seq: string;
}

/** What one batch did: its plan, and what it tombstoned, for the events and bytes after it. */
export interface SweptBatch extends Omit<BatchPlan, 'doomed'> {
  tombstones: { id: string; seq: string; version: string; sender_id: string | null }[];
  /** reply roots whose replyCount went down */
  roots: { id: string; seq: string; version: string; sender_id: string | null }[];
  attachments: { id: string; storage_key: string; thumbnail_key: string | null }[];
}

/**
 * The next messages of a conversation after a seq, locked: one range of the unique
 * (conversation_id, seq) index, messages_seq_key (test/retention.e2e-spec.ts checks the plan).
 */
export const SCAN_SQL = `SELECT id, seq, created_at < $3 AS expired, deleted_at IS NOT NULL AS deleted, thread_root_id
    FROM messages
   WHERE conversation_id = $1 AND seq > $2
   ORDER BY seq
   LIMIT $4
   FOR UPDATE`;

/**
 * The retention sweep's SQL. It writes rows of other modules' tables on purpose, and only
 * here, in the shape their own delete gives them (MessagesRepository.tombstone,
 * MessageAttachments.deleteWithMessage): messages become tombstones with a new version,
 * reactions go, masked originals and reviewers' copies go, search entries go (the search
 * trigger clears search_vector when deleted_at is set), attachments are marked deleted.
 */
@Injectable()
export class RetentionRepository {
  constructor(
    private readonly sql: Sql,
    private readonly transactions: Transactions,
  ) {}

  /**
   * Conversations with a retention (their own, else `defaultDays`) whose first message past
   * the watermark has expired by `now`, by id from `afterId`. The others are not touched (no
   * lock on their row): since created_at rises with seq, nothing after that message has
   * expired either.
   */
  conversations(
    defaultDays: number | null,
    now: Date,
    afterId: string | null,
    limit: number,
  ): Promise<RetainedConversation[]> {
    return this.sql.rows<RetainedConversation>(
      `SELECT c.id, COALESCE(c.retention_days, $1::int) AS days, COALESCE(p.swept_seq, 0) AS swept_seq
         FROM conversations c LEFT JOIN retention_progress p ON p.conversation_id = c.id
        WHERE COALESCE(c.retention_days, $1::int) IS NOT NULL
          AND c.last_seq > COALESCE(p.swept_seq, 0)
          AND ($3::uuid IS NULL OR c.id > $3::uuid)
          AND EXISTS (SELECT 1 FROM messages m
                       WHERE m.conversation_id = c.id AND m.seq = COALESCE(p.swept_seq, 0) + 1
                         AND m.created_at < $2::timestamptz - make_interval(days => COALESCE(c.retention_days, $1::int)))
        ORDER BY c.id
        LIMIT $4`,
      [defaultDays, now, afterId, limit],
    );
  }

  /**
   * Tombstones, in one short transaction, the expired messages among the next `limit` of the
   * conversation after seq `after` (by the unique (conversation_id, seq) index). Locks the
   * conversation row first, like every writer of versions, then the scanned messages, so a
   * concurrent edit, delete or report waits for this batch and then sees the tombstone.
   * Messages with an open moderation flag are kept.
   */
  sweepBatch(
    conversationId: string,
    after: string,
    cutoff: Date,
    limit: number,
    blockedBefore: boolean,
  ): Promise<SweptBatch> {
    return this.transactions.run(async () => {
      await this.sql.run(`SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE`, [conversationId]);
      const scanned = await this.sql.rows<ScannedMessage>(SCAN_SQL, [
        conversationId,
        after,
        cutoff,
        limit,
      ]);
      const live = scanned.filter((m) => m.expired && !m.deleted).map((m) => m.id);
      const flagged = new Set(
        live.length === 0
          ? []
          : (
              await this.sql.rows<{ message_id: string }>(
                `SELECT DISTINCT message_id FROM moderation_flags WHERE message_id = ANY($1::uuid[]) AND status = 'open'`,
                [live],
              )
            ).map((f) => f.message_id),
      );
      const plan = planBatch(scanned, flagged, limit, blockedBefore);
      const result: SweptBatch = { ...plan, tombstones: [], roots: [], attachments: [] };
      const { doomed } = plan;
      if (doomed.length > 0) await this.tombstone(conversationId, doomed, result);
      return result;
    });
  }

  private async tombstone(
    conversationId: string,
    doomed: ScannedMessage[],
    result: SweptBatch,
  ): Promise<void> {
    const ids = doomed.map((m) => m.id);
    const doomedIds = new Set(ids);
    // a root loses one reply per tombstoned reply (unless it goes in this batch too)
    const lostReplies = new Map<string, number>();
    for (const m of doomed) {
      if (m.thread_root_id && !doomedIds.has(m.thread_root_id))
        lostReplies.set(m.thread_root_id, (lostReplies.get(m.thread_root_id) ?? 0) + 1);
    }
    const [{ last_version }] = await this.sql.rows<{ last_version: string }>(
      `UPDATE conversations SET last_version = last_version + $2 WHERE id = $1 RETURNING last_version`,
      [conversationId, ids.length + lostReplies.size],
    );
    const first = BigInt(last_version) - BigInt(ids.length + lostReplies.size) + 1n;
    await this.sql.run(`DELETE FROM message_reactions WHERE message_id = ANY($1::uuid[])`, [ids]);
    result.tombstones = await this.sql.rows(
      `UPDATE messages m
          SET content = '', masked_original = NULL, encrypted = false, system_event = NULL,
              deleted_at = now(), version = $2::bigint + d.ord - 1
         FROM unnest($1::uuid[]) WITH ORDINALITY AS d(id, ord)
        WHERE m.id = d.id
        RETURNING m.id, m.seq, m.version, m.sender_id`,
      [ids, first.toString()],
    );
    if (lostReplies.size > 0) {
      const roots = [...lostReplies.keys()];
      result.roots = await this.sql.rows(
        `UPDATE messages m
            SET reply_count = GREATEST(0, m.reply_count - r.lost), version = $3::bigint + r.ord - 1
           FROM unnest($1::uuid[], $2::int[]) WITH ORDINALITY AS r(id, lost, ord)
          WHERE m.id = r.id
          RETURNING m.id, m.seq, m.version, m.sender_id`,
        [roots, roots.map((id) => lostReplies.get(id)), (first + BigInt(ids.length)).toString()],
      );
    }
    // the reviewers' copies of flags already resolved (open ones kept their message)
    await this.sql.run(
      `UPDATE moderation_flags SET content = NULL WHERE message_id = ANY($1::uuid[]) AND content IS NOT NULL`,
      [ids],
    );
    result.attachments = await this.sql.rows(
      `UPDATE attachments SET deleted_at = now()
        WHERE message_id = ANY($1::uuid[]) AND deleted_at IS NULL
        RETURNING id, storage_key, thumbnail_key`,
      [ids],
    );
  }

  /** Remembers that nothing is left to do in the conversation up to `seq`. */
  async saveProgress(conversationId: string, seq: string): Promise<void> {
    await this.sql.run(
      `INSERT INTO retention_progress (conversation_id, swept_seq) VALUES ($1, $2)
       ON CONFLICT (conversation_id) DO UPDATE SET swept_seq = GREATEST(retention_progress.swept_seq, EXCLUDED.swept_seq)`,
      [conversationId, seq],
    );
  }

  /** Drops the rows of attachments whose bytes are gone (marked deleted by sweepBatch). */
  async removeAttachments(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.sql.run(
      `DELETE FROM attachments WHERE id = ANY($1::uuid[]) AND deleted_at IS NOT NULL`,
      [ids],
    );
  }
}
