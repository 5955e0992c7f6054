import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsISO8601,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  registerDecorator,
  ValidationArguments,
} from 'class-validator';
import { Optional, CharLength } from '../../common/validation/validators';
import { PageQuery } from '../../common/pagination/page';

/** The longest content of any conversation: e2e ciphertext (16 KiB as base64). */
const MAX_CONTENT_ANY = Math.ceil((16 * 1024) / 3) * 4;

const hasAttachments = (o: { attachmentIds?: unknown[] }): boolean =>
  Array.isArray(o.attachmentIds) && o.attachmentIds.length > 0;

/**
 * Message content: a string (at most 4000 characters, code points, after trimming; e2e ciphertext
 * up to 16 KiB of base64, which the service checks knowing the conversation), and not
 * empty unless the message carries attachments.
 */
function IsMessageContent(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isMessageContent',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: (args: ValidationArguments) =>
          typeof args.value !== 'string'
            ? 'content must be a string'
            : [...args.value].length > MAX_CONTENT_ANY
              ? 'content must be at most 4000 characters'
              : 'content must not be empty',
      },
      validator: {
        validate(value: unknown, args: ValidationArguments): boolean {
          if (typeof value !== 'string') return false;
          const length = [...value].length;
          return length <= MAX_CONTENT_ANY && (length > 0 || hasAttachments(args.object));
        },
      },
    });
}

/** What every send carries, over REST and over the socket. */
export class MessageContentInput {
  @ApiProperty({
    minLength: 0,
    maxLength: 4000,
    description:
      '1..4000 characters after trimming; 0.. with attachments. In e2e conversations: base64 ciphertext up to 16 KiB.',
  })
  @IsMessageContent()
  content!: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', maxItems: 10 })
  @Optional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsUUID('all', { each: true })
  attachmentIds?: string[];
}

/** Send options shared by REST and the socket. */
export class SendMessageFields extends MessageContentInput {
  @ApiPropertyOptional({ format: 'uuid' })
  @Optional()
  @IsUUID()
  replyToMessageId?: string;

  @ApiPropertyOptional({ example: 'ar', description: 'ISO 639-1; detected when absent' })
  @Optional()
  @Matches(/^[a-z]{2}$/, { message: 'language must be an ISO 639-1 code such as en or ar' })
  language?: string;
}

export class SendMessageDto extends SendMessageFields {
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 64,
    description: 'idempotency key chosen by the client',
  })
  @Optional()
  @IsString()
  @Length(1, 64)
  clientMessageId?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'send later: 10 s to 30 days ahead; the answer is then `202 ScheduledMessage` and nothing is sent yet',
  })
  @Optional()
  @IsISO8601({ strict: true })
  sendAt?: string;
}

export class EditMessageDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 4000,
    description: 'e2e conversations: base64 ciphertext up to 16 KiB',
  })
  @IsString()
  @CharLength(0, MAX_CONTENT_ANY)
  content!: string;
}

export class MessagesQuery {
  @ApiPropertyOptional({ minimum: 0, description: 'newest first, below this seq' })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  beforeSeq?: number;

  @ApiPropertyOptional({
    minimum: 0,
    description: 'oldest first, above this seq (0: from the first)',
  })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  afterSeq?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class ChangesQuery extends PageQuery {
  @ApiPropertyOptional({ minimum: 0 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  sinceVersion?: number;
}

export class ReportMessageDto {
  @ApiProperty({ minLength: 1, maxLength: 500 })
  @IsString()
  @CharLength(1, 500)
  reason!: string;
}

export class ReadDto {
  @ApiProperty({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  upToSeq!: number;
}
