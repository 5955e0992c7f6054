import { ApiProperty } from '@nestjs/swagger';
import { ErrorBody } from '../../common/errors/error-body';
import { ConversationDto } from '../../conversations/dto/conversation.dto';
import { MessageDto } from '../../messages/dto/message.dto';
import { PresenceDto } from '../../presence/presence-queries.service';

export class MessageEventDto {
  @ApiProperty({ format: 'uuid' })
  conversationId!: string;

  @ApiProperty({ type: MessageDto })
  message!: MessageDto;
}

export class MessageDeletedEventDto {
  @ApiProperty({ format: 'uuid' })
  conversationId!: string;

  @ApiProperty({ format: 'uuid' })
  messageId!: string;

  @ApiProperty()
  seq!: number;

  @ApiProperty()
  version!: number;
}

export class TypingEventDto {
  @ApiProperty({ format: 'uuid' })
  conversationId!: string;

  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty()
  displayName!: string;

  @ApiProperty()
  isTyping!: boolean;
}

export class ReceiptEventDto {
  @ApiProperty({ format: 'uuid' })
  conversationId!: string;

  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty({ enum: ['delivered', 'read'] })
  kind!: 'delivered' | 'read';

  @ApiProperty()
  upToSeq!: number;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

/** Same shape as `GET /presence` items. */
export class PresenceEventDto extends PresenceDto {}

export class ConversationEventDto {
  @ApiProperty({ type: ConversationDto, description: 'as seen by the receiver' })
  conversation!: ConversationDto;
}

export class ConversationRemovedEventDto {
  @ApiProperty({ format: 'uuid' })
  conversationId!: string;
}

export class SyncResultDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { $ref: '#/components/schemas/MessageDto' } },
    description: 'per listed conversation, up to 200 changes after its version, oldest first',
  })
  changes!: Record<string, MessageDto[]>;

  @ApiProperty({
    type: [ConversationDto],
    description: 'conversations not listed in `since`, newest activity first (≤ 100)',
  })
  conversations!: ConversationDto[];

  @ApiProperty({ description: 'some list was cut: call again with the new versions' })
  hasMore!: boolean;
}

export class AckErrorDto {
  @ApiProperty({ enum: [false] })
  ok!: false;

  @ApiProperty({ type: ErrorBody })
  error!: ErrorBody;
}

export class EmptyDto {}

export class LastReadSeqDto {
  @ApiProperty()
  lastReadSeq!: number;
}
