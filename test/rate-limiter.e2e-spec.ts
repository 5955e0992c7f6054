import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { AppError } from '../src/common/errors/app-error';
import { RateLimiter } from '../src/common/rate-limit/rate-limiter';

const refusal = (fn: () => void): AppError | null => {
  try {
    fn();
    return null;
  } catch (err) {
    return err as AppError;
  }
};

// Two nodes share one Redis counter: only where the run has a Redis (`REDIS_URL`).
const redisUrl = process.env.REDIS_URL;
(redisUrl ? describe : describe.skip)('RateLimiter on two nodes sharing Redis', () => {
  let a: Redis;
  let b: Redis;
  beforeAll(() => {
    a = new Redis(redisUrl!, { enableAutoPipelining: true });
    b = new Redis(redisUrl!, { enableAutoPipelining: true });
  });
  afterAll(async () => {
    await a.quit();
    await b.quit();
  });

  it("counts each node's actions against the one limit once they sync", async () => {
    const user = randomUUID();
    const one = new RateLimiter(a);
    const two = new RateLimiter(b);
    for (let i = 0; i < 3; i++) one.consume('messages', user, 5);
    await one.sync();
    // the second node learns of the first's three when it adds its own
    two.consume('messages', user, 5);
    await two.sync();
    two.consume('messages', user, 5);
    expect(refusal(() => two.consume('messages', user, 5))).toMatchObject({
      code: 'RATE_LIMITED',
    });
    await two.sync();
    await one.sync();
    expect(Number(await a.get(`ratelimit:messages:${user}`))).toBe(5);
    // the shared window's end is Redis's: it expires
    expect(await a.pttl(`ratelimit:messages:${user}`)).toBeGreaterThan(0);
  });

  it('keeps counting alone while Redis is unreachable', async () => {
    const user = randomUUID();
    const broken = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    const alone = new RateLimiter(broken);
    for (let i = 0; i < 2; i++) alone.consume('messages', user, 2);
    await alone.sync();
    expect(refusal(() => alone.consume('messages', user, 2))).toMatchObject({
      code: 'RATE_LIMITED',
    });
    broken.disconnect();
  });
});
