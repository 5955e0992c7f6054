import { ExecutionContext, Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Request } from 'express';
import { AppConfig } from '../../config/app-config';
import { REDIS, RedisClient } from '../../database/redis.provider';
import type { AuthUser } from '../auth/auth-user';
import { AUTH_RATE_LIMIT } from './rate-limit.decorators';
import { RateLimiter } from './rate-limiter';
import { RedisThrottlerStorage } from './redis-throttler.storage';

const MINUTE = 60_000;

const isAuthRoute = (ctx: ExecutionContext): boolean =>
  Reflect.getMetadata(AUTH_RATE_LIMIT, ctx.getHandler()) === true;

const userOf = (ctx: ExecutionContext): AuthUser | undefined =>
  ctx.switchToHttp().getRequest<Request & { user?: AuthUser }>().user;

@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, REDIS],
      useFactory: (config: AppConfig, redis: RedisClient) => ({
        storage: redis ? new RedisThrottlerStorage(redis) : undefined,
        setHeaders: false,
        // one counter per client (IP or user) across all routes, not one per route
        generateKey: (_ctx: ExecutionContext, tracker: string, throttlerName: string) =>
          `${throttlerName}:${tracker}`,
        throttlers: [
          {
            name: 'auth',
            ttl: MINUTE,
            limit: config.rateLimits.authPerMinute,
            skipIf: (ctx) => !isAuthRoute(ctx),
            getTracker: (req) => String((req as Request).ip ?? 'unknown'),
          },
          {
            name: 'requests',
            ttl: MINUTE,
            limit: config.rateLimits.requestsPerMinute,
            skipIf: (ctx) => userOf(ctx) === undefined,
            getTracker: (_req, ctx) => userOf(ctx)?.id ?? 'anonymous',
          },
        ],
      }),
    }),
  ],
  providers: [RateLimiter],
  exports: [RateLimiter],
})
export class RateLimitModule {}
