import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { Optional, CharLength } from '../../common/validation/validators';
import { PageQuery } from '../../common/pagination/page';
import { MessageContentInput } from '../../messages/dto/message-inputs.dto';

export const CONTEXT_ID = /^[A-Za-z0-9:_-]{1,128}$/;

export class CreateConversationDto {
  @ApiProperty({ enum: ['direct', 'group'] })
  @IsIn(['direct', 'group'])
  type!: 'direct' | 'group';

  @ApiProperty({ type: [String], format: 'uuid', description: 'the others; the caller is added' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  participantIds!: string[];

  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @Optional()
  @IsString()
  @CharLength(1, 100)
  title?: string;

  @ApiPropertyOptional({ pattern: CONTEXT_ID.source, example: 'job:123' })
  @Optional()
  @Matches(CONTEXT_ID, { message: 'contextId must be 1..128 of A-Za-z0-9:_-' })
  contextId?: string;

  @ApiPropertyOptional({
    enum: ['none', 'at_rest', 'e2e'],
    default: 'none',
    description:
      'at_rest: stored encrypted, moderated, not searchable. e2e: clients encrypt; content is base64 ciphertext the server cannot read (no moderation, search or previews).',
  })
  @Optional()
  @IsIn(['none', 'at_rest', 'e2e'])
  encryption?: 'none' | 'at_rest' | 'e2e';

  @ApiPropertyOptional({ default: true })
  @Optional()
  @IsBoolean()
  allowFileSharing?: boolean;
}

export class UpdateConversationDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @Optional()
  @IsString()
  @CharLength(1, 100)
  title?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsBoolean()
  allowFileSharing?: boolean;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: 3650,
    description:
      'days messages are kept; null: the server default. Also either side of a direct conversation',
  })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsInt()
  @Min(1)
  @Max(3650)
  retentionDays?: number | null;
}

export class ListConversationsQuery extends PageQuery {
  @ApiPropertyOptional({ default: false })
  @Optional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  archived?: boolean;
}

export class AddParticipantsDto {
  @ApiProperty({ type: [String], format: 'uuid' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  userIds!: string[];
}

export class SetRoleDto {
  @ApiProperty({ enum: ['admin', 'member'] })
  @IsIn(['admin', 'member'])
  role!: 'admin' | 'member';
}

export class MuteDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'absent: until unmuted' })
  @Optional()
  @IsISO8601({ strict: true })
  until?: string;
}

export class DirectMessageDto extends MessageContentInput {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  recipientId!: string;

  @ApiPropertyOptional({ pattern: CONTEXT_ID.source })
  @Optional()
  @Matches(CONTEXT_ID, { message: 'contextId must be 1..128 of A-Za-z0-9:_-' })
  contextId?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 64 })
  @Optional()
  @IsString()
  @Length(1, 64)
  clientMessageId?: string;
}
