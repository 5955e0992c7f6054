import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { AppError } from '../errors/app-error';

/**
 * Counts actions that are not HTTP routes (message sends over REST and the socket alike) in
 * the same storage as the route limits: Redis when configured, so the limit holds across nodes.
 */
@Injectable()
export class RateLimiter {
  constructor(@Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage) {}

  /** Counts one action; throws `429 RATE_LIMITED` past `limit` within the window. */
  async consume(bucket: string, key: string, limit: number, windowMs = 60_000): Promise<void> {
    const record = await this.storage.increment(key, windowMs, limit, windowMs, bucket);
    if (record.totalHits > limit) {
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil(record.timeToBlockExpire || record.timeToExpire),
      );
      throw new AppError('RATE_LIMITED', {
        retryAfterSeconds,
        retryAfterMs: retryAfterSeconds * 1000,
      });
    }
  }
}
