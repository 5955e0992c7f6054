import { ApiProperty } from '@nestjs/swagger';
import {
  SCHEDULED_STATUSES,
  ScheduledMessageRow,
  ScheduledStatus,
} from '../entities/scheduled-message.row';

/** A message to be sent later by its author (API.md, Scheduled messages). */
export class ScheduledMessageDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  conversationId!: string;

  @ApiProperty()
  content!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  replyToMessageId!: string | null;

  @ApiProperty({ type: [String], format: 'uuid' })
  attachmentIds!: string[];

  @ApiProperty({ format: 'date-time' })
  sendAt!: string;

  @ApiProperty({ enum: SCHEDULED_STATUSES })
  status!: ScheduledStatus;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'the message it became, once `sent`',
  })
  messageId!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'BLOCKED',
    description: 'once `failed`: the error code the send answered',
  })
  failure!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export function toScheduledMessageDto(r: ScheduledMessageRow): ScheduledMessageDto {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    content: r.content,
    replyToMessageId: r.reply_to_message_id,
    attachmentIds: r.attachment_ids,
    sendAt: r.send_at.toISOString(),
    status: r.status,
    messageId: r.message_id,
    failure: r.failure,
    createdAt: r.created_at.toISOString(),
  };
}
