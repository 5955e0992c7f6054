import { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type Redis from 'ioredis';

// A fixed window per key, counted atomically, so every node shares one limit.
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {hits, ttl}`;

type Incrementing = Redis & {
  rateLimitIncrement(key: string, ttlMs: number): Promise<[number, number]>;
};

/** Throttler counters in Redis, shared by every app node. */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: Incrementing;

  constructor(
    redis: Redis,
    private readonly prefix = 'ratelimit:',
  ) {
    // EVALSHA of the cached script (ioredis loads it once), not the script's text every call
    if (!('rateLimitIncrement' in redis))
      redis.defineCommand('rateLimitIncrement', { numberOfKeys: 1, lua: INCREMENT });
    this.redis = redis as Incrementing;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const [hits, pttl] = await this.redis.rateLimitIncrement(
      `${this.prefix}${throttlerName}:${key}`,
      ttl,
    );
    const seconds = Math.max(1, Math.ceil(pttl / 1000));
    return {
      totalHits: hits,
      timeToExpire: seconds,
      isBlocked: hits > limit,
      timeToBlockExpire: hits > limit ? seconds : 0,
    };
  }
}
