import { Injectable } from '@nestjs/common';
import { DomainEventBus } from '../common/events/domain-event-bus';
import { EventOrigin } from '../common/events/domain-events';
import { Transactions } from '../database/transactions';
import { MessageRow, SystemEvent } from './entities/message.row';
import { eventOf } from './message-events';
import { MessagesRepository } from './messages.repository';

/** The English line a client can show as is; `system` carries the structured event. */
export function describeSystemEvent(event: SystemEvent, names: Map<string, string>): string {
  const actor = names.get(event.actorId) ?? 'Someone';
  const users = (event.userIds ?? []).map((id) => names.get(id) ?? 'someone').join(', ');
  switch (event.kind) {
    case 'group_created':
      return event.title
        ? `${actor} created the group "${event.title}"`
        : `${actor} created the group`;
    case 'members_added':
      return `${actor} added ${users}`;
    case 'member_removed':
      return `${actor} removed ${users}`;
    case 'member_left':
      return `${actor} left`;
    case 'title_changed':
      return `${actor} changed the title to "${event.title ?? ''}"`;
    case 'invitation_accepted':
      return `${actor} joined`;
    case 'retention_changed':
      return event.retentionDays
        ? `${actor} set messages to disappear after ${event.retentionDays} days`
        : `${actor} set messages to be kept by the default policy`;
  }
}

/** The system messages that membership and settings changes leave in the log. */
@Injectable()
export class SystemMessages {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly events: DomainEventBus,
    private readonly transactions: Transactions,
  ) {}

  /**
   * Appends a system message, and its `message.created`, inside the caller's transaction; the
   * member whose action made it has it read.
   */
  async append(
    conversationId: string,
    event: SystemEvent,
    origin?: EventOrigin,
  ): Promise<MessageRow> {
    const names = await this.messages.displayNames([event.actorId, ...(event.userIds ?? [])]);
    const [row] = await this.messages.appendMany([
      {
        conversationId,
        senderId: null,
        clientMessageId: null,
        type: 'system',
        content: describeSystemEvent(event, names),
        language: 'en',
        direction: 'ltr',
        systemEvent: event,
        replyToMessageId: null,
        threadRootId: null,
        moderation: 'clean',
        readerId: event.actorId,
      },
    ]);
    // its outbox row was written with it; announced once the caller's transaction commits
    this.transactions.afterCommit(() =>
      this.events.committed(
        { id: row.outbox_id, event_id: row.outbox_event_id, name: 'message.created' },
        { ...eventOf(row, origin), type: 'system' },
      ),
    );
    return row;
  }
}
