import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';

export interface WrappedKeyRow {
  conversation_id: string;
  master_key_id: string;
  wrapped_key: string;
}

@Injectable()
export class ConversationKeysRepository {
  constructor(private readonly sql: Sql) {}

  find(conversationId: string): Promise<WrappedKeyRow | null> {
    return this.sql.row<WrappedKeyRow>(
      `SELECT conversation_id, master_key_id, wrapped_key FROM conversation_keys WHERE conversation_id = $1`,
      [conversationId],
    );
  }

  /** Stores a data key unless one exists; the stored one wins a race. */
  async insertIfAbsent(key: WrappedKeyRow): Promise<WrappedKeyRow> {
    await this.sql.run(
      `INSERT INTO conversation_keys (conversation_id, master_key_id, wrapped_key) VALUES ($1, $2, $3)
       ON CONFLICT (conversation_id) DO NOTHING`,
      [key.conversation_id, key.master_key_id, key.wrapped_key],
    );
    return (await this.find(key.conversation_id))!;
  }

  /** One data key per master key id in use, to prove at boot that every one can be unwrapped. */
  samplePerMasterKey(): Promise<WrappedKeyRow[]> {
    return this.sql
      .rows<WrappedKeyRow>(`SELECT DISTINCT ON (master_key_id) conversation_id, master_key_id, wrapped_key
         FROM conversation_keys ORDER BY master_key_id, conversation_id`);
  }

  notWrappedBy(masterKeyId: string, limit: number): Promise<WrappedKeyRow[]> {
    return this.sql.rows<WrappedKeyRow>(
      `SELECT conversation_id, master_key_id, wrapped_key FROM conversation_keys
        WHERE master_key_id <> $1 ORDER BY conversation_id LIMIT $2`,
      [masterKeyId, limit],
    );
  }

  /** Re-wraps one key, only if it is still wrapped the way it was read (safe while the app runs). */
  async rewrap(previous: WrappedKeyRow, masterKeyId: string, wrapped: string): Promise<boolean> {
    const updated = await this.sql.rows(
      `UPDATE conversation_keys SET master_key_id = $2, wrapped_key = $3, rewrapped_at = now()
        WHERE conversation_id = $1 AND master_key_id = $4 AND wrapped_key = $5 RETURNING conversation_id`,
      [
        previous.conversation_id,
        masterKeyId,
        wrapped,
        previous.master_key_id,
        previous.wrapped_key,
      ],
    );
    return updated.length > 0;
  }
}
