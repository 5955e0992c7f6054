import { ERROR_STATUS, ErrorCode } from './error-code';

export type ErrorDetails = Record<string, unknown>;

/** The one error type services throw. The global filter turns it into the API's error body. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly details?: ErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(code, options);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }

  static notFound(details?: ErrorDetails): AppError {
    return new AppError('NOT_FOUND', details);
  }

  static validation(details: ErrorDetails): AppError {
    return new AppError('VALIDATION_FAILED', details);
  }
}
