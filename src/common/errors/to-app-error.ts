import { HttpException } from '@nestjs/common';
import { AppError } from './app-error';
import { ErrorCode } from './error-code';

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'NOT_FOUND',
  413: 'FILE_TOO_LARGE',
  415: 'UNSUPPORTED_FILE_TYPE',
  429: 'RATE_LIMITED',
};

/** Body-parser and similar Express-level errors carry `status` and `type` but are not HttpExceptions. */
interface HttpLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

/**
 * Maps anything thrown into the error model. Returns null for unexpected errors, which the
 * caller reports as INTERNAL.
 */
export function toAppError(exception: unknown): AppError | null {
  if (exception instanceof AppError) return exception;
  if (exception instanceof HttpException) {
    const code = BY_STATUS[exception.getStatus()];
    return code ? new AppError(code, undefined, { cause: exception }) : null;
  }
  const httpLike = exception as HttpLikeError | null;
  if (httpLike && typeof httpLike === 'object' && httpLike.expose === true) {
    const status = httpLike.status ?? httpLike.statusCode ?? 0;
    const code = BY_STATUS[status];
    if (!code) return null;
    const details =
      httpLike.type === 'entity.parse.failed'
        ? { body: ['the body is not valid JSON'] }
        : httpLike.type === 'entity.too.large'
          ? { body: ['the body is too large'] }
          : undefined;
    return new AppError(code, details, { cause: exception });
  }
  return null;
}
