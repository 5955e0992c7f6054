import type { MessageDto } from '../../messages/dto/message.dto';

/**
 * What services announce after their transaction commits. Other modules (realtime,
 * notifications, search) react to these instead of being called sideways.
 */

/** Where a change came from, so the socket that caused it can be left out of its fan-out. */
export interface EventOrigin {
  socketId?: string;
}

export interface MessageEvent {
  conversationId: string;
  messageId: string;
  seq: number;
  version: number;
  senderId: string | null;
  origin?: EventOrigin;
  /** the rendered message when it looks the same to every viewer (a new one has no reactions) */
  message?: MessageDto;
}

export interface DomainEvents {
  /** A user's announced presence changed; contacts are told. */
  'presence.changed': {
    userId: string;
    status: 'online' | 'away' | 'offline';
    lastSeenAt: string | null;
  };
  'user.suspended': { userId: string };
  'session.revoked': { userId: string; sessionId: string };
  /** A new message, system messages included. */
  'message.created': MessageEvent & {
    type: 'text' | 'file' | 'image' | 'audio' | 'system';
  };
  /** An edit, a reaction, or a reply count change. */
  'message.updated': MessageEvent;
  'message.deleted': MessageEvent;
  /** Members (invited included) who should learn about a conversation new to them. */
  'conversation.created': { conversationId: string; userIds: string[]; origin?: EventOrigin };
  /** Title, settings, members or roles changed: every member's view changed. */
  'conversation.updated': { conversationId: string; origin?: EventOrigin };
  /** One user's own view changed (archive, mute, read): their other devices follow. */
  'conversation.view_changed': { conversationId: string; userId: string; origin?: EventOrigin };
  /** The user left, was removed, declined, or deleted the conversation for themselves. */
  'conversation.removed': { conversationId: string; userId: string; origin?: EventOrigin };
  'conversation.invited': { conversationId: string; userId: string; invitedBy: string };
  /** A user was added to a group (active, or invited when they must accept first). */
  'conversation.member_added': {
    conversationId: string;
    userId: string;
    addedBy: string;
    status: 'active' | 'invited';
  };
  /** A member left a group, was removed from it, or declined its invitation. */
  'conversation.member_removed': {
    conversationId: string;
    userId: string;
    removedBy: string;
    reason: 'removed' | 'left' | 'declined';
  };
  /** A moderation flag was opened on a message (by the pipeline or a participant's report). */
  'moderation.flagged': {
    flagId: string;
    messageId: string;
    conversationId: string;
    senderId: string | null;
    reasons: string[];
    reporterId: string | null;
  };
  /** A new account registered itself. */
  'user.registered': { userId: string; displayName: string; locale: string };
  receipt: {
    conversationId: string;
    userId: string;
    kind: 'delivered' | 'read';
    upToSeq: number;
    at: string;
    origin?: EventOrigin;
  };
}

export type DomainEventName = keyof DomainEvents;

/**
 * Changes others must hear of, whatever happens to this process: written to the outbox in the
 * transaction of the change (DomainEventBus.publish). Their listeners may see one twice and
 * ignore the repeat (`eventId`).
 */
export type DurableEventName =
  | 'message.created'
  | 'message.updated'
  | 'message.deleted'
  | 'conversation.created'
  | 'conversation.updated'
  | 'conversation.removed'
  | 'conversation.invited'
  | 'conversation.member_added'
  | 'conversation.member_removed'
  | 'moderation.flagged'
  | 'user.registered';

/** Everything else: announced to this node's listeners at once, lost with the process. */
export type EphemeralEventName = Exclude<DomainEventName, DurableEventName>;

/** What a durable event's listeners get: the event, and its outbox id. */
export type Dispatched<E extends DurableEventName> = DomainEvents[E] & { eventId: string };

/**
 * What the outbox keeps of an event: ids and numbers only. The rendered message (which holds
 * the plaintext of an at_rest conversation) and the recipients known at the commit stay in
 * memory: a listener given the stored event reads them again.
 */
export function storedPayload<E extends DurableEventName>(
  name: E,
  payload: DomainEvents[E],
): object {
  if (name === 'message.created' || name === 'message.updated' || name === 'message.deleted') {
    const { message: _message, ...stored } = payload as DomainEvents['message.created'];
    return stored;
  }
  return payload;
}
