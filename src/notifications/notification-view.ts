import { NotificationDto } from './dto/notification.dto';
import { NotificationRow } from './entities/notification.row';

export function toNotificationDto(row: NotificationRow): NotificationDto {
  return {
    id: row.id,
    type: row.type,
    conversationId: row.conversation_id,
    messageId: row.message_id,
    title: row.title,
    body: row.body,
    isRead: row.read_at !== null,
    createdAt: row.created_at.toISOString(),
  };
}
