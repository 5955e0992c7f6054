import { ApiProperty } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  registerDecorator,
  ValidationArguments,
  ValidationOptions,
} from 'class-validator';
import { SendMessageFields } from '../../messages/dto/message-inputs.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class SocketSendDto extends SendMessageFields {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  conversationId!: string;

  @ApiProperty({ minLength: 1, maxLength: 64, description: 'required over the socket' })
  @IsString()
  @Length(1, 64)
  clientMessageId!: string;
}

export class ConversationRefDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  conversationId!: string;
}

export class UpToSeqDto extends ConversationRefDto {
  @ApiProperty({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  upToSeq!: number;
}

export class PresenceSetDto {
  @ApiProperty({ enum: ['online', 'away'] })
  @IsIn(['online', 'away'])
  status!: 'online' | 'away';
}

export const MAX_SYNC_ENTRIES = 500;

/** `{ [conversationId]: version }` with at most 500 entries. */
function IsVersionMap(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isVersionMap',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: (args: ValidationArguments) =>
          `${args.property} must map at most ${MAX_SYNC_ENTRIES} conversation ids to versions (integers ≥ 0)`,
        ...options,
      },
      validator: {
        validate(value: unknown): boolean {
          if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= MAX_SYNC_ENTRIES &&
            entries.every(
              ([id, v]) => UUID.test(id) && Number.isSafeInteger(v) && (v as number) >= 0,
            )
          );
        },
      },
    });
}

export class SyncDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 0 },
    description: 'the last version the client has of each conversation it knows (≤ 500)',
  })
  @IsObject()
  @IsVersionMap()
  since!: Record<string, number>;
}

/** validator.js's `all` without the nil and max UUIDs: never accepts what `@IsUUID()` refuses. */
const STRICT_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const QUICK_SEND_KEYS = new Set([
  'conversationId',
  'content',
  'clientMessageId',
  'replyToMessageId',
  'language',
]);

/**
 * `message:send` is the hot event: its everyday payload (text, a client id, perhaps a reply or
 * a language) is checked here without the validation pipe's reflection, to the same result
 * the pipe gives (trimmed strings, a SocketSendDto). Only a subset is accepted: anything else,
 * valid or not (attachments, an uncommon UUID, content near the limit), answers null and goes
 * through the pipe, which also explains every refusal. A property test holds the two together.
 */
export function quickSocketSend(payload: unknown): SocketSendDto | null {
  if (typeof payload !== 'object' || payload === null) return null;
  if (Object.getPrototypeOf(payload) !== Object.prototype) return null;
  const dto = new SocketSendDto();
  const fields = dto as unknown as Record<string, string>;
  for (const [key, raw] of Object.entries(payload)) {
    if (!QUICK_SEND_KEYS.has(key) || typeof raw !== 'string' || raw.includes('\u0000')) return null;
    fields[key] = raw.trim();
  }
  const { conversationId, content, clientMessageId, replyToMessageId, language } = dto;
  // UTF-16 lengths: at least the code point counts the pipe checks
  const ok =
    conversationId !== undefined &&
    STRICT_UUID.test(conversationId) &&
    content !== undefined &&
    content.length >= 1 &&
    content.length <= 4000 &&
    clientMessageId !== undefined &&
    clientMessageId.length >= 1 &&
    clientMessageId.length <= 64 &&
    (replyToMessageId === undefined || STRICT_UUID.test(replyToMessageId)) &&
    (language === undefined || /^[a-z]{2}$/.test(language));
  return ok ? dto : null;
}
