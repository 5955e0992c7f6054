import { RecipientState } from '../entities/notification.row';

export type Channel = 'email' | 'push';

/**
 * Whether the recipient, as they are now, may get a notification by email or push: their
 * setting allows the channel, they are still in the conversation and have not muted it.
 * (Whether they are online is asked separately: it lives in presence, not in the database.)
 */
export function channelAllowed(state: RecipientState | null, channel: Channel): boolean {
  if (!state || state.suspended) return false;
  const wanted = channel === 'email' ? state.email_notifications : state.push_notifications;
  if (!wanted) return false;
  if (state.conversation_type !== null && state.participant_status === null) return false;
  return !state.muted;
}
