import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { AuthUser } from '../auth/auth-user';
import { AppError } from './app-error';
import { ErrorBody, toErrorBody } from './error-body';
import { pickLocale } from './error-messages';
import { toAppError } from './to-app-error';

/**
 * Turns anything thrown while serving a request into the API's error body, in the caller's
 * language. Unexpected errors are logged with a correlation id and answered as INTERNAL.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { user?: AuthUser }>();
    const res = http.getResponse<Response>();
    const body = this.toBody(exception, req.headers['accept-language'], req.user?.locale);
    if (!res.headersSent) res.status(body.statusCode).json(body);
  }

  /** The error body for any exception; shared by HTTP and the Socket.IO acks. */
  toBody(exception: unknown, acceptLanguage: string | undefined, userLocale?: string): ErrorBody {
    const locale = pickLocale(acceptLanguage, userLocale);
    const known = toAppError(exception);
    if (known) return toErrorBody(known, locale);
    const correlationId = randomUUID();
    this.logger.error({ err: exception, correlationId }, 'unexpected error');
    return toErrorBody(new AppError('INTERNAL', { correlationId }), locale);
  }
}
