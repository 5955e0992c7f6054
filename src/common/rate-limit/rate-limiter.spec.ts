import { AppError } from '../errors/app-error';
import { RateLimiter } from './rate-limiter';

const refusal = (fn: () => void): AppError | null => {
  try {
    fn();
    return null;
  } catch (err) {
    return err as AppError;
  }
};

describe('RateLimiter on one node', () => {
  it('lets `limit` actions through in a window, refuses the next until it ends, counts keys apart', () => {
    const limiter = new RateLimiter(null);
    for (let i = 0; i < 3; i++) limiter.consume('messages', 'u1', 3, 60_000, 1000);
    const refused = refusal(() => limiter.consume('messages', 'u1', 3, 60_000, 31_000));
    expect(refused).toMatchObject({
      code: 'RATE_LIMITED',
      details: { retryAfterSeconds: 30, retryAfterMs: 30_000 },
    });
    // another key and another bucket have their own counts
    expect(refusal(() => limiter.consume('messages', 'u2', 3, 60_000, 31_000))).toBeNull();
    expect(refusal(() => limiter.consume('socket-events', 'u1', 3, 60_000, 31_000))).toBeNull();
    // a new window starts when the last ends
    expect(refusal(() => limiter.consume('messages', 'u1', 3, 60_000, 61_000))).toBeNull();
  });
});
