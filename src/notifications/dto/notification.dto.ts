import { ApiProperty } from '@nestjs/swagger';

export const NOTIFICATION_TYPES = ['message', 'mention', 'group_invite', 'system'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export class NotificationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    enum: NOTIFICATION_TYPES,
    description: '`mention` when the message names you as `@displayName`',
  })
  type!: NotificationType;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  conversationId!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  messageId!: string | null;

  @ApiProperty({
    example: 'Alice · Team',
    description: 'the sender (and the group’s title), or the group you were invited to',
  })
  title!: string;

  @ApiProperty({
    example: 'See you at 5',
    description: 'a short preview; empty for encrypted conversations',
  })
  body!: string;

  @ApiProperty({ description: 'notifications of a muted conversation are stored already read' })
  isRead!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

/** Payload of the `notification:new` socket event. */
export class NotificationEventDto {
  @ApiProperty({ type: NotificationDto })
  notification!: NotificationDto;
}

export class UnreadCountDto {
  @ApiProperty({ example: 3 })
  count!: number;
}

export class VapidPublicKeyDto {
  @ApiProperty({
    description: 'the VAPID public key (URL-safe base64): `applicationServerKey` of `subscribe()`',
  })
  publicKey!: string;
}

export class PushSubscriptionCreatedDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
}
