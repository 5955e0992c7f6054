import { EventOrigin, MessageEvent } from '../common/events/domain-events';
import { MessageRow } from './entities/message.row';

/** The domain event of a change to a message. */
export const eventOf = (row: MessageRow, origin?: EventOrigin): MessageEvent => ({
  conversationId: row.conversation_id,
  messageId: row.id,
  seq: Number(row.seq),
  version: Number(row.version),
  senderId: row.sender_id,
  origin,
});
