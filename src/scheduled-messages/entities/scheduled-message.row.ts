export const SCHEDULED_STATUSES = ['scheduled', 'sent', 'failed', 'canceled'] as const;
export type ScheduledStatus = (typeof SCHEDULED_STATUSES)[number];

/** A `scheduled_messages` row. */
export interface ScheduledMessageRow {
  id: string;
  author_id: string;
  conversation_id: string;
  content: string;
  reply_to_message_id: string | null;
  attachment_ids: string[];
  language: string | null;
  client_message_id: string | null;
  send_at: Date;
  status: ScheduledStatus;
  message_id: string | null;
  /** the error code of a failed send */
  failure: string | null;
  /** claims so far; a send that keeps failing for no reason of its own gives up */
  attempts: number;
  /** a node is sending it until then (a lease: after a crash, another node takes it) */
  claimed_until: Date | null;
  notified_at: Date | null;
  created_at: Date;
  updated_at: Date;
}
