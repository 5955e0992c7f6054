import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';
import { Transactions } from '../database/transactions';
import { ScheduledMessageRow, ScheduledStatus } from './entities/scheduled-message.row';

const COLUMNS = `id, author_id, conversation_id, content, reply_to_message_id, attachment_ids, language,
  client_message_id, send_at, status, message_id, failure, attempts, claimed_until, notified_at,
  created_at, updated_at`;

/**
 * The author's list by send_at then id, keyset after ($4, $5): one range of
 * scheduled_messages_author_idx (test/scheduled-messages.e2e-spec.ts checks the plan).
 */
export const LIST_SQL = `SELECT ${COLUMNS} FROM scheduled_messages
  WHERE author_id = $1
    AND ($2::uuid IS NULL OR conversation_id = $2)
    AND ($3::text IS NULL OR status = $3)
    AND ($4::timestamptz IS NULL OR (send_at, id) > ($4::timestamptz, $5::uuid))
  ORDER BY send_at, id
  LIMIT $6`;

/**
 * Claims due rows ($1: now) until $2, at most $3, through scheduled_messages_due_idx.
 * `SKIP LOCKED`: two nodes claiming at once take different rows, and neither waits.
 */
export const CLAIM_DUE_SQL = `UPDATE scheduled_messages s
    SET claimed_until = $2, attempts = s.attempts + 1, updated_at = now()
  WHERE s.id IN (SELECT id FROM scheduled_messages
                  WHERE status = 'scheduled' AND send_at <= $1
                    AND (claimed_until IS NULL OR claimed_until <= $1)
                  ORDER BY send_at
                  LIMIT $3
                  FOR UPDATE SKIP LOCKED)
  RETURNING ${COLUMNS}`;

export interface NewScheduledMessage {
  authorId: string;
  conversationId: string;
  content: string;
  replyToMessageId: string | null;
  attachmentIds: string[];
  language: string | null;
  clientMessageId: string | null;
  sendAt: Date;
}

export interface ScheduledListFilter {
  authorId: string;
  conversationId: string | null;
  status: ScheduledStatus | null;
  after: { sendAt: Date; id: string } | null;
  limit: number;
}

/** `scheduled_messages` only; every statement is scoped to one author or to due rows. */
@Injectable()
export class ScheduledMessagesRepository {
  constructor(
    private readonly sql: Sql,
    private readonly transactions: Transactions,
  ) {}

  /**
   * Stores a scheduled message unless the author already has `max` pending ones (then null).
   * The author's advisory lock makes the count and the insert one step, across nodes. A repeat
   * of the same clientMessageId returns the first one.
   */
  insertWithinLimit(
    m: NewScheduledMessage,
    max: number,
  ): Promise<{ row: ScheduledMessageRow; created: boolean } | null> {
    return this.transactions.run(async () => {
      await this.sql.run(`SELECT pg_advisory_xact_lock(hashtext('scheduled_messages:' || $1))`, [
        m.authorId,
      ]);
      if (m.clientMessageId !== null) {
        const earlier = await this.findByClientId(m);
        if (earlier) return { row: earlier, created: false };
      }
      const [{ pending }] = await this.sql.rows<{ pending: number }>(
        `SELECT count(*)::int AS pending FROM scheduled_messages WHERE author_id = $1 AND status = 'scheduled'`,
        [m.authorId],
      );
      if (pending >= max) return null;
      const inserted = await this.sql.row<ScheduledMessageRow>(
        `INSERT INTO scheduled_messages (author_id, conversation_id, content, reply_to_message_id, attachment_ids,
                                         language, client_message_id, send_at)
         VALUES ($1, $2, $3, $4, $5::uuid[], $6, $7, $8)
         RETURNING ${COLUMNS}`,
        [
          m.authorId,
          m.conversationId,
          m.content,
          m.replyToMessageId,
          m.attachmentIds,
          m.language,
          m.clientMessageId,
          m.sendAt,
        ],
      );
      return { row: inserted!, created: true };
    });
  }

