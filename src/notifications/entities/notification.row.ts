import type { NotificationType } from '../dto/notification.dto';

/** A `notifications` row as the repository reads it. */
export interface NotificationRow {
  id: string;
  user_id: string;
  type: NotificationType;
  conversation_id: string | null;
  message_id: string | null;
  actor_id: string | null;
  title: string;
  body: string;
  read_at: Date | null;
  created_at: Date;
  /** created_at in microseconds since the epoch (bigint, so it arrives as exact text) */
  created_us: string;
}

/** A notification about to be stored. */
export interface NewNotification {
  userId: string;
  type: NotificationType;
  conversationId: string | null;
  messageId: string | null;
  actorId: string | null;
  title: string;
  body: string;
  /** muted: stored already read, and never emailed */
  read: boolean;
  /** waits for the email batch of its conversation */
  emailPending: boolean;
  /** the outbox event it was made for, when not a message's (a repeat of it makes nothing) */
  eventId?: string | null;
}

export type FcmPlatform = 'android' | 'ios' | 'web';

/** A browser's Web Push subscription. */
export interface WebPushSubscriptionRow {
  id: string;
  user_id: string;
  type: 'webpush';
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** An app's FCM registration token. */
export interface FcmSubscriptionRow {
  id: string;
  user_id: string;
  type: 'fcm';
  token: string;
  platform: FcmPlatform;
}

/** A `push_subscriptions` row: the columns of the other type are null. */
export type PushSubscriptionRow = WebPushSubscriptionRow | FcmSubscriptionRow;

/** What a delivery job needs to know about the recipient, read when the job runs. */
export interface RecipientState {
  user_id: string;
  email: string;
  display_name: string;
  locale: 'en' | 'ar';
  suspended: boolean;
  email_notifications: boolean;
  push_notifications: boolean;
  /** null: no longer a participant of the conversation */
  participant_status: 'active' | 'invited' | null;
  /** muted now: muted, and muted_until null or in the future */
  muted: boolean;
  conversation_type: 'direct' | 'group' | null;
  conversation_title: string | null;
  /** the other participant's name, for a direct conversation */
  peer_name: string | null;
}
