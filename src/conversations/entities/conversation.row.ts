export type ConversationType = 'direct' | 'group';
export type Encryption = 'none' | 'at_rest' | 'e2e';

/** A `conversations` row (bigint columns arrive as strings). */
export interface ConversationRow {
  id: string;
  type: ConversationType;
  title: string | null;
  context_id: string | null;
  encryption: Encryption;
  allow_file_sharing: boolean;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  last_seq: string;
  last_version: string;
  last_activity: string;
  /** null: the server default (MESSAGE_RETENTION_DAYS) */
  retention_days: number | null;
}

/** A `conversation_participants` row with the member's public profile. */
export interface ParticipantRow {
  conversation_id: string;
  user_id: string;
  role: 'admin' | 'member';
  status: 'active' | 'invited';
  invited_at: Date;
  joined_at: Date | null;
  visible_after_seq: string;
  cleared_seq: string | null;
  last_read_seq: string;
  last_delivered_seq: string;
  archived_at: Date | null;
  muted: boolean;
  muted_until: Date | null;
  display_name: string;
  avatar_url: string | null;
}

/** A conversation as one participant sees it: the row plus that participant's own state. */
export type ViewerRow = ConversationRow & {
  viewer: Omit<ParticipantRow, 'display_name' | 'avatar_url'>;
};
