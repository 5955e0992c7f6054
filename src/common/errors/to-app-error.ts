import { HttpException } from '@nestjs/common';
import { AppError } from './app-error';
import { fromDependencyError } from './dependency-errors';
import { ErrorCode } from './error-code';

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'NOT_FOUND',
  413: 'FILE_TOO_LARGE',
  503: 'UNAVAILABLE',
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

const isHttpLike = (value: unknown): value is HttpLikeError =>
  !!value && typeof value === 'object' && (value as HttpLikeError).expose === true;

/**
 * Maps anything thrown into the error model. Returns null for unexpected errors, which the
 * caller reports as INTERNAL.
 */
export function toAppError(exception: unknown): AppError | null {
  if (exception instanceof AppError) return exception;
  // Nest wraps body-parser's errors (too large, bad JSON) in an HttpException: judge the original
  if (exception instanceof HttpException && isHttpLike(exception.cause)) {
    return toAppError(exception.cause);
  }
  if (exception instanceof HttpException) {
    const code = BY_STATUS[exception.getStatus()];
    return code ? new AppError(code, undefined, { cause: exception }) : null;
  }
  if (isHttpLike(exception)) {
    const httpLike = exception;
    const status = httpLike.status ?? httpLike.statusCode ?? 0;
    if (httpLike.type === 'entity.too.large') {
      return new AppError(
        'PAYLOAD_TOO_LARGE',
        { body: ['the body is larger than 1 MiB'] },
        { cause: exception },
      );
    }
    const code = BY_STATUS[status];
    if (!code) return null;
    const details =
      httpLike.type === 'entity.parse.failed'
        ? { body: ['the body is not valid JSON'] }
        : undefined;
    return new AppError(code, details, { cause: exception });
  }
  return fromDependencyError(exception);
}
