import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { ConversationViews } from '../conversations/conversation-views';
import { ConversationsRepository } from '../conversations/conversations.repository';
import { MessageDto } from '../messages/dto/message.dto';
import { MessageViews } from '../messages/message-views';
import { MessagesRepository } from '../messages/messages.repository';
import { SyncResultDto } from './dto/socket-events.dto';

export const SYNC_CHANGES_PER_CONVERSATION = 200;
export const SYNC_CONVERSATIONS = 100;

/**
 * What a reconnecting client missed: per conversation it knows, every change after its
 * version (tombstones included), and the conversations it does not know yet.
 */
@Injectable()
export class SyncService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly conversationViews: ConversationViews,
    private readonly messages: MessagesRepository,
    private readonly messageViews: MessageViews,
  ) {}

  async sync(caller: AuthUser, since: Record<string, number>): Promise<SyncResultDto> {
    const listed = Object.keys(since);
    const memberships = await this.conversations.memberships(caller.id, listed);
    const changes: Record<string, MessageDto[]> = {};
    let hasMore = false;
    for (const m of memberships) {
      const known = String(since[m.conversation_id]);
      if (BigInt(m.last_version) <= BigInt(known)) continue;
      const rows = await this.messages.changes(
        m.conversation_id,
        known,
        m.visible_after_seq,
        SYNC_CHANGES_PER_CONVERSATION + 1,
      );
      if (rows.length > SYNC_CHANGES_PER_CONVERSATION) hasMore = true;
      changes[m.conversation_id] = await this.messageViews.render(
        rows.slice(0, SYNC_CHANGES_PER_CONVERSATION),
        caller.id,
      );
    }
    const others = await this.conversations.recentExcept(caller.id, listed, SYNC_CONVERSATIONS + 1);
    if (others.length > SYNC_CONVERSATIONS) hasMore = true;
    const conversations = await this.conversationViews.render(
      others.slice(0, SYNC_CONVERSATIONS),
      caller.id,
    );
    return { changes, conversations, hasMore };
  }
}
