import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Dispatched } from '../common/events/domain-events';
import { perTurnLoader } from '../database/per-turn-loader';
import { MessageQueriesService } from '../messages/message-queries.service';
import { OrderedBy, WebhookDeliveries } from './webhook-deliveries';
import { ForwardedEvent, isMessageEvent } from './webhook-events';
import { WebhookRow, WebhooksRepository } from './webhooks.repository';

type AnyForwarded = Dispatched<ForwardedEvent> & { origin?: unknown };

/**
 * Turns durable events, as the outbox dispatches them after their commit, into webhook
 * deliveries. Each handler resolves once the deliveries are stored and queued and rejects when
 * that failed, so the outbox keeps the event and dispatches it again (at least once); a repeat
 * stores nothing new (one delivery per webhook and event).
 */
@Injectable()
export class WebhooksListener {
  /** The webhooks subscribed to each event type, read once per turn of the event loop. */
  private readonly subscribers = perTurnLoader<string, WebhookRow[]>(async (types) => {
    const rows = await this.webhooks.subscribed(types);
    return types.map((t) => rows.filter((w) => w.events.includes(t)));
  });

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly deliveries: WebhookDeliveries,
    private readonly messages: MessageQueriesService,
  ) {}

  @OnEvent('message.created', { suppressErrors: false })
  onMessageCreated(e: Dispatched<'message.created'>): Promise<void> {
    return this.forward('message.created', e);
  }

  @OnEvent('message.updated', { suppressErrors: false })
  onMessageUpdated(e: Dispatched<'message.updated'>): Promise<void> {
    return this.forward('message.updated', e);
  }

  @OnEvent('message.deleted', { suppressErrors: false })
  onMessageDeleted(e: Dispatched<'message.deleted'>): Promise<void> {
    return this.forward('message.deleted', e);
  }

  @OnEvent('conversation.created', { suppressErrors: false })
  onConversationCreated(e: Dispatched<'conversation.created'>): Promise<void> {
    return this.forward('conversation.created', e);
  }

  @OnEvent('conversation.updated', { suppressErrors: false })
  onConversationUpdated(e: Dispatched<'conversation.updated'>): Promise<void> {
    return this.forward('conversation.updated', e);
  }

  @OnEvent('conversation.member_added', { suppressErrors: false })
  onMemberAdded(e: Dispatched<'conversation.member_added'>): Promise<void> {
    return this.forward('conversation.member_added', e);
  }

  @OnEvent('conversation.member_removed', { suppressErrors: false })
  onMemberRemoved(e: Dispatched<'conversation.member_removed'>): Promise<void> {
    return this.forward('conversation.member_removed', e);
  }

  @OnEvent('moderation.flagged', { suppressErrors: false })
  onFlagged(e: Dispatched<'moderation.flagged'>): Promise<void> {
    return this.forward('moderation.flagged', e);
  }

  @OnEvent('user.registered', { suppressErrors: false })
  onRegistered(e: Dispatched<'user.registered'>): Promise<void> {
    return this.forward('user.registered', e);
  }

  private async forward(type: ForwardedEvent, e: AnyForwarded): Promise<void> {
    const subscribed = (await this.subscribers.load(type)) ?? [];
    if (subscribed.length === 0) return;
    const content = await this.content(type, e);
    if (!content) return;
    await this.deliveries.enqueue(subscribed, type, e.eventId, content.data, content.orderedBy);
  }

  /**
   * `data` of an event: message events carry the Message as the server holds it now (read
   * again: the outbox keeps ids only), other events their own fields.
   */
  private async content(
    type: ForwardedEvent,
    e: AnyForwarded,
  ): Promise<{ data: unknown; orderedBy: OrderedBy | null } | null> {
    if (isMessageEvent(type)) {
      const m = e as Dispatched<'message.created'>;
      const message = await this.messages.forIntegration(m.conversationId, m.messageId);
      if (!message) return null;
      return { data: message, orderedBy: { key: m.conversationId, pos: String(m.version) } };
    }
    const { eventId: _eventId, origin: _origin, ...data } = e;
    return { data, orderedBy: null };
  }
}
