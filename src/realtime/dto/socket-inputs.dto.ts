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
