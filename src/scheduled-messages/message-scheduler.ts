import type { AuthUser } from '../common/auth/auth-user';
import type { SendMessageDto } from '../messages/dto/message-inputs.dto';
import type { ScheduledMessageDto } from './dto/scheduled-message.dto';

/**
 * What the messages controller needs of scheduling: `POST …/messages` with `sendAt` stores a
 * scheduled message instead of sending. An abstract token (ScheduledMessagesModule provides
 * it, globally) so MessagesModule does not import the module that itself sends through it.
 */
export abstract class MessageScheduler {
  abstract schedule(
    caller: AuthUser,
    conversationId: string,
    input: SendMessageDto,
  ): Promise<ScheduledMessageDto>;
}
