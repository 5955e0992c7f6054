import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api/client';
import { SessionContext } from '../hooks';
import type { Session } from '../session';
import { conversation, fakeStore, ME, PEER, renderWith } from '../test-utils';
import { GroupSettingsDialog } from './GroupSettingsDialog';
import { NewConversationDialog } from './NewConversationDialog';
import { NotificationsButton } from './Notifications';
import { SearchPanel } from './SearchPanel';
import { SettingsDialog } from './SettingsDialog';

const ok = (data: unknown, status = 200) => ({ data, response: new Response(null, { status }) });
const SETTINGS = {
  allowMessagesFrom: 'verified_only',
  emailNotifications: true,
  pushNotifications: true,
  soundNotifications: true,
  autoAcceptGroupInvites: false,
};
const BLOCKED = {
  id: 'u9',
  displayName: 'Spammer',
  avatarUrl: null,
  locale: 'en',
  verificationStatus: 'verified',
};

// jsdom-like environments have no modal dialogs
if (!('showModal' in HTMLDialogElement.prototype)) {
  Object.assign(HTMLDialogElement.prototype, {
    showModal(this: HTMLDialogElement) {
      this.setAttribute('open', '');
    },
  });
}

afterEach(() => vi.restoreAllMocks());

describe('SettingsDialog', () => {
  it('changes message settings and unblocks a blocked user', async () => {
    vi.spyOn(api, 'GET').mockImplementation(((path: string) =>
      Promise.resolve(
        path.endsWith('/blocks') ? ok({ items: [BLOCKED], nextCursor: null }) : ok(SETTINGS),
      )) as never);
    const patch = vi
      .spyOn(api, 'PATCH')
      .mockResolvedValue(ok({ ...SETTINGS, autoAcceptGroupInvites: true }) as never);
    const del = vi.spyOn(api, 'DELETE').mockResolvedValue(ok(undefined, 204));
    renderWith(
      fakeStore(),
      <SessionContext.Provider value={{} as Session}>
        <SettingsDialog onClose={() => undefined} />
      </SessionContext.Provider>,
    );
    const toggle = await screen.findByRole('checkbox', {
      name: 'Join groups without an invitation',
    });
    fireEvent.click(toggle);
    await waitFor(() =>
      expect(patch).toHaveBeenCalledWith('/api/v1/users/me/message-settings', {
        body: { autoAcceptGroupInvites: true },
      }),
    );
    await screen.findByText('Saved.');
    fireEvent.click(await screen.findByRole('button', { name: 'Unblock' }));
    await waitFor(() => expect(screen.queryByText('Spammer')).toBeNull());
    expect(del).toHaveBeenCalledWith('/api/v1/users/{id}/block', {
      params: { path: { id: 'u9' } },
    });
  });
});

describe('NotificationsButton', () => {
  it('shows the unread count, lists notifications and opens their conversation', async () => {
    const loadNotifications = vi.fn(async () => undefined);
    const readAllNotifications = vi.fn(async () => undefined);
    vi.spyOn(api, 'POST').mockResolvedValue(ok(undefined, 204));
    const open = vi.fn();
    const store = fakeStore(
      {
        notifications: {
          unread: 2,
          items: [
            {
              id: 'n1',
              type: 'message',
              conversationId: 'c1',
              messageId: 'm1',
              title: 'Peer',
              body: 'hello there',
              isRead: false,
              createdAt: '2026-12-05T10:00:00.000Z',
            },
          ],
        },
      },
      { loadNotifications, readAllNotifications },
    );
    renderWith(store, <NotificationsButton onOpen={open} />);
    fireEvent.click(screen.getByRole('button', { name: 'Notifications, 2 unread' }));
    expect(loadNotifications).toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Mark all read' }));
    expect(readAllNotifications).toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: /hello there/ }));
    expect(open).toHaveBeenCalledWith('c1');
  });
});

const user = (id: string, displayName: string) => ({
  id,
  displayName,
  avatarUrl: null,
  locale: 'en',
  verificationStatus: 'verified',
});