  private findByClientId(m: NewScheduledMessage): Promise<ScheduledMessageRow | null> {
    return this.sql.row<ScheduledMessageRow>(
      `SELECT ${COLUMNS} FROM scheduled_messages
        WHERE author_id = $1 AND conversation_id = $2 AND client_message_id = $3`,
      [m.authorId, m.conversationId, m.clientMessageId],
    );
  }

  findOwn(authorId: string, id: string): Promise<ScheduledMessageRow | null> {
    return this.sql.row<ScheduledMessageRow>(
      `SELECT ${COLUMNS} FROM scheduled_messages WHERE id = $1 AND author_id = $2`,
      [id, authorId],
    );
  }

  /** The author's scheduled messages by send_at then id. */
  list(f: ScheduledListFilter): Promise<ScheduledMessageRow[]> {
    return this.sql.rows<ScheduledMessageRow>(LIST_SQL, [
      f.authorId,
      f.conversationId,
      f.status,
      f.after?.sendAt ?? null,
      f.after?.id ?? null,
      f.limit,
    ]);
  }

  /**
   * Changes a pending message that no node is sending right now; null when it is not (any
   * more) pending, or a node holds it.
   */
  update(
    authorId: string,
    id: string,
    patch: { content: string | null; sendAt: Date | null },
    now: Date,
  ): Promise<ScheduledMessageRow | null> {
    return this.sql.row<ScheduledMessageRow>(
      `UPDATE scheduled_messages
          SET content = COALESCE($3, content), send_at = COALESCE($4, send_at), updated_at = now()
        WHERE id = $1 AND author_id = $2 AND status = 'scheduled'
          AND (claimed_until IS NULL OR claimed_until <= $5)
        RETURNING ${COLUMNS}`,
      [id, authorId, patch.content, patch.sendAt, now],
    );
  }

  /** Cancels a pending message that no node is sending right now; false otherwise. */
  async cancel(authorId: string, id: string, now: Date): Promise<boolean> {
    const canceled = await this.sql.rows<{ id: string }>(
      `UPDATE scheduled_messages SET status = 'canceled', updated_at = now()
        WHERE id = $1 AND author_id = $2 AND status = 'scheduled'
          AND (claimed_until IS NULL OR claimed_until <= $3)
        RETURNING id`,
      [id, authorId, now],
    );
    return canceled.length > 0;
  }

  /**
   * Claims up to `limit` due messages for this node until `leaseUntil`. A claim whose node
   * died runs out at `leaseUntil` and the message is claimed again (the send is idempotent,
   * so that cannot send it twice).
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<ScheduledMessageRow[]> {
    return this.sql.rows<ScheduledMessageRow>(CLAIM_DUE_SQL, [now, leaseUntil, limit]);
  }

  async markSent(id: string, messageId: string): Promise<void> {
    await this.sql.run(
      `UPDATE scheduled_messages
          SET status = 'sent', message_id = $2, claimed_until = NULL, updated_at = now()
        WHERE id = $1 AND status = 'scheduled'`,
      [id, messageId],
    );
  }

  async markFailed(id: string, failure: string): Promise<boolean> {
    const failed = await this.sql.rows<{ id: string }>(
      `UPDATE scheduled_messages
          SET status = 'failed', failure = $2, claimed_until = NULL, updated_at = now()
        WHERE id = $1 AND status = 'scheduled'
        RETURNING id`,
      [id, failure],
    );
    return failed.length > 0;
  }

  async markNotified(id: string): Promise<void> {
    await this.sql.run(`UPDATE scheduled_messages SET notified_at = now() WHERE id = $1`, [id]);
  }

  /**
   * Failures whose author was not told within `staleSeconds` (the node that failed them died
   * first), claimed for telling now: each row goes to one caller only.
   */
  claimUntold(staleSeconds: number, limit: number): Promise<ScheduledMessageRow[]> {
    return this.sql.rows<ScheduledMessageRow>(
      `UPDATE scheduled_messages s SET notified_at = now()
        WHERE s.id IN (SELECT id FROM scheduled_messages
                        WHERE status = 'failed' AND notified_at IS NULL
                          AND updated_at < now() - make_interval(secs => $1)
                        LIMIT $2
                        FOR UPDATE SKIP LOCKED)
        RETURNING ${COLUMNS}`,
      [staleSeconds, limit],
    );
  }
}
