import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_CODES, ErrorCode } from './error-code';
import { AppError } from './app-error';
import { ERROR_MESSAGES, Locale } from './error-messages';

/** The error body of every REST answer and Socket.IO ack. */
export class ErrorBody {
  @ApiProperty({ example: 403 })
  statusCode!: number;

  @ApiProperty({ enum: ERROR_CODES, example: 'NOT_GROUP_ADMIN' })
  code!: ErrorCode;

  @ApiProperty({
    description: 'Human text in the caller’s language (Accept-Language, else the user’s locale).',
  })
  message!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  details?: Record<string, unknown>;
}

export function toErrorBody(error: AppError, locale: Locale): ErrorBody {
  const body: ErrorBody = {
    statusCode: error.status,
    code: error.code,
    message: ERROR_MESSAGES[error.code][locale],
  };
  if (error.details !== undefined) body.details = error.details;
  return body;
}
