import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from './api/client';
import { Session, tokenExpiry } from './session';
import { ME } from './test-utils';

const jwt = (expSeconds: number) =>
  `h.${btoa(JSON.stringify({ sub: ME.id, exp: expSeconds })).replace(/=+$/, '')}.s`;
const now = () => Math.floor(Date.now() / 1000);
const answer = (status: number, body: unknown) => ({
  data: status < 300 ? body : undefined,
  error: status >= 300 ? body : undefined,
  response: new Response(null, { status }),
});

describe('Session', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => vi.restoreAllMocks());

  it('reads the expiry of a token', () => {
    expect(tokenExpiry(jwt(1234))).toBe(1234);
    expect(tokenExpiry('not a jwt')).toBe(0);
  });

  it('survives a reload: a new Session reads the stored tokens', () => {
    new Session().start({ accessToken: jwt(now() + 3600), refreshToken: 'r1', user: ME });
    expect(new Session().current?.refreshToken).toBe('r1');
  });

  it('refreshes a token that is about to expire before using it', async () => {
    const post = vi
      .spyOn(api, 'POST')
      .mockResolvedValue(answer(200, { accessToken: jwt(now() + 3600), refreshToken: 'r2' }));
    const session = new Session();
    session.start({ accessToken: jwt(now() + 10), refreshToken: 'r1', user: ME });
    const token = await session.accessToken();
    expect(post).toHaveBeenCalledWith('/api/v1/auth/refresh', { body: { refreshToken: 'r1' } });
    expect(tokenExpiry(token!)).toBeGreaterThan(now() + 3000);
    expect(JSON.parse(localStorage.getItem('messaging.session')!).refreshToken).toBe('r2');
  });

  it('takes the tokens another tab refreshed instead of spending the refresh token twice', async () => {
    const post = vi.spyOn(api, 'POST');
    const session = new Session();
    session.start({ accessToken: jwt(now() + 10), refreshToken: 'r1', user: ME });
    // another tab refreshed meanwhile (its storage event has not arrived yet)
    localStorage.setItem(
      'messaging.session',
      JSON.stringify({ accessToken: jwt(now() + 3600), refreshToken: 'r2', user: ME }),
    );
    await session.refresh();
    expect(post).not.toHaveBeenCalled();
    expect(session.current?.refreshToken).toBe('r2');
  });

  it('ends the session when the refresh token is refused', async () => {
    vi.spyOn(api, 'POST').mockResolvedValue(
      answer(401, { statusCode: 401, code: 'UNAUTHORIZED', message: 'no' }),
    );
    const session = new Session();
    const ended = vi.fn();
    session.start({ accessToken: jwt(now() + 10), refreshToken: 'r1', user: ME });
    session.subscribe(ended);
    await session.refresh();
    expect(session.current).toBeNull();
    expect(ended).toHaveBeenCalledWith(null);
  });
});
