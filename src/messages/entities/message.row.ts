/** A `messages` row as the repositories read it (bigint columns arrive as strings). */
export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: string;
  version: string;
  sender_id: string | null;
  client_message_id: string | null;
  type: 'text' | 'file' | 'image' | 'audio' | 'system';
  content: string;
  language: string;
  direction: 'ltr' | 'rtl';
  system_event: SystemEvent | null;
  reply_to_message_id: string | null;
  thread_root_id: string | null;
  reply_count: number;
  moderation: 'clean' | 'masked' | 'flagged';
  edited_at: Date | null;
  deleted_at: Date | null;
  created_at: Date;
  /** content is AES-GCM ciphertext under the conversation's data key (at_rest conversations) */
  encrypted: boolean;
}

export type SystemEventKind =
  | 'group_created'
  | 'members_added'
  | 'member_removed'
  | 'member_left'
  | 'title_changed'
  | 'invitation_accepted'
  | 'retention_changed';

/** What a system message records, for clients that render it in their own words. */
export interface SystemEvent {
  kind: SystemEventKind;
  actorId: string;
  userIds?: string[];
  title?: string;
  /** retention_changed: the new retention in days; null: the server default */
  retentionDays?: number | null;
}

/** The caller's membership of a conversation, with what every message rule needs. */
export interface Membership {
  conversation_id: string;
  type: 'direct' | 'group';
  encryption: 'none' | 'at_rest' | 'e2e';
  allow_file_sharing: boolean;
  last_seq: string;
  last_version: string;
  user_id: string;
  role: 'admin' | 'member';
  status: 'active';
  visible_after_seq: string;
  /** a direct conversation whose two members are separated by a block (either way) */
  blocked: boolean;
  /** the message this member already sent under the asked clientMessageId, if any */
  earlier_id: string | null;
}
