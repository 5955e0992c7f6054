import type { DurableEventName } from '../common/events/domain-events';

/** The event types a webhook can subscribe to (API.md, Webhooks). */
export const WEBHOOK_EVENT_TYPES = [
  'message.created',
  'message.updated',
  'message.deleted',
  'conversation.created',
  'conversation.updated',
  'conversation.member_added',
  'conversation.member_removed',
  'moderation.flagged',
  'user.registered',
  'webhook.test',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The durable domain events that become webhook events, under the same name. */
export type ForwardedEvent = Extract<WebhookEventType, DurableEventName>;

export const isMessageEvent = (
  type: WebhookEventType,
): type is 'message.created' | 'message.updated' | 'message.deleted' =>
  type === 'message.created' || type === 'message.updated' || type === 'message.deleted';
