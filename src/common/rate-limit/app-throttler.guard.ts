import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface';
import type { Response } from 'express';
import { AppError } from '../errors/app-error';

/** Answers an exceeded limit with `429 RATE_LIMITED` and a plain `Retry-After` header. */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  /** HTTP routes only; socket sends are counted by the services they call. */
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http';
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfter));
    throw new AppError('RATE_LIMITED', { retryAfterSeconds: retryAfter });
  }
}
