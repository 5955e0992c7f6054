import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';

export interface NewFlag {
  messageId: string;
  conversationId: string;
  senderId: string | null;
  reasons: string[];
  matched?: string[];
  reporterId?: string | null;
  reportReason?: string | null;
  /** the message text as written when the flag opened */
  content?: string | null;
  /** `content` is ciphertext of an at_rest conversation */
  contentEncrypted?: boolean;
}

export interface FlagRow {
  id: string;
  message_id: string;
  conversation_id: string;
  sender_id: string | null;
  reasons: string[];
  matched: string[];
  reporter_id: string | null;
  report_reason: string | null;
  content: string | null;
  content_encrypted: boolean;
  status: 'open' | 'resolved';
  resolution: string | null;
  note: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  created_at: Date;
  /** µs since the epoch, for exact keyset cursors */
  created_us: string;
}

const FLAG = `id, message_id, conversation_id, sender_id, reasons, matched, reporter_id, report_reason, content,
  content_encrypted,
  status, resolution, note, resolved_by, resolved_at, created_at,
  (extract(epoch FROM created_at) * 1000000)::bigint AS created_us`;

/** Moderation flags: opened by the moderation pipeline or by a participant's report. */
@Injectable()
export class FlagsRepository {
  constructor(private readonly sql: Sql) {}

  async open(flag: NewFlag): Promise<string> {
    const created = await this.sql.row<{ id: string }>(
      `INSERT INTO moderation_flags
              (message_id, conversation_id, sender_id, reasons, matched, reporter_id, report_reason, content,
               content_encrypted)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        flag.messageId,
        flag.conversationId,
        flag.senderId,
        flag.reasons,
        flag.matched ?? [],
        flag.reporterId ?? null,
        flag.reportReason ?? null,
        flag.content ?? null,
        flag.contentEncrypted ?? false,
      ],
    );
    return created!.id;
  }

  /** Newest first within a status, keyset-paged on (created_at, id). */
  list(
    status: 'open' | 'resolved',
    after: { us: string; id: string } | null,
    limit: number,
  ): Promise<FlagRow[]> {
    const params: unknown[] = [status, limit];
    let keyset = '';
    if (after) {
      params.push(after.us, after.id);
      keyset = `AND ((extract(epoch FROM created_at) * 1000000)::bigint, id) < ($3::bigint, $4::uuid)`;
    }
    return this.sql.rows<FlagRow>(
      `SELECT ${FLAG} FROM moderation_flags WHERE status = $1 ${keyset}
        ORDER BY created_at DESC, id DESC LIMIT $2`,
      params,
    );
  }

  find(id: string): Promise<FlagRow | null> {
    return this.sql.row<FlagRow>(`SELECT ${FLAG} FROM moderation_flags WHERE id = $1`, [id]);
  }

  /** Resolves an open flag; returns null when it was not open. */
  resolve(
    id: string,
    resolution: string,
    note: string | null,
    adminId: string,
  ): Promise<FlagRow | null> {
    return this.sql.row<FlagRow>(
      `UPDATE moderation_flags
          SET status = 'resolved', resolution = $2, note = $3, resolved_by = $4, resolved_at = now()
        WHERE id = $1 AND status = 'open' RETURNING ${FLAG}`,
      [id, resolution, note, adminId],
    );
  }
}
