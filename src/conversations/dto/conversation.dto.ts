import { ApiProperty } from '@nestjs/swagger';
import { MessageDto } from '../../messages/dto/message.dto';

export class ParticipantDto {
  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty()
  displayName!: string;

  @ApiProperty({ type: String, nullable: true })
  avatarUrl!: string | null;

  @ApiProperty({ enum: ['admin', 'member'] })
  role!: 'admin' | 'member';

  @ApiProperty({ enum: ['active', 'invited'] })
  status!: 'active' | 'invited';

  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'null while invited',
  })
  joinedAt!: string | null;

  @ApiProperty()
  lastReadSeq!: number;
}

export class ConversationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['direct', 'group'] })
  type!: 'direct' | 'group';

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'for a direct conversation: the other participant’s name',
  })
  title!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'job:123' })
  contextId!: string | null;

  @ApiProperty({ enum: ['none', 'at_rest', 'e2e'] })
  encryption!: 'none' | 'at_rest' | 'e2e';

  @ApiProperty()
  allowFileSharing!: boolean;

  @ApiProperty({ format: 'uuid' })
  createdBy!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ type: [ParticipantDto] })
  participants!: ParticipantDto[];

  @ApiProperty({ type: MessageDto, nullable: true })
  lastMessage!: MessageDto | null;

  @ApiProperty()
  lastSeq!: number;

  @ApiProperty()
  lastVersion!: number;

  @ApiProperty()
  unreadCount!: number;

  @ApiProperty()
  archived!: boolean;

  @ApiProperty()
  muted!: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'null: muted until unmuted',
  })
  mutedUntil!: string | null;

  @ApiProperty({ type: String, nullable: true, enum: ['pending'] })
  invitation!: 'pending' | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: 3650,
    description: 'messages older than this many days become tombstones; null: the server default',
  })
  retentionDays!: number | null;
}
