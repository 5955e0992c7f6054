import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { DomainEvents, MessageEvent } from '../common/events/domain-events';
import { ConversationViews } from '../conversations/conversation-views';
import { ConversationsRepository } from '../conversations/conversations.repository';
import { ParticipantRow } from '../conversations/entities/conversation.row';
import { MessageViews } from '../messages/message-views';
import { MessagesRepository } from '../messages/messages.repository';
import { ContactsRepository } from '../presence/contacts.repository';
import { RealtimeEmitter } from './realtime-emitter';
import { SerialQueue } from './serial-queue';
import { perTurnLoader } from '../database/per-turn-loader';

/** Active members who can see a message of this seq (not those who joined after it). */
const canSee = (p: ParticipantRow, seq: number): boolean =>
  p.status === 'active' && BigInt(p.visible_after_seq) < BigInt(seq);

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
  /** The members of the conversations asked for in one turn of the event loop, in one query. */
  private readonly members = perTurnLoader<string, ParticipantRow[]>(async (ids) => {
    const rows = await this.conversations.participants([...ids]);
    return ids.map((id) => rows.filter((p) => p.conversation_id === id));
  });

  constructor(
    private readonly emitter: RealtimeEmitter,
    private readonly conversations: ConversationsRepository,
    private readonly conversationViews: ConversationViews,
    private readonly messages: MessagesRepository,
    private readonly messageViews: MessageViews,
    private readonly contacts: ContactsRepository,
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
  onMessageCreated(e: DomainEvents['message.created']): Promise<void> {
    return this.inOrder(e.conversationId, async () => {
      const recipientIds = ((await this.members.load(e.conversationId)) ?? [])
        .filter((p) => canSee(p, e.seq))
        .map((p) => p.user_id);
      const message = e.message ?? (await this.render(e, recipientIds[0]))[0];
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
  onMessageUpdated(e: DomainEvents['message.updated']): Promise<void> {
    return this.inOrder(e.conversationId, async () => {
      const recipients = (await this.conversations.participants([e.conversationId])).filter((p) =>
        canSee(p, e.seq),
      );
      // reactedByMe differs per viewer: render for each (a group has at most 10 members)
      for (const p of recipients) {
        const [message] = await this.render(e, p.user_id);
        if (message) {
          this.emitter.toUsers(
            [p.user_id],
            'message:updated',
            { conversationId: e.conversationId, message },
            e.origin?.socketId,
          );
        }
      }
    });
  }

  @OnEvent('message.deleted')
  onMessageDeleted(e: DomainEvents['message.deleted']): Promise<void> {
    return this.inOrder(e.conversationId, async () => {
      const recipients = (await this.conversations.participants([e.conversationId])).filter((p) =>
        canSee(p, e.seq),
      );
      this.emitter.toUsers(
        recipients.map((p) => p.user_id),
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
      for (const p of await this.conversations.participants([e.conversationId])) {
        await this.sendView(
          e.conversationId,
          p.user_id,
          'conversation:updated',
          e.origin?.socketId,
        );
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
      const members = (await this.conversations.participants([e.conversationId])).filter(
        (p) => p.status === 'active',
      );
      const { origin: _origin, ...payload } = e;
      this.emitter.toUsers(
        members.map((p) => p.user_id),
        'receipt',
        payload,
        e.origin?.socketId,
      );
    });
  }

  @OnEvent('presence.changed')
  async onPresenceChanged(e: DomainEvents['presence.changed']): Promise<void> {
    await this.guard('presence', async () => {
      this.emitter.toUsers(await this.contacts.contactIds(e.userId), 'presence', e);
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

  private async render(e: MessageEvent, viewerId: string | undefined) {
    const row = await this.messages.findById(e.conversationId, e.messageId);
    return row && viewerId ? this.messageViews.render([row], viewerId) : [];
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
