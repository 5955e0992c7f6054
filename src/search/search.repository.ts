import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';
import { MessageRow } from '../messages/entities/message.row';
import type { LanguageWord } from './hit-words';
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
  /** Where to look: the caller's active conversations, or the one asked for. */
  conversationIds: string[];
  after: SearchPosition | null;
  limit: number;
}

const COLUMNS = `m.id, m.conversation_id, m.seq, m.version, m.sender_id, m.client_message_id, m.type,
  m.content, m.language, m.direction, m.system_event, m.reply_to_message_id, m.thread_root_id,
  m.reply_count, m.moderation, m.edited_at, m.deleted_at, m.created_at, m.encrypted`;

/**
 * The search statement and its parameters (exported for bench/search.mjs, which explains it).
 *
 * `found` is planned on its own (MATERIALIZED), with the conversation ids and the query as
 * constants, so that the planner picks the plan for messages alone: for a word found in many
 * messages, a BitmapAnd of the GIN index (the word) and a (conversation_id, …) btree (the
 * conversations), which reads only the heap rows that are hits in these conversations; for a
 * rare word, the GIN index alone; within one conversation, its rows by the btree. Joined with
 * the participants instead, it chose a nested loop per conversation that reads every one of
 * the user's rows from the heap (about 20,000 pages in the benchmark, most not in
 * shared_buffers) to test the vector. Only `found`'s few columns are kept per hit; the page's
 * rows are read in full at the end.
 *
 * The privacy filter stays complete here, whatever `conversationIds` holds: `mine` is an
 * unencrypted conversation the user may see, and only the messages they may see count (the
 * visibility migration's `conversation_viewers` and `message_viewers`); deleted and system
 * messages have no vector (the trigger) and are excluded besides.
 */
export function searchStatement(p: SearchParams): { sql: string; params: unknown[] } {
  const params: unknown[] = [p.userId, p.q, p.limit, p.conversationIds];
  let keyset = '';
  if (p.after) {
    params.push(p.after.rank, p.after.createdUs, p.after.id);
    const n = params.length;
    keyset = `WHERE (hit.rank, hit.created_us, hit.id) < ($${n - 2}::numeric, $${n - 1}::bigint, $${n}::uuid)`;
  }
  const sql = `WITH found AS MATERIALIZED (
         SELECT m.id, m.conversation_id, m.seq,
                round(ts_rank_cd(m.search_vector, search_query($2))::numeric, 6) AS rank,
                (extract(epoch FROM m.created_at) * 1000000)::bigint AS created_us
           FROM messages m
          WHERE m.conversation_id = ANY($4::uuid[])
            AND m.search_vector @@ search_query($2)
            AND m.deleted_at IS NULL AND m.type <> 'system'
       ),
       mine AS MATERIALIZED (
         SELECT v.conversation_id, c.type, c.title
           FROM conversation_viewers v
           JOIN conversations c ON c.id = v.conversation_id
          WHERE v.viewer_id = $1 AND c.encryption = 'none'
            AND v.conversation_id = ANY($4::uuid[])
       ),
       hit AS (
         SELECT found.*, mine.type AS conversation_type, mine.title AS group_title
           FROM found
           JOIN mine ON mine.conversation_id = found.conversation_id
           JOIN message_viewers v ON v.message_id = found.id AND v.viewer_id = $1
       ),
       page AS (
         SELECT * FROM hit ${keyset}
          ORDER BY hit.rank DESC, hit.created_us DESC, hit.id DESC
          LIMIT $3
       )
       SELECT ${COLUMNS}, page.rank, page.created_us,
              CASE WHEN page.conversation_type = 'direct'
                   THEN (SELECT u.display_name
                           FROM conversation_participants o JOIN users u ON u.id = o.user_id
                          WHERE o.conversation_id = page.conversation_id AND o.user_id <> $1
                          LIMIT 1)
                   ELSE page.group_title END AS conversation_title
         FROM page
         JOIN messages m ON m.id = page.id
        ORDER BY page.rank DESC, page.created_us DESC, page.id DESC`;
  return { sql, params };
}

/**
 * Full-text search over the messages a user can see (the statement: searchStatement). The vector
 * and the query are made by the SQL functions of the search migration, so both sides are
 * normalised alike.
 */
@Injectable()
export class SearchRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Planned on every call with its words and conversation ids, like every statement here
   * (database/data-source.ts): with a generic plan, a search within one conversation
   * BitmapAnd-ed the whole GIN posting list of a common word (8–45 ms instead of 0.4 ms).
   */
  async search(p: SearchParams): Promise<SearchHitRow[]> {
    if (p.conversationIds.length === 0) return [];
    const { sql, params } = searchStatement(p);
    return this.sql.rows<SearchHitRow>(sql, params);
  }

  /**
   * The lexemes of a query's words (search_terms: both configurations), and those of each given
   * word made as its message's vector is, in the order given.
   */
  async lexemes(
    terms: string,
    words: LanguageWord[],
  ): Promise<{ query: string[]; words: string[][] }> {
    const [found] = await this.sql.rows<{ query: string[]; words: string[][] }>(
      `SELECT search_terms($1) AS query,
              (SELECT coalesce(json_agg(tsvector_to_array(search_document(w.word, w.language))
                                        ORDER BY w.i), '[]')
                 FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS w(word, language, i)) AS words`,
      [terms, words.map((w) => w.word), words.map((w) => w.language)],
    );
    return found;
  }
}
