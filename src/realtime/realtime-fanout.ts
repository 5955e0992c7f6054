import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Dispatched, DomainEvents } from '../common/events/domain-events';
import { RecentIds } from '../common/events/recent-ids';
import { ConversationViews } from '../conversations/conversation-views';
import { ParticipantsService } from '../conversations/participants.service';
import { MessageViews } from '../messages/message-views';
import { PresenceService } from '../presence/presence.service';
import { RealtimeEmitter } from './realtime-emitter';
import { SerialQueue } from './serial-queue';
import { Visibility } from '../visibility/visibility.service';

/**
 * Turns committed domain events, as the outbox dispatches them, into Socket.IO events for
 * exactly the users who may see them. Recipients are read after the commit (the members of
 * every conversation with a new message in one turn of the event loop, in one query), so a
 * member removed a moment ago gets nothing more. At most once: clients `sync` after a gap.
 */
@Injectable()
export class RealtimeFanout implements BeforeApplicationShutdown {
  private readonly logger = new Logger('RealtimeFanout');
  private readonly queue = new SerialQueue();
  /** message events this node has fanned out: a repeat from the outbox is not sent again */
  private readonly fannedOut = new RecentIds(10_000);

  constructor(
    private readonly emitter: RealtimeEmitter,
    private readonly participants: ParticipantsService,
    private readonly conversationViews: ConversationViews,
    private readonly messageViews: MessageViews,
    private readonly presence: PresenceService,
    private readonly visibility: Visibility,
  ) {}

  /** Fan-outs in flight finish before the socket server and its Redis clients close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.queue.drain();
  }

  /** Resolves once every fan-out queued so far, and any queued meanwhile, is done (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  @OnEvent('message.created')
  onMessageCreated(e: Dispatched<'message.created'>): Promise<void> {
    if (!this.fannedOut.add(e.eventId)) return Promise.resolve();
    return this.inOrder(e.conversationId, async () => {
      const recipientIds = await this.visibility.recipients(e.conversationId, e.seq);
      const message =
        e.message ??
        (recipientIds[0]
          ? await this.messageViews.byId(e.conversationId, e.messageId, recipientIds[0])
          : null);
      if (!message) return;
      this.emitter.toUsers(
        recipientIds,
        'message:new',
        { conversationId: e.conversationId, message },
        e.origin?.socketId,
      );
    });
  }

  @OnEvent('message.updated')
  onMessageUpdated(e: Dispatched<'message.updated'>): Promise<void> {
    if (!this.fannedOut.add(e.eventId)) return Promise.resolve();
    return this.inOrder(e.conversationId, async () => {
      const recipientIds = await this.visibility.recipients(e.conversationId, e.seq);
      // reactedByMe differs per viewer: render for each (a group has at most 10 members)
      for (const userId of recipientIds) {
        const message = await this.messageViews.byId(e.conversationId, e.messageId, userId);
        if (message) {
          this.emitter.toUsers(
            [userId],
            'message:updated',
            { conversationId: e.conversationId, message },
            e.origin?.socketId,
          );
        }
      }
    });
  }

  @OnEvent('message.deleted')
  onMessageDeleted(e: Dispatched<'message.deleted'>): Promise<void> {
    if (!this.fannedOut.add(e.eventId)) return Promise.resolve();
    return this.inOrder(e.conversationId, async () => {
      this.emitter.toUsers(
        await this.visibility.recipients(e.conversationId, e.seq),
        'message:deleted',
        {
          conversationId: e.conversationId,
          messageId: e.messageId,
          seq: e.seq,
          version: e.version,
        },
        e.origin?.socketId,
      );
    });
  }

  @OnEvent('conversation.created')
  onConversationCreated(e: DomainEvents['conversation.created']): Promise<void> {
    return this.inOrder(e.conversationId, async () => {
      for (const userId of e.userIds)
        await this.sendView(e.conversationId, userId, 'conversation:new', e.origin?.socketId);
    });
  }

  @OnEvent('conversation.updated')
  onConversationUpdated(e: DomainEvents['conversation.updated']): Promise<void> {
    return this.inOrder(e.conversationId, async () => {
      for (const userId of await this.participants.participantIds(e.conversationId)) {
        await this.sendView(e.conversationId, userId, 'conversation:updated', e.origin?.socketId);
      }
    });
  }

  @OnEvent('conversation.view_changed')
  onViewChanged(e: DomainEvents['conversation.view_changed']): Promise<void> {
    return this.inOrder(e.conversationId, () =>
      this.sendView(e.conversationId, e.userId, 'conversation:updated', e.origin?.socketId),
    );
  }

  @OnEvent('conversation.removed')
  onConversationRemoved(e: DomainEvents['conversation.removed']): Promise<void> {
    return this.inOrder(e.conversationId, async () => {
      this.emitter.toUsers(
        [e.userId],
        'conversation:removed',
        { conversationId: e.conversationId },
        e.origin?.socketId,
      );
    });
  }

  @OnEvent('receipt')
  onReceipt(e: DomainEvents['receipt']): Promise<void> {
    return this.inOrder(e.conversationId, async () => {
      const { origin: _origin, ...payload } = e;
      this.emitter.toUsers(
        await this.visibility.members(e.conversationId),
        'receipt',
        payload,
        e.origin?.socketId,
      );
    });
  }

  @OnEvent('presence.changed')
  async onPresenceChanged(e: DomainEvents['presence.changed']): Promise<void> {
    await this.guard('presence', async () => {
      this.emitter.toUsers(await this.presence.contactIds(e.userId), 'presence', e);
    });
  }

  @OnEvent('user.suspended')
  onUserSuspended(e: DomainEvents['user.suspended']): void {
    this.emitter.disconnectUser(e.userId);
  }

  @OnEvent('session.revoked')
  onSessionRevoked(e: DomainEvents['session.revoked']): void {
    this.emitter.disconnectSession(e.sessionId);
  }

  private async sendView(
    conversationId: string,
    userId: string,
    event: 'conversation:new' | 'conversation:updated',
    exceptSocketId?: string,
  ): Promise<void> {
    const conversation = await this.conversationViews.forViewer(conversationId, userId);
    if (conversation) this.emitter.toUsers([userId], event, { conversation }, exceptSocketId);
  }

  private inOrder(conversationId: string, task: () => Promise<void>): Promise<void> {
    return this.queue.run(conversationId, () => this.guard(conversationId, task));
  }

  /** Delivery is at most once: a failed fan-out is logged, never thrown into the sender. */
  private async guard(what: string, task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (err) {
      this.logger.warn({ err }, `fan-out for ${what} failed`);
    }
  }
}
