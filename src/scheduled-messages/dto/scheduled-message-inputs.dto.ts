import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsString, IsUUID } from 'class-validator';
import { PageQuery } from '../../common/pagination/page';
import { CharLength, Optional } from '../../common/validation/validators';
import { SCHEDULED_STATUSES, ScheduledStatus } from '../entities/scheduled-message.row';

/** The longest content of any conversation: e2e ciphertext (16 KiB as base64). */
const MAX_CONTENT_ANY = Math.ceil((16 * 1024) / 3) * 4;

export class ListScheduledMessagesQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @Optional()
  @IsUUID()
  conversationId?: string;

  @ApiPropertyOptional({ enum: SCHEDULED_STATUSES })
  @Optional()
  @IsIn(SCHEDULED_STATUSES)
  status?: ScheduledStatus;
}

export class UpdateScheduledMessageDto {
  @ApiPropertyOptional({
    minLength: 0,
    maxLength: 4000,
    description: '1..4000 characters after trimming; 0.. with attachments',
  })
  @Optional()
  @IsString()
  @CharLength(0, MAX_CONTENT_ANY)
  content?: string;

  @ApiPropertyOptional({ format: 'date-time', description: '10 s to 30 days ahead' })
  @Optional()
  @IsISO8601({ strict: true })
  sendAt?: string;
}
