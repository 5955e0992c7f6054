import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import responseTime from 'response-time';
import { MetricsService } from './metrics.service';

/**
 * Times every HTTP request: into the Prometheus histogram, labelled by route pattern (never
 * by concrete path or user), and into the response's `Server-Timing: app;dur=<ms>` header,
 * the time the service spent before it started answering (what the client waited for, less
 * the network).
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly serverTiming = responseTime((_req, res, time) => {
    res.setHeader('Server-Timing', `app;dur=${time.toFixed(2)}`);
  });

  constructor(private readonly metrics: MetricsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const end = this.metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      end({ method: req.method, route: `${req.baseUrl}${route}`, status: String(res.statusCode) });
    });
    this.serverTiming(req, res, next);
  }
}
