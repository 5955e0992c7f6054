import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';
import { NewNotification, NotificationRow, RecipientState } from './entities/notification.row';

const COLUMNS = `n.id, n.user_id, n.type, n.conversation_id, n.message_id, n.actor_id, n.title,
  n.body, n.read_at, n.created_at, (extract(epoch FROM n.created_at) * 1000000)::bigint AS created_us`;

/** Muted right now: `muted` with no end, or an end still in the future. */
const MUTED_NOW = `COALESCE(p.muted AND (p.muted_until IS NULL OR p.muted_until > now()), false)`;

/** A position in the list: created_at in microseconds since the epoch, and id. */
export interface NotificationPosition {
  createdUs: string;
  id: string;
}

/** The message a notification is about, with what its recipients are told. */
export interface MessageContext {
  message_id: string;
  conversation_id: string;
  conversation_type: 'direct' | 'group';
  conversation_title: string | null;
  encryption: 'none' | 'at_rest' | 'e2e';
  message_type: 'text' | 'file' | 'image' | 'audio' | 'system';
  content: string;
  sender_name: string | null;
}

/** A participant who may be told about a message, with their mute state now. */
export interface MessageRecipient {
  user_id: string;
  display_name: string;
  locale: 'en' | 'ar';
  muted: boolean;
}

export type MessageDelivery = MessageContext &
  MessageRecipient & {
    /** allows push and has a subscription: only then is a push job worth queueing */
    may_push: boolean | null;
  };

export interface InviteContext {
  conversation_title: string | null;
  inviter_name: string | null;
  locale: 'en' | 'ar';
  muted: boolean;
}

export type NotificationWithActor = NotificationRow & { actor_name: string | null };

