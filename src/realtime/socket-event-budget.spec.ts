import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import type { RateLimiter } from '../common/rate-limit/rate-limiter';
import { AppConfig } from '../config/app-config';
import { FLOOD_TOLERANCE, FloodState, SocketEventBudget } from './socket-event-budget';

const user = { id: 'u1' } as AuthUser;

/** A limiter that allows `limit` events, then refuses with retryAfterMs 1000. */
function limiter(limit: number): RateLimiter {
  let used = 0;
  return {
    consume: () => {
      used += 1;
      if (used > limit)
        throw new AppError('RATE_LIMITED', { retryAfterSeconds: 1, retryAfterMs: 1000 });
    },
  } as unknown as RateLimiter;
}

describe('SocketEventBudget', () => {
  const config = new AppConfig({ RATE_LIMIT_SOCKET_EVENTS_PER_MINUTE: '3' });

  it('allows events within the budget and refuses the next with RATE_LIMITED and retryAfterMs', async () => {
    const budget = new SocketEventBudget(limiter(3), config);
    const flood: FloodState = { refused: 0, until: 0 };
    for (let i = 0; i < 3; i++) expect(await budget.spend(user, flood, 0)).toEqual({ ok: true });
    const verdict = await budget.spend(user, flood, 0);
    expect(verdict).toMatchObject({ ok: false, disconnect: false });
    expect(!verdict.ok && verdict.error.details).toMatchObject({ retryAfterMs: 1000 });
  });

  it(`asks to disconnect a socket that sends more than ${FLOOD_TOLERANCE} refused events before the retry time`, async () => {
    const budget = new SocketEventBudget(limiter(0), config);
    const flood: FloodState = { refused: 0, until: 0 };
    for (let i = 0; i < FLOOD_TOLERANCE; i++) {
      expect(await budget.spend(user, flood, 10)).toMatchObject({ ok: false, disconnect: false });
    }
    expect(await budget.spend(user, flood, 20)).toMatchObject({ ok: false, disconnect: true });
  });

  it('forgives refusals once the retry time has passed', async () => {
    const budget = new SocketEventBudget(limiter(0), config);
    const flood: FloodState = { refused: 0, until: 0 };
    for (let i = 0; i < FLOOD_TOLERANCE; i++) await budget.spend(user, flood, 0);
    expect(await budget.spend(user, flood, 5000)).toMatchObject({ ok: false, disconnect: false });
  });

  it('lets other errors (an outage) through', async () => {
    const failing = {
      consume: () => {
        throw new AppError('UNAVAILABLE');
      },
    } as unknown as RateLimiter;
    await expect(
      new SocketEventBudget(failing, config).spend(user, { refused: 0, until: 0 }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
