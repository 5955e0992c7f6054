import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';

export interface ViewerRow {
  conversation_id: string;
  viewer_id: string;
  visible_after_seq: string;
}

export interface ViewerPosition extends ViewerRow {
  last_version: string;
}

/** Reads the visibility migration's `conversation_viewers`; nothing else here reads members. */
@Injectable()
export class VisibilityRepository {
  constructor(private readonly sql: Sql) {}

  /** The active members of the given conversations, with where their history starts. */
  viewers(conversationIds: readonly string[]): Promise<ViewerRow[]> {
    return this.sql.rows<ViewerRow>(
      `SELECT conversation_id, viewer_id, visible_after_seq
         FROM conversation_viewers WHERE conversation_id = ANY($1::uuid[])
        ORDER BY conversation_id, joined_at, viewer_id`,
      [conversationIds],
      { generic: true },
    );
  }

  /**
   * The viewer's own position in each of the given conversations they are an active member of,
   * with the conversation's current version.
   */
  positions(viewerId: string, conversationIds: readonly string[]): Promise<ViewerPosition[]> {
    return this.sql.rows<ViewerPosition>(
      `SELECT v.conversation_id, v.viewer_id, v.visible_after_seq, c.last_version
         FROM conversation_viewers v JOIN conversations c ON c.id = v.conversation_id
        WHERE v.viewer_id = $1 AND v.conversation_id = ANY($2::uuid[])`,
      [viewerId, conversationIds],
    );
  }

  /** Every conversation the user is an active member of. */
  async conversationIds(viewerId: string): Promise<string[]> {
    const found = await this.sql.rows<{ conversation_id: string }>(
      `SELECT conversation_id FROM conversation_viewers WHERE viewer_id = $1`,
      [viewerId],
    );
    return found.map((r) => r.conversation_id);
  }
}
