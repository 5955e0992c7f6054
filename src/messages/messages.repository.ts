import { Injectable } from '@nestjs/common';
import { perTurnLoader } from '../database/per-turn-loader';
import { OUTBOX_LEASE_SECONDS } from '../common/events/outbox-lease';
import { Sql } from '../database/sql';
import { Membership, MessageRow, SystemEvent } from './entities/message.row';

export interface NewMessage {
  conversationId: string;
  senderId: string | null;
  clientMessageId: string | null;
  type: MessageRow['type'];
  content: string;
  language: string;
  direction: MessageRow['direction'];
  systemEvent: SystemEvent | null;
  replyToMessageId: string | null;
  threadRootId: string | null;
  moderation: MessageRow['moderation'];
  /** the text before masking, kept for reviewers only */
  maskedOriginal?: string | null;
  /** content and maskedOriginal are ciphertext */
  encrypted?: boolean;
  /** who has it read at once: its sender, or for a system message the member who acted */
  readerId?: string | null;
}

interface MembershipKey {
  conversationId: string;
  userId: string;
  clientMessageId: string | null;
}

/** A new message with its sender's public profile, read in the statement that wrote it. */
export interface SentMessage extends MessageRow {
  sender_display_name: string | null;
  sender_avatar_url: string | null;
  sender_locale: string | null;
  sender_verification_status: string | null;
}

/** A message written by a group commit, with the outbox row of its `message.created`. */
export interface AppendedMessage extends SentMessage {
  outbox_id: string;
  outbox_event_id: string;
}

/** The sender's public profile beside a new message (`m`); users joined as `u`. */
const SENDER = `u.display_name AS sender_display_name, u.avatar_url AS sender_avatar_url,
  u.locale AS sender_locale, u.verification_status AS sender_verification_status`;

const COLUMNS = `id, conversation_id, seq, version, sender_id, client_message_id, type, content, language,
  direction, system_event, reply_to_message_id, thread_root_id, reply_count, moderation, edited_at,
  deleted_at, created_at, encrypted`;
/** COLUMNS of `messages m`, for statements that join other tables. */
const M_COLUMNS = COLUMNS.split(',')
  .map((c) => `m.${c.trim()}`)
  .join(', ');
/** Messages with their senders' public profiles (SENDER), for rendering without a lookup. */
const WITH_SENDERS = `SELECT ${M_COLUMNS}, ${SENDER}
  FROM messages m LEFT JOIN users u ON u.id = m.sender_id`;

/**
 * The message log of each conversation, with the conversation's counters: `seq` and `version`
 * are taken by one UPDATE of the conversation row, so writers of one conversation serialise
 * there, a rollback gives the numbers back, and seq has no gaps.
 */
