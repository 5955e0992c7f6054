import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api/client';
import { ME } from '../test-utils';
import { App } from './App';

// no service behind the tests: the store's socket is a silent double
vi.mock('../realtime', () => ({
  connectSocket: () => ({
    connected: false,
    on: () => undefined,
    emit: () => undefined,
    removeAllListeners: () => undefined,
    disconnect: () => undefined,
  }),
  request: () => new Promise(() => undefined),
}));

const jwt = () =>
  `h.${btoa(JSON.stringify({ sub: ME.id, exp: Math.floor(Date.now() / 1000) + 3600 })).replace(/=+$/, '')}.s`;
const answer = (data: unknown, status = 200) => ({
  data,
  response: new Response(null, { status }),
});

describe('App', () => {
  beforeEach(() => {
    localStorage.clear();
    history.replaceState(null, '', '/');
    vi.spyOn(api, 'GET').mockImplementation(((path: string) =>
      Promise.resolve(
        path.endsWith('/unread-count')
          ? answer({ count: 0 })
          : answer({ items: [], nextCursor: null }),
      )) as never);
  });
  afterEach(() => vi.restoreAllMocks());

  it('signs up: a new account is registered and signed in', async () => {
    const post = vi
      .spyOn(api, 'POST')
      .mockResolvedValue(answer({ user: ME, accessToken: jwt(), refreshToken: 'r-new' }, 201));
    render(<App />);
    fireEvent.click(screen.getByRole('button', { name: 'Create an account' }));
    expect(screen.getByRole('heading', { name: 'Create your account' })).toBeTruthy();
    fireEvent.change(screen.getByRole('textbox', { name: 'Display name' }), {
      target: { value: 'New Person' },
    });
    fireEvent.change(screen.getByRole('textbox', { name: 'Email' }), {
      target: { value: 'new@test.local' },
    });
    fireEvent.change(screen.getByRole('textbox', { name: 'Password' }), {
      target: { value: 'password-123' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Sign up' }));
    await screen.findByRole('list', { name: 'Conversations' });
    expect(post).toHaveBeenCalledWith('/api/v1/auth/register', {
      body: {
        email: 'new@test.local',
        password: 'password-123',
        displayName: 'New Person',
        locale: 'en',
      },
    });
    expect(JSON.parse(localStorage.getItem('messaging.session')!).refreshToken).toBe('r-new');
  });

  it('shows the service’s error when sign-up is refused, and stays signed out', async () => {
    vi.spyOn(api, 'POST').mockResolvedValue({
      data: undefined,
      error: { statusCode: 409, code: 'EMAIL_TAKEN', message: 'This email is taken.' },
      response: new Response(null, { status: 409 }),
    });
    render(<App />);
    fireEvent.click(screen.getByRole('button', { name: 'Create an account' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Display name' }), {
      target: { value: 'Again' },
    });
    fireEvent.change(screen.getByRole('textbox', { name: 'Email' }), {
      target: { value: 'me@test.local' },
    });
    fireEvent.change(screen.getByRole('textbox', { name: 'Password' }), {
      target: { value: 'password-123' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Sign up' }));
    expect((await screen.findByRole('alert')).textContent).toBe('This email is taken.');
    expect(localStorage.getItem('messaging.session')).toBeNull();
  });

  it('signs out: the refresh chain is revoked and the sign-in page is back', async () => {
    const access = jwt();
    localStorage.setItem(
      'messaging.session',
      JSON.stringify({ accessToken: access, refreshToken: 'r1', user: ME }),
    );
    const post = vi.spyOn(api, 'POST').mockResolvedValue(answer(undefined, 204));
    render(<App />);
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out' }));
    await screen.findByRole('button', { name: 'Sign in' });
    expect(screen.queryByRole('list', { name: 'Conversations' })).toBeNull();
    expect(localStorage.getItem('messaging.session')).toBeNull();
    await waitFor(() =>
      expect(post).toHaveBeenCalledWith('/api/v1/auth/logout', {
        body: { refreshToken: 'r1' },
        headers: { Authorization: `Bearer ${access}` },
      }),
    );
  });
});
