import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import type { Conversation, Message, User } from './api/types';
import { StoreContext } from './hooks';
import type { State, Store } from './store';

export const ME: User = {
  id: '00000000-0000-4000-8000-000000000001',
  email: 'me@test.local',
  displayName: 'Me',
  avatarUrl: null,
  locale: 'en',
  role: 'user',
  verificationStatus: 'verified',
  suspended: false,
  createdAt: '2026-12-01T10:00:00.000Z',
};
export const PEER = '00000000-0000-4000-8000-000000000002';

export function message(patch: Partial<Message> = {}): Message {
  return {
    id: crypto.randomUUID(),
    conversationId: 'c1',
    seq: 1,
    version: 1,
    clientMessageId: null,
    senderId: PEER,
    sender: {
      id: PEER,
      displayName: 'Peer',
      avatarUrl: null,
      locale: 'en',
      verificationStatus: 'verified',
    },
    type: 'text',
    content: 'hello',
    language: 'en',
    direction: 'ltr',
    replyToMessageId: null,
    threadRootId: null,
    replyCount: 0,
    attachments: [],
    reactions: [],
    isEdited: false,
    editedAt: null,
    isDeleted: false,
    deletedAt: null,
    moderation: 'clean',
    system: null,
    createdAt: '2026-12-05T10:00:00.000Z',
    ...patch,
  };
}

export function conversation(patch: Partial<Conversation> = {}): Conversation {
  return {
    id: 'c1',
    type: 'direct',
    title: 'Peer',
    contextId: null,
    retentionDays: null,
    encryption: 'none',
    allowFileSharing: true,
    createdBy: ME.id,
    createdAt: '2026-12-05T09:00:00.000Z',
    updatedAt: '2026-12-05T09:00:00.000Z',
    participants: [
      {
        userId: ME.id,
        displayName: 'Me',
        avatarUrl: null,
        role: 'member',
        status: 'active',
        joinedAt: '2026-12-05T09:00:00.000Z',
        lastReadSeq: 0,
      },
      {
        userId: PEER,
        displayName: 'Peer',
        avatarUrl: null,
        role: 'member',
        status: 'active',
        joinedAt: '2026-12-05T09:00:00.000Z',
        lastReadSeq: 0,
      },
    ],
    lastMessage: null,
    lastSeq: 0,
    lastVersion: 0,
    unreadCount: 0,
    archived: false,
    muted: false,
    mutedUntil: null,
    invitation: null,
    ...patch,
  };
}

/** A store double: the state the components read, and spies for what they call. */
export function fakeStore(state: Partial<State> = {}, methods: Partial<Store> = {}): Store {
  const full: State = {
    me: ME,
    conversations: {},
    archivedLoaded: false,
    messages: {},
    typing: {},
    presence: {},
    delivered: {},
    connected: true,
    outbox: [],
    notifications: { unread: 0, items: null },
    openId: null,
    ...state,
  };
  return {
    state: full,
    getState: () => full,
    subscribe: () => () => undefined,
    ...methods,
  } as unknown as Store;
}

export function renderWith(store: Store, ui: ReactElement) {
  return render(<StoreContext.Provider value={store}>{ui}</StoreContext.Provider>);
}
