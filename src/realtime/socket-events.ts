import { Type } from '@nestjs/common';
import { MessageDto } from '../messages/dto/message.dto';
import { NotificationEventDto } from '../notifications/dto/notification.dto';
import { LastReadSeqDto, EmptyDto, SyncResultDto } from './dto/socket-events.dto';
import {
  ConversationEventDto,
  ConversationRemovedEventDto,
  MessageDeletedEventDto,
  MessageEventDto,
  PresenceEventDto,
  ReceiptEventDto,
  TypingEventDto,
} from './dto/socket-events.dto';
import {
  ConversationRefDto,
  PresenceSetDto,
  SocketSendDto,
  SyncDto,
  UpToSeqDto,
} from './dto/socket-inputs.dto';

/**
 * The Socket.IO surface in one place: the gateway validates with these classes, the emitter
 * is typed by them, and the AsyncAPI document is generated from them, so they cannot drift.
 */
export const CLIENT_EVENTS = {
  'message:send': {
    payload: SocketSendDto,
    ack: MessageDto,
    summary: 'Send a message (same rules and errors as REST)',
  },
  'typing:start': {
    payload: ConversationRefDto,
    ack: EmptyDto,
    summary: 'Start typing; ends by itself after 6 s',
  },
  'typing:stop': { payload: ConversationRefDto, ack: EmptyDto, summary: 'Stop typing' },
  'message:delivered': {
    payload: UpToSeqDto,
    ack: EmptyDto,
    summary: 'Messages up to a seq reached this device',
  },
  'message:read': {
    payload: UpToSeqDto,
    ack: LastReadSeqDto,
    summary: 'Messages up to a seq were read',
  },
  'presence:set': {
    payload: PresenceSetDto,
    ack: EmptyDto,
    summary: 'Mark this socket online or away',
  },
  sync: {
    payload: SyncDto,
    ack: SyncResultDto,
    summary: 'Everything missed since the given versions',
  },
} as const satisfies Record<
  string,
  { payload: Type<unknown>; ack: Type<unknown>; summary: string }
>;

export type ClientEventName = keyof typeof CLIENT_EVENTS;

export const SERVER_EVENTS = {
  'message:new': {
    payload: MessageEventDto,
    summary: 'A new message in one of your conversations',
  },
  'message:updated': { payload: MessageEventDto, summary: 'A message was edited or reacted to' },
  'message:deleted': {
    payload: MessageDeletedEventDto,
    summary: 'A message became a tombstone (deleted, or expired by the retention policy)',
  },
  typing: { payload: TypingEventDto, summary: 'Another participant started or stopped typing' },
  receipt: {
    payload: ReceiptEventDto,
    summary: 'A participant received or read messages up to a seq',
  },
  presence: { payload: PresenceEventDto, summary: 'A contact’s presence changed' },
  'conversation:new': {
    payload: ConversationEventDto,
    summary: 'You were added to, invited to, or started a conversation',
  },
  'conversation:updated': {
    payload: ConversationEventDto,
    summary: 'Title, members, roles, settings, or your own view changed',
  },
  'conversation:removed': {
    payload: ConversationRemovedEventDto,
    summary: 'You left, were removed, or deleted it',
  },
  'notification:new': {
    payload: NotificationEventDto,
    summary:
      'A new in-app notification for you (none for muted conversations); `system` when your scheduled message could not be sent',
  },
} as const satisfies Record<string, { payload: Type<unknown>; summary: string }>;

export type ServerEventName = keyof typeof SERVER_EVENTS;

/** The payload type of each server→client event. */
export interface ServerEventPayloads {
  'message:new': MessageEventDto;
  'message:updated': MessageEventDto;
  'message:deleted': MessageDeletedEventDto;
  typing: TypingEventDto;
  receipt: ReceiptEventDto;
  presence: PresenceEventDto;
  'conversation:new': ConversationEventDto;
  'conversation:updated': ConversationEventDto;
  'conversation:removed': ConversationRemovedEventDto;
  'notification:new': NotificationEventDto;
}

export const userRoom = (userId: string): string => `user:${userId}`;
export const sessionRoom = (sessionId: string): string => `session:${sessionId}`;
