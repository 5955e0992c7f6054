import { FcmSubscriptionRow } from '../entities/notification.row';
import { NotificationWithActor } from '../notifications.repository';

/** How long FCM keeps a message for a device that is off, as for Web Push. */
const TTL_SECONDS = 24 * 60 * 60;

/** The `message` of an FCM HTTP v1 `messages:send` request. */
export interface FcmMessage {
  token: string;
  notification: { title: string; body?: string };
  /** FCM data values are strings; an id that is null is left out */
  data: Record<string, string>;
  android: { priority: 'high'; ttl: string; collapse_key?: string };
  apns: { headers: Record<string, string> };
  webpush: { headers: Record<string, string> };
}

/**
 * The FCM message for a notification: title and body as Web Push shows them (no body when
 * there is none, as for `e2e` conversations), data `{type, conversationId, messageId}`, high
 * priority, and one collapse key per conversation, so that a device that was off gets the
 * latest notification of each conversation rather than every one.
 */
export function fcmMessage(subscription: FcmSubscriptionRow, n: NotificationWithActor): FcmMessage {
  const data: Record<string, string> = { type: n.type };
  if (n.conversation_id) data.conversationId = n.conversation_id;
  if (n.message_id) data.messageId = n.message_id;
  const collapse = n.conversation_id;
  const apns: Record<string, string> = {
    'apns-priority': '10',
    'apns-push-type': 'alert',
    // A day after the notification, however late a retry sends it.
    'apns-expiration': String(Math.floor(n.created_at.getTime() / 1000) + TTL_SECONDS),
  };
  const webpush: Record<string, string> = { Urgency: 'high', TTL: String(TTL_SECONDS) };
  if (collapse) {
    apns['apns-collapse-id'] = collapse;
    // A Web Push topic is at most 32 URL-safe characters: the id's hex digits.
    webpush.Topic = collapse.replace(/-/g, '');
  }
  return {
    token: subscription.token,
    notification: n.body ? { title: n.title, body: n.body } : { title: n.title },
    data,
    android: {
      priority: 'high',
      ttl: `${TTL_SECONDS}s`,
      ...(collapse ? { collapse_key: collapse } : {}),
    },
    apns: { headers: apns },
    webpush: { headers: webpush },
  };
}
