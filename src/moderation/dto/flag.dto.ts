import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString } from 'class-validator';
import { PageQuery } from '../../common/pagination/page';
import { CharLength, Optional } from '../../common/validation/validators';
import type { FlagRow } from '../flags.repository';

export class FlagDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  messageId!: string;

  @ApiProperty({ format: 'uuid' })
  conversationId!: string;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  senderId!: string | null;

  @ApiProperty({
    type: [String],
    example: ['contact_info'],
    description: 'checks that fired, or `reported`',
  })
  reasons!: string[];

  @ApiProperty({ type: [String], description: 'what matched, as written' })
  matched!: string[];

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  reporterId!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'the reporter’s reason' })
  reportReason!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the message as written when flagged (reviewers only)',
  })
  content!: string | null;

  @ApiProperty({ enum: ['open', 'resolved'] })
  status!: 'open' | 'resolved';

  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['dismiss', 'remove_message', 'suspend_user'],
  })
  resolution!: string | null;

  @ApiProperty({ type: String, nullable: true })
  note!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  resolvedAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export function toFlag(r: FlagRow): FlagDto {
  return {
    id: r.id,
    messageId: r.message_id,
    conversationId: r.conversation_id,
    senderId: r.sender_id,
    reasons: r.reasons,
    matched: r.matched,
    reporterId: r.reporter_id,
    reportReason: r.report_reason,
    content: r.content,
    status: r.status,
    resolution: r.resolution,
    note: r.note,
    resolvedAt: r.resolved_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
  };
}

export class FlagsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['open', 'resolved'], default: 'open' })
  @Optional()
  @IsIn(['open', 'resolved'])
  status?: 'open' | 'resolved';
}

export class ResolveFlagDto {
  @ApiProperty({ enum: ['dismiss', 'remove_message', 'suspend_user'] })
  @IsIn(['dismiss', 'remove_message', 'suspend_user'])
  action!: 'dismiss' | 'remove_message' | 'suspend_user';

  @ApiPropertyOptional({ maxLength: 500 })
  @Optional()
  @IsString()
  @CharLength(1, 500)
  note?: string;
}
