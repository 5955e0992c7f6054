import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { ConversationViews } from '../conversations/conversation-views';
import { MessageDto } from '../messages/dto/message.dto';
import { MessageQueriesService } from '../messages/message-queries.service';
import { MessageViews } from '../messages/message-views';
import type { SentMessage } from '../messages/messages.repository';
import { Visibility } from '../visibility/visibility.service';
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
    private readonly visibility: Visibility,
    private readonly conversationViews: ConversationViews,
    private readonly messages: MessageQueriesService,
    private readonly messageViews: MessageViews,
  ) {}

  async sync(caller: AuthUser, since: Record<string, number>): Promise<SyncResultDto> {
    const listed = Object.keys(since);
    const memberships = await this.visibility.positions(caller.id, listed);
    const stale = memberships.filter(
      (m) => BigInt(m.last_version) > BigInt(String(since[m.conversation_id])),
    );
    // one statement for every listed conversation, however many (≤ 500)
    const rows = await this.messages.changesOf(
      caller.id,
      stale.map((m) => ({
        conversationId: m.conversation_id,
        sinceVersion: String(since[m.conversation_id]),
      })),
      SYNC_CHANGES_PER_CONVERSATION + 1,
    );
    const byConversation = new Map<string, SentMessage[]>();
    for (const row of rows) {
      const list = byConversation.get(row.conversation_id) ?? [];
      list.push(row);
      byConversation.set(row.conversation_id, list);
    }
    let hasMore = false;
    const kept: SentMessage[] = [];
    for (const list of byConversation.values()) {
      if (list.length > SYNC_CHANGES_PER_CONVERSATION) hasMore = true;
      kept.push(...list.slice(0, SYNC_CHANGES_PER_CONVERSATION));
    }
    const changes: Record<string, MessageDto[]> = Object.fromEntries(
      stale.map((m) => [m.conversation_id, []]),
    );
    for (const message of await this.messageViews.render(kept, caller.id)) {
      (changes[message.conversationId] ??= []).push(message);
    }
    const others = await this.conversationViews.recentExcept(
      caller.id,
      listed,
      SYNC_CONVERSATIONS + 1,
    );
    if (others.length > SYNC_CONVERSATIONS) hasMore = true;
    const conversations = await this.conversationViews.render(
      others.slice(0, SYNC_CONVERSATIONS),
      caller.id,
    );
    return { changes, conversations, hasMore };
  }
}
