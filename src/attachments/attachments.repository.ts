import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';
import { AttachmentRow, NewAttachment } from './entities/attachment.row';

const COLUMNS = `id, uploader_id, kind, filename, mime_type, size, width, height, duration_ms, storage_key, thumbnail_key,
  thumbnail_size, sha256, message_id, position, created_at, deleted_at, sealed_for`;

/** What has to go from storage when an attachment goes. */
export type StoredKeys = Pick<AttachmentRow, 'id' | 'storage_key' | 'thumbnail_key'>;

/**
 * Attachments and who may read them. An attachment belongs to its uploader until one message
 * claims it; it is deleted (`deleted_at`) with its message, and its row removed once its bytes
 * are gone from storage.
 */
@Injectable()
export class AttachmentsRepository {
  constructor(private readonly sql: Sql) {}

  async insert(a: NewAttachment): Promise<AttachmentRow> {
    const [inserted] = await this.sql.rows<AttachmentRow>(
      `INSERT INTO attachments (uploader_id, kind, filename, mime_type, size, width, height, storage_key,
                                thumbnail_key, thumbnail_size, sha256, duration_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       RETURNING ${COLUMNS}`,
      [
        a.uploaderId,
        a.kind,
        a.filename,
        a.mimeType,
        a.size,
        a.width,
        a.height,
        a.storageKey,
        a.thumbnailKey,
        a.thumbnailSize,
        a.sha256,
        a.durationMs,
      ],
    );
    return inserted;
  }

  /**
   * The attachment if `userId` may read it: its uploader, or someone who may see the live
   * message that references it (the visibility migration's `message_viewers`). Null for
   * anyone else.
   */
  findReadable(id: string, userId: string): Promise<AttachmentRow | null> {
    return this.sql.row<AttachmentRow>(
      `SELECT ${COLUMNS} FROM attachments a
        WHERE a.id = $1 AND a.deleted_at IS NULL
          AND (a.uploader_id = $2 OR EXISTS (
                SELECT 1 FROM messages m
                  JOIN message_viewers v ON v.message_id = m.id
                 WHERE m.id = a.message_id AND m.deleted_at IS NULL AND v.viewer_id = $2))`,
      [id, userId],
    );
  }

  async findMany(ids: string[]): Promise<AttachmentRow[]> {
    if (ids.length === 0) return [];
    return this.sql.rows<AttachmentRow>(
      `SELECT ${COLUMNS} FROM attachments WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /**
   * Gives the uploader's unreferenced attachments to a message, in the order given. Returns the
   * ids it claimed: fewer than asked when another send claimed one first (its row lock makes
   * this one wait, then see `message_id` set).
   */
  async claim(messageId: string, uploaderId: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const claimed = await this.sql.rows<{ id: string }>(
      `UPDATE attachments a SET message_id = $1, position = t.ord
         FROM unnest($3::uuid[]) WITH ORDINALITY AS t (id, ord)
        WHERE a.id = t.id AND a.uploader_id = $2 AND a.message_id IS NULL AND a.deleted_at IS NULL
        RETURNING a.id`,
      [messageId, uploaderId, ids],
    );
    return claimed.map((c) => c.id);
  }

  /** The live attachments of messages, each message's in order. */
  async ofMessages(messageIds: string[]): Promise<AttachmentRow[]> {
    if (messageIds.length === 0) return [];
    return this.sql.rows<AttachmentRow>(
      `SELECT ${COLUMNS} FROM attachments
        WHERE message_id = ANY($1::uuid[]) AND deleted_at IS NULL
        ORDER BY message_id, position`,
      [messageIds],
    );
  }

  /** Deletes the attachments of a message that is being deleted (their bytes go after commit). */
  async deleteOfMessage(messageId: string): Promise<void> {
    await this.sql.run(
      `UPDATE attachments SET deleted_at = now() WHERE message_id = $1 AND deleted_at IS NULL`,
      [messageId],
    );
  }

  /**
   * Deletes uploads that no message claimed before `createdBefore`; at most `limit`. An upload
   * that a pending scheduled message will send stays (scheduled_messages_attachments_idx).
   */
  async deleteUnreferenced(createdBefore: Date, limit: number): Promise<number> {
    const deleted = await this.sql.rows<{ id: string }>(
      `UPDATE attachments SET deleted_at = now()
        WHERE id IN (SELECT a.id FROM attachments a
                      WHERE a.message_id IS NULL AND a.deleted_at IS NULL AND a.created_at < $1
                        AND NOT EXISTS (SELECT 1 FROM scheduled_messages s
                                         WHERE s.status = 'scheduled' AND s.attachment_ids @> ARRAY[a.id])
                      LIMIT $2)
        RETURNING id`,
      [createdBefore, limit],
    );
    return deleted.length;
  }

  /**
   * Deletes the attachments of messages that were tombstoned without their attachments (by a
   * path other than `SendMessage`); at most `limit`.
   */
  async deleteOfDeletedMessages(limit: number): Promise<number> {
    const deleted = await this.sql.rows<{ id: string }>(
      `UPDATE attachments SET deleted_at = now()
        WHERE id IN (SELECT a.id FROM attachments a JOIN messages m ON m.id = a.message_id
                      WHERE a.deleted_at IS NULL AND m.deleted_at IS NOT NULL
                      LIMIT $1)
        RETURNING id`,
      [limit],
    );
    return deleted.length;
  }

  /** Deleted attachments whose bytes may still be in storage, oldest first. */
  deleted(limit: number, messageId?: string): Promise<StoredKeys[]> {
    return this.sql.rows<StoredKeys>(
      `SELECT id, storage_key, thumbnail_key FROM attachments
        WHERE deleted_at IS NOT NULL AND ($2::uuid IS NULL OR message_id = $2)
        ORDER BY deleted_at LIMIT $1`,
      [limit, messageId ?? null],
    );
  }

  /** Forgets deleted attachments whose bytes are gone. */
  async remove(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.sql.run(
      `DELETE FROM attachments WHERE id = ANY($1::uuid[]) AND deleted_at IS NOT NULL`,
      [ids],
    );
  }

  /** Attachments of a message still stored as uploaded. */
  unsealedOf(messageId: string): Promise<AttachmentRow[]> {
    return this.sql.rows<AttachmentRow>(
      `SELECT ${COLUMNS} FROM attachments WHERE message_id = $1 AND sealed_for IS NULL AND deleted_at IS NULL`,
      [messageId],
    );
  }

  /** Points the row at its sealed copies; false when someone sealed it first. */
  async markSealed(
    id: string,
    conversationId: string,
    keys: { storageKey: string; thumbnailKey: string | null },
  ): Promise<boolean> {
    const updated = await this.sql.rows(
      `UPDATE attachments SET storage_key = $3, thumbnail_key = $4, sealed_for = $2
        WHERE id = $1 AND sealed_for IS NULL RETURNING id`,
      [id, conversationId, keys.storageKey, keys.thumbnailKey],
    );
    return updated.length > 0;
  }

  /** Messages of at_rest conversations with attachments still stored as uploaded (a crash). */
  async unsealedAtRest(limit: number): Promise<{ conversation_id: string; message_id: string }[]> {
    return this.sql.rows(
      `SELECT DISTINCT m.conversation_id, a.message_id
         FROM attachments a
         JOIN messages m ON m.id = a.message_id
         JOIN conversations c ON c.id = m.conversation_id
        WHERE a.sealed_for IS NULL AND a.deleted_at IS NULL AND c.encryption = 'at_rest'
        LIMIT $1`,
      [limit],
    );
  }
}
