import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { rows } from '../database/sql';
import { MessageRow } from '../messages/entities/message.row';
import { SearchPosition } from './search-cursor';

/** A message that matched, with what the hit list shows besides the message itself. */
export interface SearchHitRow extends MessageRow {
  /** ts_rank_cd rounded to 6 places (numeric, so it arrives as exact text) */
  rank: string;
  /** created_at in microseconds since the epoch (bigint, so it arrives as exact text) */
  created_us: string;
  conversation_title: string | null;
}

export interface SearchParams {
  userId: string;
  q: string;
  conversationId?: string;
  after: SearchPosition | null;
  limit: number;
}

const COLUMNS = `m.id, m.conversation_id, m.seq, m.version, m.sender_id, m.client_message_id, m.type,
  m.content, m.language, m.direction, m.system_event, m.reply_to_message_id, m.thread_root_id,
  m.reply_count, m.moderation, m.edited_at, m.deleted_at, m.created_at, m.encrypted`;

/**
 * Full-text search over the messages a user can see. The privacy filter is part of the one
 * query: an active participant, only the history after `visible_after_seq`, no deleted or system
 * messages, no encrypted conversations (whose messages have no vector anyway). The vector and
 * the query are made by the SQL functions of the search migration, so both sides are normalised
 * alike; the GIN index on `search_vector` finds the candidates.
 */
@Injectable()
export class SearchRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  search(p: SearchParams): Promise<SearchHitRow[]> {
    const params: unknown[] = [p.userId, p.q, p.limit];
    const filters: string[] = [];
    if (p.conversationId) {
      params.push(p.conversationId);
      filters.push(`AND p.conversation_id = $${params.length}::uuid`);
    }
    let keyset = '';
    if (p.after) {
      params.push(p.after.rank, p.after.createdUs, p.after.id);
      const n = params.length;
      keyset = `WHERE (hit.rank, hit.created_us, hit.id) < ($${n - 2}::numeric, $${n - 1}::bigint, $${n}::uuid)`;
    }
    return rows<SearchHitRow>(
      this.db,
      `WITH input AS (SELECT search_query($2) AS query),
       hit AS (
         SELECT ${COLUMNS}, c.type AS conversation_type, c.title AS group_title,
                round(ts_rank_cd(m.search_vector, input.query)::numeric, 6) AS rank,
                (extract(epoch FROM m.created_at) * 1000000)::bigint AS created_us
           FROM input, conversation_participants p
           JOIN conversations c ON c.id = p.conversation_id
           JOIN messages m ON m.conversation_id = p.conversation_id AND m.seq > p.visible_after_seq
          WHERE p.user_id = $1 AND p.status = 'active' AND c.encryption = 'none'
            ${filters.join(' ')}
            AND m.search_vector @@ input.query
            AND m.deleted_at IS NULL AND m.type <> 'system'
       ),
       page AS (
         SELECT * FROM hit ${keyset}
          ORDER BY hit.rank DESC, hit.created_us DESC, hit.id DESC
          LIMIT $3
       )
       SELECT page.*,
              CASE WHEN page.conversation_type = 'direct'
                   THEN (SELECT u.display_name
                           FROM conversation_participants o JOIN users u ON u.id = o.user_id
                          WHERE o.conversation_id = page.conversation_id AND o.user_id <> $1
                          LIMIT 1)
                   ELSE page.group_title END AS conversation_title
         FROM page
        ORDER BY page.rank DESC, page.created_us DESC, page.id DESC`,
      params,
    );
  }

  /**
   * Which of the given words (each with the language of its message) the query hits: the
   * word's lexemes, made as its message's vector is, share one with the query's.
   */
  async hitWords(
    terms: string,
    words: { word: string; language: string }[],
  ): Promise<{ word: string; language: string }[]> {
    if (words.length === 0) return [];
    return rows(
      this.db,
      `SELECT w.word, w.language
         FROM unnest($2::text[], $3::text[]) AS w(word, language)
        WHERE tsvector_to_array(search_document(w.word, w.language)) && search_terms($1)`,
      [terms, words.map((w) => w.word), words.map((w) => w.language)],
    );
  }
}
