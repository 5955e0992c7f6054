import { Controller, Get, Headers, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorBody } from '../common/errors/error-body';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Public } from '../common/auth/auth.decorators';
import { AppError } from '../common/errors/app-error';
import { IgnoresQuery } from '../common/validation/undeclared-query.interceptor';
import { AppConfig } from '../config/app-config';
import { REDIS, RedisClient } from '../database/redis.provider';
import { MetricsService } from './metrics.service';

/**
 * Terminus' 503 as the API's error body: `503 UNAVAILABLE` whose details name each failing
 * part (`failing: ["database"]`) with what its check saw.
 */
function unavailable(err: unknown): unknown {
  if (!(err instanceof ServiceUnavailableException)) return err;
  const result = err.getResponse() as Partial<HealthCheckResult>;
  const failing = result.error ?? {};
  return new AppError('UNAVAILABLE', { failing: Object.keys(failing), ...failing }, { cause: err });
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

@ApiTags('operations')
@Public()
@IgnoresQuery()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  @Get('health')
  @ApiOkResponse({ description: 'The process is alive' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @HealthCheck()
  @ApiServiceUnavailableResponse({
    description: 'UNAVAILABLE; `details.failing` names the failing parts (database, redis)',
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorBody) } } },
  })
  ready(): Promise<HealthCheckResult> {
    const redis = this.redis;
    return this.health
      .check([
        () => this.database.pingCheck('database').withTimeout(2000),
        ...(redis
          ? [
              () =>
                this.indicators
                  .check('redis')
                  .attempt(async () => {
                    await redis.ping();
                  })
                  .withTimeout(2000),
            ]
          : []),
      ])
      .catch((err: unknown) => {
        throw unavailable(err);
      });
  }

  @Get('metrics')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format; no user data' })
  @ApiNotFoundResponse({
    description: 'METRICS_ENABLED=false',
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorBody) } } },
  })
  @ApiUnauthorizedResponse({
    description: 'METRICS_TOKEN is set and `Authorization: Bearer <token>` does not carry it',
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorBody) } } },
  })
  async prometheus(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    if (!this.config.metricsEnabled) throw AppError.notFound();
    if (!this.holdsMetricsToken(authorization)) throw new AppError('UNAUTHORIZED');
    res.type(this.metrics.registry.contentType);
    return this.metrics.render();
  }

  /** Compared as digests, in constant time: the answer says nothing about a near miss. */
  private holdsMetricsToken(authorization: string | undefined): boolean {
    const token = this.config.metricsToken;
    if (token === null) return true;
    const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    return given !== undefined && timingSafeEqual(digest(given), digest(token));
  }
}