@Injectable()
export class MessagesRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Membership reads of one turn of the event loop go to the database as one query: under load
   * most requests start with one, and they are independent of each other.
   */
  private readonly memberships = perTurnLoader<MembershipKey, Membership>((keys) =>
    this.membershipsIn(keys),
  );

  /**
   * The user's membership with everything a message rule needs, in one round trip: whether a
   * block stands between the two members of a direct conversation, and the message this user
   * already sent under `clientMessageId` (a retry). Inside a transaction, read there, alone.
   */
  membership(
    conversationId: string,
    userId: string,
    clientMessageId: string | null = null,
  ): Promise<Membership | null> {
    const key = { conversationId, userId, clientMessageId };
    return this.sql.inTransaction
      ? this.membershipsIn([key]).then(([m]) => m)
      : this.memberships.load(key);
  }

  private async membershipsIn(keys: readonly MembershipKey[]): Promise<(Membership | null)[]> {
    const found = await this.sql.rows<Membership & { ord: string }>(
      `SELECT k.ord, c.id AS conversation_id, c.type, c.encryption, c.allow_file_sharing, c.last_seq,
              c.last_version, v.viewer_id AS user_id, v.role, 'active' AS status, v.visible_after_seq,
              d.blocked,
              (SELECT e.id FROM messages e
                WHERE e.conversation_id = c.id AND e.sender_id = v.viewer_id
                  AND e.client_message_id = k.client_message_id) AS earlier_id
         FROM unnest($1::uuid[], $2::uuid[], $3::text[])
              WITH ORDINALITY AS k(conversation_id, user_id, client_message_id, ord)
         JOIN conversation_viewers v
           ON v.conversation_id = k.conversation_id AND v.viewer_id = k.user_id
         JOIN conversations c ON c.id = v.conversation_id
         CROSS JOIN LATERAL direct_block(c.id, v.viewer_id) d`,
      [
        keys.map((k) => k.conversationId),
        keys.map((k) => k.userId),
        keys.map((k) => k.clientMessageId),
      ],
      { generic: true },
    );
    const byOrd = new Map(found.map(({ ord, ...m }) => [Number(ord), m]));
    return keys.map((_, i) => byOrd.get(i + 1) ?? null);
  }

  /** Takes the next version for a change that is not a new message. */
  async nextVersion(conversationId: string): Promise<string> {
    const [next] = await this.sql.rows<{ version: string }>(
      `UPDATE conversations SET last_version = last_version + 1 WHERE id = $1 RETURNING last_version AS version`,
      [conversationId],
    );
    return next.version;
  }

  /**
   * Group commit: appends the messages of several users (system messages too), to any
   * conversations, in ONE statement, the only way messages are written, to any conversations, in ONE statement:
   * one counter update per conversation takes its seqs and versions (in arrival order within
   * it), one insert writes every message, each reader's (its sender's, or for a system message
   * the actor's) read and delivered marks move, each
   * message's `message.created` event goes to the outbox (leased to this node, which
   * dispatches it after the commit: DomainEventBus.committed), and each message comes back,
   * in input order, with its sender's public profile and its outbox row. Atomic: if anything
   * fails, nothing is kept and no seq is taken. Counter rows are updated in id order, so
   * batches of two nodes lock in the same order.
   *
   * Each conversation carries the positions of its sends, the insert reads every other value
   * from the input arrays at those positions, and the rows are put back in input order here,
   * by conversation and seq.
   */
  async appendMany(sends: NewMessage[]): Promise<AppendedMessage[]> {
    const appended = await this.sql.rows<AppendedMessage>(
      `WITH x AS (
         SELECT conversation_id, array_agg(ord::int ORDER BY ord) AS ords
           FROM unnest($1::uuid[]) WITH ORDINALITY AS u(conversation_id, ord)
          GROUP BY conversation_id
          ORDER BY conversation_id
       ), c AS (
         UPDATE conversations s
            SET last_seq = s.last_seq + cardinality(x.ords),
                last_version = s.last_version + cardinality(x.ords),
                last_message_at = now(), last_activity = nextval('conversation_activity_seq')
           FROM x
          WHERE s.id = x.conversation_id
          RETURNING s.id, x.ords, s.last_seq - cardinality(x.ords) AS seq0,
                    s.last_version - cardinality(x.ords) AS version0
       ), m AS (
         INSERT INTO messages (conversation_id, seq, version, sender_id, client_message_id, type, content,
                               language, direction, system_event, reply_to_message_id, thread_root_id,
                               moderation, masked_original, encrypted)
         SELECT c.id, c.seq0 + o.k, c.version0 + o.k, ($2::uuid[])[o.ord], ($3::text[])[o.ord],
                ($4::text[])[o.ord], ($5::text[])[o.ord], ($6::text[])[o.ord], ($7::text[])[o.ord],
                ($8::jsonb[])[o.ord], ($9::uuid[])[o.ord], ($10::uuid[])[o.ord], ($11::text[])[o.ord],
                ($12::text[])[o.ord], ($13::boolean[])[o.ord]
           FROM c CROSS JOIN LATERAL unnest(c.ords) WITH ORDINALITY AS o(ord, k)
         RETURNING ${COLUMNS}
       ), r AS (
         UPDATE conversation_participants p
            SET last_read_seq = GREATEST(p.last_read_seq, x.seq),
                last_delivered_seq = GREATEST(p.last_delivered_seq, x.seq)
           FROM (SELECT c.id AS conversation_id, ($15::uuid[])[o.ord] AS reader_id,
                        max(c.seq0 + o.k) AS seq
                   FROM c CROSS JOIN LATERAL unnest(c.ords) WITH ORDINALITY AS o(ord, k)
                  GROUP BY 1, 2) x
          WHERE p.conversation_id = x.conversation_id AND p.user_id = x.reader_id
       ), o AS (
         INSERT INTO outbox (name, payload, claimed_until)
         SELECT 'message.created',
                jsonb_build_object('conversationId', m.conversation_id, 'messageId', m.id,
                                   'seq', m.seq, 'version', m.version, 'senderId', m.sender_id,
                                   'type', m.type),
                now() + make_interval(secs => $14)
           FROM m
         RETURNING id, event_id, (payload->>'messageId')::uuid AS message_id
       )
       SELECT m.*, o.id AS outbox_id, o.event_id AS outbox_event_id, ${SENDER}
         FROM m JOIN o ON o.message_id = m.id LEFT JOIN users u ON u.id = m.sender_id`,
      [
        sends.map((m) => m.conversationId),
        sends.map((m) => m.senderId),
        sends.map((m) => m.clientMessageId),
        sends.map((m) => m.type),
        sends.map((m) => m.content),
        sends.map((m) => m.language),
        sends.map((m) => m.direction),
        sends.map((m) => (m.systemEvent ? JSON.stringify(m.systemEvent) : null)),
        sends.map((m) => m.replyToMessageId),
        sends.map((m) => m.threadRootId),
        sends.map((m) => m.moderation),
        sends.map((m) => m.maskedOriginal ?? null),
        sends.map((m) => m.encrypted ?? false),
        OUTBOX_LEASE_SECONDS,
        sends.map((m) => (m.readerId === undefined ? m.senderId : m.readerId)),
      ],
      { generic: true },
    );
    return inInputOrder(sends, appended);
  }

  /** The conversation a message belongs to (for moderators, who are not participants). */
  async conversationOf(messageId: string): Promise<string | null> {
    const found = await this.sql.row<{ conversation_id: string }>(
      `SELECT conversation_id FROM messages WHERE id = $1`,
      [messageId],
    );
    return found?.conversation_id ?? null;
  }

  findByClientId(
    conversationId: string,
    senderId: string,
    clientMessageId: string,
  ): Promise<MessageRow | null> {
    return this.sql.row<MessageRow>(
      `SELECT ${COLUMNS} FROM messages WHERE conversation_id = $1 AND sender_id = $2 AND client_message_id = $3`,
      [conversationId, senderId, clientMessageId],
    );
  }

  findById(conversationId: string, messageId: string): Promise<MessageRow | null> {
    return this.sql.row<MessageRow>(
      `SELECT ${COLUMNS} FROM messages WHERE id = $1 AND conversation_id = $2`,
      [messageId, conversationId],
    );
  }

  /** A message with its conversation's encryption, for integrations (not a viewer's read). */
  findWithEncryption(
    conversationId: string,
    messageId: string,
  ): Promise<(MessageRow & { encryption: 'none' | 'at_rest' | 'e2e' }) | null> {
    return this.sql.row(
      `SELECT ${M_COLUMNS}, c.encryption
         FROM messages m JOIN conversations c ON c.id = m.conversation_id
        WHERE m.id = $1 AND m.conversation_id = $2`,
      [messageId, conversationId],
    );
  }

  /** Newest first below `beforeSeq`, never at or below `visibleAfterSeq`. */
  /**
   * A history page as `viewerId` may see it: newest first below `beforeSeq` (or from the
   * newest), or oldest first above `afterSeq`, never at or below their visible_after_seq. The
   * viewer's membership is read inside the statement, so a caller can check it alongside
   * instead of before; someone who is not an active member gets no rows.
   */
  history(
    conversationId: string,
    viewerId: string,
    page: { beforeSeq: string | null } | { afterSeq: string },
    limit: number,
  ): Promise<SentMessage[]> {
    // the visibility migration's rule; NULL (no rows) for anyone but an active member
    const floor = `visible_after($2, $1)`;
    // separate texts rather than `$3 IS NULL OR seq < $3`, which a generic plan could not use
    // as an index bound
    if ('afterSeq' in page) {
      return this.sql.rows<SentMessage>(
        `${WITH_SENDERS}
          WHERE m.conversation_id = $1 AND m.seq > ${floor} AND m.seq > $3
          ORDER BY m.seq LIMIT $4`,
        [conversationId, viewerId, page.afterSeq, limit],
      );
    }
    return page.beforeSeq === null
      ? this.sql.rows<SentMessage>(
          `${WITH_SENDERS}
            WHERE m.conversation_id = $1 AND m.seq > ${floor}
            ORDER BY m.seq DESC LIMIT $3`,
          [conversationId, viewerId, limit],
        )
      : this.sql.rows<SentMessage>(
          `${WITH_SENDERS}
            WHERE m.conversation_id = $1 AND m.seq > ${floor} AND m.seq < $3
            ORDER BY m.seq DESC LIMIT $4`,
          [conversationId, viewerId, page.beforeSeq, limit],
        );
  }

  /** The thread under a root, oldest first. */
  /** The thread under a root that `viewerId` may see, oldest first, above `afterSeq`. */
  replies(
    conversationId: string,
    rootId: string,
    viewerId: string,
    afterSeq: string,
    limit: number,
  ): Promise<SentMessage[]> {
    return this.sql.rows<SentMessage>(
      `${WITH_SENDERS}
        WHERE m.thread_root_id = $1 AND m.conversation_id = $2
          AND m.seq > $3 AND m.seq > visible_after($4, $2)
        ORDER BY m.seq LIMIT $5`,
      [rootId, conversationId, afterSeq, viewerId, limit],
    );
  }

  /** Every message that `viewerId` may see changed after `sinceVersion`, by version. */
  changes(
    conversationId: string,
    viewerId: string,
    sinceVersion: string,
    limit: number,
  ): Promise<SentMessage[]> {
    return this.sql.rows<SentMessage>(
      `${WITH_SENDERS}
        WHERE m.conversation_id = $1 AND m.version > $2 AND m.seq > visible_after($3, $1)
        ORDER BY m.version LIMIT $4`,
      [conversationId, sinceVersion, viewerId, limit],
    );
  }

  /**
   * `changes` for many conversations in one statement: per conversation, at most `limit`
   * messages changed after its version, by version (a reconnecting client's `sync`).
   */
  async changesOf(
    viewerId: string,
    since: { conversationId: string; sinceVersion: string }[],
    limit: number,
  ): Promise<SentMessage[]> {
    if (since.length === 0) return [];
    return this.sql.rows<SentMessage>(
      `SELECT m.*, ${SENDER}
         FROM unnest($1::uuid[], $2::bigint[]) AS k(conversation_id, version)
        CROSS JOIN LATERAL (
              SELECT ${COLUMNS} FROM messages x
               WHERE x.conversation_id = k.conversation_id AND x.version > k.version
                 AND x.seq > visible_after($3, k.conversation_id)
               ORDER BY x.version LIMIT $4) m
         LEFT JOIN users u ON u.id = m.sender_id
        ORDER BY m.conversation_id, m.version`,
      [since.map((s) => s.conversationId), since.map((s) => s.sinceVersion), viewerId, limit],
    );
  }

  /**
   * The messages at the given (conversation, seq) positions, with their senders (SENDER).
   * Each is read as "the newest at or below seq" (the same message: seqs have no gaps and
   * messages are never removed), which only the (conversation_id, seq) key can answer in one
   * index step; an equality on seq left the planner free to walk the conversation's whole
   * range of the version index instead, which it did whenever conversations looked small on
   * average, and a long conversation then cost one index entry per message.
   */
  async atSeqs(positions: { conversationId: string; seq: string }[]): Promise<SentMessage[]> {
    if (positions.length === 0) return [];
    return this.sql.rows<SentMessage>(
      `SELECT ${M_COLUMNS}, ${SENDER}
         FROM unnest($1::uuid[], $2::bigint[]) AS k(conversation_id, seq)
        CROSS JOIN LATERAL (
              SELECT ${COLUMNS} FROM messages x
               WHERE x.conversation_id = k.conversation_id AND x.seq <= k.seq
               ORDER BY x.seq DESC LIMIT 1) m
         LEFT JOIN users u ON u.id = m.sender_id
        WHERE m.seq = k.seq`,
      [positions.map((p) => p.conversationId), positions.map((p) => p.seq)],
    );
  }

  async updateContent(
    messageId: string,
    values: {
      content: string;
      language: string;
      direction: string;
      moderation: string;
      maskedOriginal: string | null;
      encrypted: boolean;
      version: string;
    },
  ): Promise<MessageRow | null> {
    return this.sql.row<MessageRow>(
      `UPDATE messages
          SET content = $2, language = $3, direction = $4, moderation = $5, masked_original = $6, version = $7,
              encrypted = $8, edited_at = now()
        WHERE id = $1 AND deleted_at IS NULL RETURNING ${COLUMNS}`,
      [
        messageId,
        values.content,
        values.language,
        values.direction,
        values.moderation,
        values.maskedOriginal,
        values.version,
        values.encrypted,
      ],
    );
  }

  /** Turns a message into a tombstone: no content, no reactions. */
  async tombstone(messageId: string, version: string): Promise<MessageRow> {
    await this.sql.run(`DELETE FROM message_reactions WHERE message_id = $1`, [messageId]);
    const [updated] = await this.sql.rows<MessageRow>(
      `UPDATE messages SET content = '', masked_original = NULL, encrypted = false, deleted_at = now(), version = $2
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [messageId, version],
    );
    return updated;
  }

  async setVersion(messageId: string, version: string): Promise<void> {
    await this.sql.run(`UPDATE messages SET version = $2 WHERE id = $1`, [messageId, version]);
  }

  async addReplyCount(rootId: string, delta: 1 | -1, version: string): Promise<void> {
    await this.sql.run(
      `UPDATE messages SET reply_count = reply_count + $2, version = $3 WHERE id = $1`,
      [rootId, delta, version],
    );
  }

  async displayNames(userIds: string[]): Promise<Map<string, string>> {
    const found = await this.sql.rows<{ id: string; display_name: string }>(
      `SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])`,
      [userIds],
    );
    return new Map(found.map((u) => [u.id, u.display_name]));
  }
}

/**
 * appendMany's rows in the order of its sends: within a conversation, sends took seqs in
 * input order. A send whose conversation took no seq (it no longer exists) fails the batch.
 */
function inInputOrder(sends: NewMessage[], appended: AppendedMessage[]): AppendedMessage[] {
  const byConversation = new Map<string, AppendedMessage[]>();
  for (const m of appended) {
    const list = byConversation.get(m.conversation_id);
    if (list) list.push(m);
    else byConversation.set(m.conversation_id, [m]);
  }
  for (const list of byConversation.values()) list.sort((a, b) => Number(a.seq) - Number(b.seq));
  const next = new Map<string, number>();
  return sends.map((send) => {
    // the database writes uuids in lower case, whatever the client sent
    const conversationId = send.conversationId.toLowerCase();
    const i = next.get(conversationId) ?? 0;
    const message = byConversation.get(conversationId)?.[i];
    if (!message) throw new Error(`conversation ${conversationId} took no seq`);
    next.set(conversationId, i + 1);
    return message;
  });
}
