import { ApiProperty } from '@nestjs/swagger';
import { AttachmentDto } from '../../attachments/dto/attachment.dto';
import { PublicUserDto } from '../../users/dto/user.dto';

export class ReactionDto {
  @ApiProperty({ example: '👍' })
  emoji!: string;

  @ApiProperty()
  count!: number;

  @ApiProperty()
  reactedByMe!: boolean;
}

/** The contract's Attachment, owned by the attachments module. */
export { AttachmentDto };

export class SystemEventDto {
  @ApiProperty({
    enum: [
      'group_created',
      'members_added',
      'member_removed',
      'member_left',
      'title_changed',
      'invitation_accepted',
      'retention_changed',
    ],
  })
  kind!: string;

  @ApiProperty({ format: 'uuid', description: 'who made the change' })
  actorId!: string;

  @ApiProperty({ type: [String], required: false, description: 'the members concerned' })
  userIds?: string[];

  @ApiProperty({ required: false, description: 'the new title' })
  title?: string;

  @ApiProperty({
    type: Number,
    nullable: true,
    required: false,
    description: 'retention_changed: the new retention in days; null: the server default',
  })
  retentionDays?: number | null;
}

export class MessageDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  conversationId!: string;

  @ApiProperty({ description: 'per conversation, from 1, no gaps' })
  seq!: number;

  @ApiProperty({ description: 'the conversation version of this message’s last change' })
  version!: number;

  @ApiProperty({ type: String, nullable: true })
  clientMessageId!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  senderId!: string | null;

  @ApiProperty({ type: PublicUserDto, nullable: true })
  sender!: PublicUserDto | null;

  @ApiProperty({
    enum: ['text', 'file', 'image', 'audio', 'system'],
    description: '`image` or `audio` when all its attachments are of that kind, `file` otherwise',
  })
  type!: 'text' | 'file' | 'image' | 'audio' | 'system';

  @ApiProperty()
  content!: string;

  @ApiProperty({ example: 'ar' })
  language!: string;

  @ApiProperty({ enum: ['ltr', 'rtl'] })
  direction!: 'ltr' | 'rtl';

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  replyToMessageId!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  threadRootId!: string | null;

  @ApiProperty()
  replyCount!: number;

  @ApiProperty({ type: [AttachmentDto] })
  attachments!: AttachmentDto[];

  @ApiProperty({ type: [ReactionDto] })
  reactions!: ReactionDto[];

  @ApiProperty()
  isEdited!: boolean;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  editedAt!: string | null;

  @ApiProperty()
  isDeleted!: boolean;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  deletedAt!: string | null;

  @ApiProperty({ enum: ['clean', 'masked', 'flagged'] })
  moderation!: 'clean' | 'masked' | 'flagged';

  @ApiProperty({
    type: SystemEventDto,
    nullable: true,
    description: 'for `system` messages: what happened',
  })
  system!: SystemEventDto | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
