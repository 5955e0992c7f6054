import type { components } from './schema';

type Schemas = components['schemas'];
export type User = Schemas['UserDto'];
export type PublicUser = Schemas['PublicUserDto'];
export type Conversation = Schemas['ConversationDto'];
export type Participant = Schemas['ParticipantDto'];
export type Message = Schemas['MessageDto'];
/** audio is a kind the service may add (voice messages); the client plays it */
export type Attachment = Omit<Schemas['AttachmentDto'], 'kind'> & {
  kind: Schemas['AttachmentDto']['kind'] | 'audio';
  durationMs?: number;
};
export type Notification = Schemas['NotificationDto'];
export type SearchHit = Schemas['SearchHitDto'];
export type MessageSettings = Schemas['MessageSettingsDto'];
export type Presence = Schemas['PresenceDto'];
export type ErrorBody = Schemas['ErrorBody'];
export type SyncResult = Schemas['SyncResultDto'];
export type TypingEvent = Schemas['TypingEventDto'];
export type ReceiptEvent = Schemas['ReceiptEventDto'];
export type MessageEvent = Schemas['MessageEventDto'];
export type MessageDeletedEvent = Schemas['MessageDeletedEventDto'];
export type PresenceEvent = Schemas['PresenceEventDto'];
export type ConversationEvent = Schemas['ConversationEventDto'];
export type ConversationRemovedEvent = Schemas['ConversationRemovedEventDto'];
export type NotificationEvent = Schemas['NotificationEventDto'];
export type AuthResult = Schemas['AuthResultDto'];
