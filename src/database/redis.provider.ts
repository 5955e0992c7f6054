import { Inject, Logger, OnApplicationShutdown, Provider } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';

/** The shared Redis client, or null on a single node without `REDIS_URL`. */
export const REDIS = Symbol('REDIS');
export const InjectRedis = (): ParameterDecorator => Inject(REDIS);
export type RedisClient = Redis | null;

class RedisCloser implements OnApplicationShutdown {
  constructor(private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * `autoPipelining`: commands issued in one turn of the event loop leave in one write instead of
 * one system call each; for fire-and-forget traffic such as Socket.IO's publishes (a request
 * waiting on such a client while Redis is down waits longer to fail).
 */
export function createRedis(url: string, name: string, { autoPipelining = false } = {}): Redis {
  const logger = new Logger(`Redis:${name}`);
  const client = new Redis(url, {
    maxRetriesPerRequest: 3,
    lazyConnect: false,
    enableAutoPipelining: autoPipelining,
  });
  client.on('error', (err: Error) => logger.warn(err.message));
  return client;
}

export const RedisProvider: Provider = {
  provide: REDIS,
  inject: [AppConfig],
  useFactory: (config: AppConfig): RedisClient =>
    config.redisUrl ? createRedis(config.redisUrl, 'main') : null,
};

export const RedisShutdown: Provider = {
  provide: RedisCloser,
  inject: [REDIS],
  useFactory: (redis: RedisClient) => (redis ? new RedisCloser(redis) : null),
};
