/**
 * What services announce after their transaction commits. Other modules (realtime,
 * notifications, search) react to these instead of being called sideways.
 */
export interface DomainEvents {
  'user.suspended': { userId: string };
  'session.revoked': { userId: string; sessionId: string };
}

export type DomainEventName = keyof DomainEvents;
