import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from './api/client';
import type { Session } from './session';
import { Store } from './store';
import { conversation, ME, message, PEER } from './test-utils';

const handlers = new Map<string, (e: unknown) => void>();
vi.mock('./realtime', () => ({
  connectSocket: () => ({
    connected: true,
    on: (event: string, fn: (e: unknown) => void) => handlers.set(event, fn),
    emit: () => undefined,
    removeAllListeners: () => undefined,
    disconnect: () => undefined,
  }),
  request: () => new Promise(() => undefined),
}));

const emit = (event: string, payload: unknown) => handlers.get(event)!(payload);

describe('Store: real-time events', () => {
  afterEach(() => vi.restoreAllMocks());

  it('applies presence, new messages (unread), typing and membership changes as they come', () => {
    vi.spyOn(api, 'POST').mockResolvedValue({ response: new Response(null, { status: 204 }) });
    vi.spyOn(api, 'GET').mockResolvedValue({
      data: { items: [] },
      response: new Response(null, { status: 200 }),
    } as never);
    const store = new Store(ME, {} as Session);
    emit('conversation:new', { conversation: conversation() });
    expect(store.state.conversations.c1.title).toBe('Peer');

    emit('presence', { userId: PEER, status: 'online' });
    expect(store.state.presence[PEER]).toBe('online');

    emit('typing', { conversationId: 'c1', userId: PEER, displayName: 'Peer', isTyping: true });
    expect(store.state.typing.c1[PEER].name).toBe('Peer');
    emit('message:new', { message: message({ seq: 1, version: 1, content: 'hi' }) });
    expect(store.state.conversations.c1.unreadCount).toBe(1);
    expect(store.state.conversations.c1.lastMessage?.content).toBe('hi');
    expect(store.state.typing.c1[PEER]).toBeUndefined(); // the message ends the typing

    emit('conversation:updated', { conversation: conversation({ title: 'Renamed' }) });
    expect(store.state.conversations.c1.title).toBe('Renamed');
    emit('conversation:removed', { conversationId: 'c1' });
    expect(store.state.conversations.c1).toBeUndefined();
    store.close();
  });
});