@Injectable()
export class NotificationsRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * For each live message of the list, everyone but the sender who may see it
   * (`message_viewers`), with the message's context: one query for a whole batch.
   */
  messageDeliveries(messageIds: string[]): Promise<MessageDelivery[]> {
    return this.sql.rows<MessageDelivery>(
      `SELECT m.id AS message_id, c.id AS conversation_id, c.type AS conversation_type,
              c.title AS conversation_title, c.encryption, m.type AS message_type, m.content,
              s.display_name AS sender_name,
              p.user_id, u.display_name, u.locale, ${MUTED_NOW} AS muted,
              (ms.push_notifications AND EXISTS (
                 SELECT 1 FROM push_subscriptions ps WHERE ps.user_id = p.user_id)) AS may_push
         FROM messages m
         JOIN conversations c ON c.id = m.conversation_id
         LEFT JOIN users s ON s.id = m.sender_id
         JOIN message_viewers v ON v.message_id = m.id AND v.viewer_id <> m.sender_id
         -- the recipient's own mute state
         JOIN conversation_participants p
           ON p.conversation_id = v.conversation_id AND p.user_id = v.viewer_id
         JOIN users u ON u.id = p.user_id
         LEFT JOIN user_message_settings ms ON ms.user_id = p.user_id
        WHERE m.id = ANY($1::uuid[]) AND m.deleted_at IS NULL`,
      [messageIds],
      { generic: true },
    );
  }

  /** The invitation of a participant, while it is still pending. */
  inviteContext(
    conversationId: string,
    userId: string,
    invitedBy: string,
  ): Promise<InviteContext | null> {
    return this.sql.row<InviteContext>(
      `SELECT c.title AS conversation_title, i.display_name AS inviter_name, u.locale,
              ${MUTED_NOW} AS muted
         FROM conversation_participants p
         JOIN conversations c ON c.id = p.conversation_id
         JOIN users u ON u.id = p.user_id
         LEFT JOIN users i ON i.id = $3
        WHERE p.conversation_id = $1 AND p.user_id = $2 AND p.status = 'invited'`,
      [conversationId, userId, invitedBy],
    );
  }

  /**
   * The message notifications already stored for these (message, user) pairs: what a repeated
   * `message.created` finds (the first dispatch may have stored them and died before queueing
   * their email and push).
   */
  existingForMessages(pairs: { messageId: string; userId: string }[]): Promise<NotificationRow[]> {
    if (pairs.length === 0) return Promise.resolve([]);
    return this.sql.rows<NotificationRow>(
      `SELECT ${COLUMNS}
         FROM unnest($1::uuid[], $2::uuid[]) AS k(message_id, user_id)
         JOIN notifications n ON n.message_id = k.message_id AND n.user_id = k.user_id`,
      [pairs.map((p) => p.messageId), pairs.map((p) => p.userId)],
    );
  }

  /** Stores notifications in one statement; a message never notifies a user twice. */
  async insert(list: NewNotification[]): Promise<NotificationRow[]> {
    if (list.length === 0) return [];
    return this.sql.rows<NotificationRow>(
      `INSERT INTO notifications AS n
              (user_id, type, conversation_id, message_id, actor_id, title, body, read_at, email_status,
               event_id)
       SELECT x.user_id, x.type, x.conversation_id, x.message_id, x.actor_id, x.title, x.body,
              CASE WHEN x.is_read THEN now() END,
              CASE WHEN x.email_pending THEN 'pending' ELSE 'none' END, x.event_id
         FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[],
                     $7::text[], $8::boolean[], $9::boolean[], $10::uuid[])
              AS x(user_id, type, conversation_id, message_id, actor_id, title, body, is_read,
                   email_pending, event_id)
       -- a repeated event (the outbox delivers at least once) makes nothing new: by message, or
       -- by event for notifications that have no message
       ON CONFLICT DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        list.map((n) => n.userId),
        list.map((n) => n.type),
        list.map((n) => n.conversationId),
        list.map((n) => n.messageId),
        list.map((n) => n.actorId),
        list.map((n) => n.title),
        list.map((n) => n.body),
        list.map((n) => n.read),
        list.map((n) => n.emailPending),
        list.map((n) => n.eventId ?? null),
      ],
      { prepared: true },
    );
  }

  /** Newest first; the position is exact to the microsecond, so no page skips or repeats. */
  list(
    userId: string,
    unreadOnly: boolean,
    after: NotificationPosition | null,
    limit: number,
  ): Promise<NotificationRow[]> {
    const params: unknown[] = [userId, limit];
    let keyset = '';
    if (after) {
      params.push(after.createdUs, after.id);
      keyset = `AND (n.created_at, n.id) <
                    (timestamptz 'epoch' + $3::bigint * interval '1 microsecond', $4::uuid)`;
    }
    return this.sql.rows<NotificationRow>(
      `SELECT ${COLUMNS} FROM notifications n
        WHERE n.user_id = $1 ${unreadOnly ? 'AND n.read_at IS NULL' : ''} ${keyset}
        ORDER BY n.created_at DESC, n.id DESC
        LIMIT $2`,
      params,
    );
  }

  async unreadCount(userId: string): Promise<number> {
    const found = await this.sql.row<{ count: string }>(
      `SELECT count(*) AS count FROM notifications WHERE user_id = $1 AND read_at IS NULL`,
      [userId],
    );
    return Number(found?.count ?? 0);
  }

  /** False when the user has no such notification. Reading twice is fine. */
  async markRead(userId: string, id: string): Promise<boolean> {
    const updated = await this.sql.rows<{ id: string }>(
      `UPDATE notifications SET read_at = COALESCE(read_at, now())
        WHERE id = $1 AND user_id = $2
        RETURNING id`,
      [id, userId],
    );
    return updated.length > 0;
  }

  async markAllRead(userId: string): Promise<void> {
    await this.sql.run(
      `UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL`,
      [userId],
    );
  }

  findById(id: string): Promise<NotificationWithActor | null> {
    return this.sql.row<NotificationWithActor>(
      `SELECT ${COLUMNS}, a.display_name AS actor_name
         FROM notifications n LEFT JOIN users a ON a.id = n.actor_id
        WHERE n.id = $1`,
      [id],
    );
  }

  /** The recipient's settings, membership and mute state as they are now. */
  recipientState(userId: string, conversationId: string | null): Promise<RecipientState | null> {
    return this.sql.row<RecipientState>(
      `SELECT u.id AS user_id, u.email, u.display_name, u.locale,
              u.suspended_at IS NOT NULL AS suspended,
              s.email_notifications, s.push_notifications,
              p.status AS participant_status, ${MUTED_NOW} AS muted,
              c.type AS conversation_type, c.title AS conversation_title,
              (SELECT o.display_name
                 FROM conversation_participants op JOIN users o ON o.id = op.user_id
                WHERE op.conversation_id = c.id AND op.user_id <> u.id
                ORDER BY op.invited_at, op.user_id
                LIMIT 1) AS peer_name
         FROM users u
         JOIN user_message_settings s ON s.user_id = u.id
         LEFT JOIN conversations c ON c.id = $2::uuid
         LEFT JOIN conversation_participants p ON p.conversation_id = c.id AND p.user_id = u.id
        WHERE u.id = $1`,
      [userId, conversationId],
    );
  }

  /**
   * Takes the pending email notifications of one user and conversation for one batch, and
   * returns every one the batch holds (a retry gets back what it took before), oldest first.
   */
  async claimEmailBatch(
    userId: string,
    conversationId: string,
    batch: string,
  ): Promise<NotificationWithActor[]> {
    await this.sql.run(
      `UPDATE notifications SET email_batch = $3
        WHERE user_id = $1 AND conversation_id = $2 AND email_status = 'pending'
          AND email_batch IS NULL`,
      [userId, conversationId, batch],
    );
    return this.sql.rows<NotificationWithActor>(
      `SELECT ${COLUMNS}, a.display_name AS actor_name
         FROM notifications n LEFT JOIN users a ON a.id = n.actor_id
        WHERE n.user_id = $1 AND n.conversation_id = $2 AND n.email_status = 'pending'
          AND n.email_batch = $3
        ORDER BY n.created_at, n.id`,
      [userId, conversationId, batch],
    );
  }

  async finishEmailBatch(
    userId: string,
    conversationId: string,
    batch: string,
    status: 'sent' | 'skipped',
  ): Promise<void> {
    await this.sql.run(
      `UPDATE notifications SET email_status = $4
        WHERE user_id = $1 AND conversation_id = $2 AND email_status = 'pending'
          AND email_batch = $3`,
      [userId, conversationId, batch, status],
    );
  }
}
