import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { InjectRedis, RedisClient } from '../../database/redis.provider';
import { AppError } from '../errors/app-error';

/** How often a node adds its counts to the shared counters (with `REDIS_URL`). */
export const SYNC_MS = 100;
const PREFIX = 'ratelimit:';

/** Adds a node's count to a shared fixed window: its total and the window's ms left. */
const ADD = `
local hits = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return {hits, ttl}`;

type Adding = Redis & {
  rateLimitAdd(key: string, count: number, windowMs: number): Promise<[number, number]>;
};
interface AddingPipeline {
  rateLimitAdd(key: string, count: number, windowMs: number): AddingPipeline;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/** One key's fixed window, as this node knows it. */
interface Window {
  endsAt: number;
  windowMs: number;
  /** every node's count at the last sync (this node's synced counts included) */
  shared: number;
  /** counted here, on their way to Redis */
  syncing: number;
  /** counted here since */
  local: number;
}

/**
 * Counts actions that are not HTTP routes (message sends over REST and the socket alike, socket
 * events) in fixed windows per key, without a round trip: each node counts in memory, and with
 * `REDIS_URL` adds its counts to a shared counter every SYNC_MS (one pipeline for every key
 * that moved), learning the other nodes' counts as it does. One node is exact; nodes together
 * may let through what the others counted within the last SYNC_MS beyond the limit. While
 * Redis is unreachable each node goes on counting alone, and adds what it counted once Redis
 * is back.
 */
@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger('RateLimiter');
  private readonly windows = new Map<string, Window>();
  private readonly redis: Adding | null;
  private timer: NodeJS.Timeout | null = null;
  private pushing: Promise<void> | null = null;
  private sweptAt = 0;

  constructor(@InjectRedis() redis: RedisClient) {
    if (redis && !('rateLimitAdd' in redis))
      redis.defineCommand('rateLimitAdd', { numberOfKeys: 1, lua: ADD });
    this.redis = redis as Adding | null;
  }

  /** Counts one action; throws `429 RATE_LIMITED` past `limit` within the window. */
  consume(bucket: string, key: string, limit: number, windowMs = 60_000, now = Date.now()): void {
    const id = `${bucket}:${key}`;
    let w = this.windows.get(id);
    if (!w || now >= w.endsAt) {
      w = { endsAt: now + windowMs, windowMs, shared: 0, syncing: 0, local: 0 };
      this.windows.set(id, w);
    }
    if (w.shared + w.syncing + w.local >= limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil((w.endsAt - now) / 1000));
      throw new AppError('RATE_LIMITED', {
        retryAfterSeconds,
        retryAfterMs: retryAfterSeconds * 1000,
      });
    }
    w.local += 1;
    if (this.redis) this.syncSoon();
    this.forgetEnded(now);
  }

  /**
   * Adds this node's counts to the shared counters now and reads every other window it knows
   * (tests, shutdown); the timer adds only the windows that moved.
   */
  async sync(): Promise<void> {
    await this.syncWindows(true);
  }

  private async syncWindows(all: boolean): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.pushing;
    this.pushing = this.push(all).finally(() => (this.pushing = null));
    await this.pushing;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis) await this.sync();
  }

  private async push(all: boolean): Promise<void> {
    const redis = this.redis;
    if (!redis) return;
    const now = Date.now();
    const moved = [...this.windows].filter(([, w]) => w.local > 0 || (all && now < w.endsAt));
    for (const [, w] of moved) {
      w.syncing = w.local;
      w.local = 0;
    }
    if (moved.length > 0) {
      // one pipeline: one write and one round trip for every key
      const pipeline = redis.pipeline() as unknown as AddingPipeline;
      for (const [id, w] of moved) pipeline.rateLimitAdd(`${PREFIX}${id}`, w.syncing, w.windowMs);
      const results = await pipeline.exec().catch((err: Error) => moved.map(() => [err, null]));
      let failure: Error | null = null;
      moved.forEach(([, w], i) => {
        const [err, answer] = (results ?? [])[i] ?? [new Error('no answer'), null];
        if (err || !answer) {
          // counted again with the next sync; meanwhile this node counts alone
          w.local += w.syncing;
          failure = err ?? new Error('no answer');
        } else {
          const [total, ttl] = answer as [number, number];
          w.shared = total;
          w.endsAt = Date.now() + ttl;
        }
        w.syncing = 0;
      });
      if (failure)
        this.logger.warn(`adding rate-limit counts to Redis failed: ${(failure as Error).message}`);
    }
    if ([...this.windows.values()].some((w) => w.local > 0)) this.syncSoon();
  }

  private syncSoon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.syncWindows(false), SYNC_MS);
    this.timer.unref();
  }

  /** Windows that have ended count nothing any more (looked for at most once a second). */
  private forgetEnded(now: number): void {
    if (now - this.sweptAt < 1000) return;
    this.sweptAt = now;
    for (const [id, w] of this.windows) {
      if (now >= w.endsAt && w.local === 0 && w.syncing === 0) this.windows.delete(id);
    }
  }
}
