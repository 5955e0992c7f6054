import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api/client';
import { SessionContext } from '../hooks';
import type { Session } from '../session';
import { fakeStore, renderWith } from '../test-utils';
import { NotificationsButton } from './Notifications';
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
