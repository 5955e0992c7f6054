import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorBody } from '../common/errors/error-body';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiServiceUnavailableResponse,
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
import { AppConfig } from '../config/app-config';
import { REDIS, RedisClient } from '../database/redis.provider';
import { MetricsService } from './metrics.service';

@ApiTags('operations')
@Public()
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
  @ApiServiceUnavailableResponse({ description: 'Names the failing part (database, redis)' })
  ready(): Promise<HealthCheckResult> {
    const redis = this.redis;
    return this.health.check([
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
    ]);
  }

  @Get('metrics')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format; no user data' })
  @ApiNotFoundResponse({
    description: 'METRICS_ENABLED=false',
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorBody) } } },
  })
  async prometheus(@Res({ passthrough: true }) res: Response): Promise<string> {
    if (!this.config.metricsEnabled) throw AppError.notFound();
    res.type(this.metrics.registry.contentType);
    return this.metrics.render();
  }
}