describe('NewConversationDialog', () => {
  it('starts a direct conversation with a person found by searching', async () => {
    const get = vi
      .spyOn(api, 'GET')
      .mockResolvedValue(ok({ items: [user('u7', 'Dana Cruz')], nextCursor: null }) as never);
    const post = vi.spyOn(api, 'POST').mockResolvedValue(ok({ id: 'c9' }, 201));
    const fetchConversation = vi.fn(async () => conversation({ id: 'c9' }));
    const created = vi.fn();
    renderWith(
      fakeStore({}, { fetchConversation }),
      <NewConversationDialog onClose={() => undefined} onCreated={created} />,
    );
    fireEvent.change(screen.getByRole('searchbox', { name: 'Find people' }), {
      target: { value: 'dan' },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Dana Cruz' }));
    expect(get).toHaveBeenCalledWith('/api/v1/users', {
      params: { query: { query: 'dan', limit: 20 } },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Start chat' }));
    await waitFor(() => expect(created).toHaveBeenCalledWith('c9'));
    expect(post).toHaveBeenCalledWith('/api/v1/conversations', {
      body: { type: 'direct', participantIds: ['u7'] },
    });
    expect(fetchConversation).toHaveBeenCalledWith('c9');
  });
});

describe('GroupSettingsDialog', () => {
  const group = conversation({
    id: 'g1',
    type: 'group',
    title: 'Team',
    participants: conversation().participants.map((p) =>
      p.userId === ME.id ? { ...p, role: 'admin' as const } : p,
    ),
  });

  it('adds and removes members (admins)', async () => {
    vi.spyOn(api, 'GET').mockResolvedValue(
      ok({ items: [user('u8', 'Eli Moss')], nextCursor: null }) as never,
    );
    const post = vi.spyOn(api, 'POST').mockResolvedValue(ok(group, 201));
    const del = vi.spyOn(api, 'DELETE').mockResolvedValue(ok(undefined, 204));
    const fetchConversation = vi.fn(async () => group);
    renderWith(
      fakeStore({}, { fetchConversation }),
      <GroupSettingsDialog conversation={group} onClose={() => undefined} onLeft={() => {}} />,
    );
    fireEvent.change(screen.getByRole('searchbox', { name: 'Find people' }), {
      target: { value: 'eli' },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Eli Moss' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    await waitFor(() =>
      expect(post).toHaveBeenCalledWith('/api/v1/conversations/{id}/participants', {
        params: { path: { id: 'g1' } },
        body: { userIds: ['u8'] },
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Remove Peer' }));
    await waitFor(() =>
      expect(del).toHaveBeenCalledWith('/api/v1/conversations/{id}/participants/{userId}', {
        params: { path: { id: 'g1', userId: PEER } },
      }),
    );
    expect(fetchConversation).toHaveBeenCalledWith('g1');
  });

  it('leaves the group: it is forgotten and the view closes', async () => {
    const del = vi.spyOn(api, 'DELETE').mockResolvedValue(ok(undefined, 204));
    const forget = vi.fn();
    const left = vi.fn();
    renderWith(
      fakeStore({}, { forget }),
      <GroupSettingsDialog conversation={group} onClose={() => undefined} onLeft={left} />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Leave group' }));
    await waitFor(() => expect(left).toHaveBeenCalled());
    expect(del).toHaveBeenCalledWith('/api/v1/conversations/{id}/participants/{userId}', {
      params: { path: { id: 'g1', userId: ME.id } },
    });
    expect(forget).toHaveBeenCalledWith('g1');
  });
});

describe('SearchPanel', () => {
  it('searches within one conversation', async () => {
    const get = vi.spyOn(api, 'GET').mockResolvedValue(
      ok({
        items: [
          {
            conversationId: 'c1',
            conversationTitle: 'Peer',
            snippet: 'the <mark>invoice</mark>',
            message: { id: 'm1' },
          },
        ],
        nextCursor: null,
      }) as never,
    );
    const open = vi.fn();
    renderWith(fakeStore(), <SearchPanel query="invoice" conversationId="c1" onOpen={open} />);
    const results = await screen.findByRole('list', { name: 'Search results' });
    await waitFor(() => expect(results.querySelector('mark')?.textContent).toBe('invoice'));
    expect(get).toHaveBeenCalledWith('/api/v1/messages/search', {
      params: { query: { q: 'invoice', limit: 30, conversationId: 'c1' } },
    });
    fireEvent.click(screen.getByRole('button', { name: /invoice/ }));
    expect(open).toHaveBeenCalledWith('c1');
  });
});
