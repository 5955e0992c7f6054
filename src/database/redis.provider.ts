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

export function createRedis(url: string, name: string): Redis {
  const logger = new Logger(`Redis:${name}`);
  // Commands issued in one turn of the event loop leave in one write (Socket.IO's publishes,
  // rate-limit counters and presence of many sends at once), not one system call each.
  const client = new Redis(url, {
    maxRetriesPerRequest: 3,
    lazyConnect: false,
    enableAutoPipelining: true,
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
