import { Injectable } from '@nestjs/common';
import type { Locale } from '../common/errors/error-messages';
import { Dispatched, DomainEvents } from '../common/events/domain-events';
import { AppConfig } from '../config/app-config';
import { RealtimeEmitter } from '../realtime/realtime-emitter';
import { MailSender } from './delivery/mail-sender';
import { NewNotification, NotificationRow } from './entities/notification.row';
import { JobQueue } from './jobs/job-queue';
import {
  attachmentBody,
  inviteBody,
  inviteTitle,
  mentions,
  messageTitle,
  preview,
} from './notification-text';
import { toNotificationDto } from './notification-view';
import { MessageContext, NotificationsRepository } from './notifications.repository';

/**
 * Turns committed events into in-app notifications, then announces the unread ones: a
 * `notification:new` event, and email and push jobs (which decide when they run whether to
 * send). Notifications of a muted conversation are stored already read, and nothing follows.
 */
@Injectable()
export class NotifierService {
  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly emitter: RealtimeEmitter,
    private readonly queue: JobQueue,
    private readonly mail: MailSender,
    private readonly config: AppConfig,
  ) {}

  /**
   * One batch of new messages: one query finds every recipient with the message's context,
   * one insert stores all their notifications.
   */
  async onMessages(events: DomainEvents['message.created'][]): Promise<void> {
    const byId = new Map(
      events.filter((e) => e.type !== 'system' && e.senderId !== null).map((e) => [e.messageId, e]),
    );
    if (byId.size === 0) return;
    const deliveries = await this.notifications.messageDeliveries([...byId.keys()]);
    const created = await this.notifications.insert(
      deliveries.map((d): NewNotification => {
        const e = byId.get(d.message_id)!;
        const text = readableText(e, d);
        return {
          userId: d.user_id,
          type: text !== null && mentions(text, d.display_name) ? 'mention' : 'message',
          conversationId: e.conversationId,
          messageId: e.messageId,
          actorId: e.senderId,
          title: messageTitle(
            d.sender_name ?? '',
            d.conversation_type === 'group' ? d.conversation_title : null,
          ),
          body: d.encryption === 'none' ? bodyOf(d, d.locale) : '',
          read: d.muted,
          emailPending: !d.muted && this.mail.enabled,
        };
      }),
    );
    const mayPush = new Set(deliveries.filter((d) => d.may_push).map((d) => d.user_id));
    const channels = {
      email: this.mail.enabled,
      push: (n: NotificationRow) => mayPush.has(n.user_id),
    };
    await this.announce(created, channels);
    // A repeated event (the outbox delivers at least once) finds its notifications stored: a
    // dispatch that died after storing them may not have queued their email and push, so they
    // are queued again; both jobs ignore a repeat (the digest takes only pending rows, a push
    // is deduplicated by its notification), and sockets are not told twice.
    const stored = new Set(created.map((n) => `${n.message_id}/${n.user_id}`));
    const repeated = await this.notifications.existingForMessages(
      deliveries
        .filter((d) => !stored.has(`${d.message_id}/${d.user_id}`))
        .map((d) => ({ messageId: d.message_id, userId: d.user_id })),
    );
    await this.announce(repeated, channels, { again: true });
  }

  async onInvited(e: Dispatched<'conversation.invited'>): Promise<void> {
    const ctx = await this.notifications.inviteContext(e.conversationId, e.userId, e.invitedBy);
    if (!ctx) return;
    const invite: NewNotification = {
      userId: e.userId,
      type: 'group_invite',
      conversationId: e.conversationId,
      messageId: null,
      actorId: e.invitedBy,
      title: inviteTitle(ctx.conversation_title, ctx.locale),
      body: inviteBody(ctx.inviter_name, ctx.locale),
      read: ctx.muted,
      // Email digests are about messages; an invitation reaches an offline user by push.
      emailPending: false,
      eventId: e.eventId,
    };
    await this.announce(await this.notifications.insert([invite]), {
      email: false,
      push: () => true,
    });
  }

  /**
   * A `system` notification to one user (for instance: their scheduled message could not be
   * sent), announced like the others: a `notification:new` event and a push, no email.
   */
  async notifySystem(n: {
    userId: string;
    conversationId: string | null;
    title: string;
    body: string;
  }): Promise<void> {
    const created = await this.notifications.insert([
      {
        userId: n.userId,
        type: 'system',
        conversationId: n.conversationId,
        messageId: null,
        actorId: null,
        title: n.title,
        body: n.body,
        read: false,
        emailPending: false,
      },
    ]);
    await this.announce(created, { email: false, push: () => true });
  }

  /**
   * `push` says for whom a push job is worth queueing at all (the job checks everything again
   * when it runs): a user without a subscription costs the job's queries for nothing.
   */
  private async announce(
    created: NotificationRow[],
    channels: { email: boolean; push: (n: NotificationRow) => boolean },
    { again = false } = {},
  ): Promise<void> {
    const window = this.config.notifications.emailBatchWindowMs;
    for (const n of created.filter((row) => row.read_at === null)) {
      if (!again) {
        this.emitter.toUsers([n.user_id], 'notification:new', {
          notification: toNotificationDto(n),
        });
      }
      if (channels.push(n)) {
        // one push per notification, however often its event is dispatched
        await this.queue.add(
          'push',
          { notificationId: n.id, userId: n.user_id },
          { throttle: { key: `push:${n.id}`, ttlMs: PUSH_ONCE_MS } },
        );
      }
      if (channels.email && n.conversation_id) {
        // The first message of a window schedules the batch and the next ones join it. The
        // key expires a little before the batch runs, so a message it might miss schedules
        // the next batch instead of being left behind.
        await this.queue.add(
          'email-digest',
          { userId: n.user_id, conversationId: n.conversation_id },
          {
            delayMs: window,
            throttle: {
              key: `email:${n.user_id}:${n.conversation_id}`,
              ttlMs: Math.max(1, Math.floor(window * 0.9)),
            },
          },
        );
      }
    }
  }
}

/** How long a notification's push is remembered as queued (an outbox repeat comes within minutes). */
const PUSH_ONCE_MS = 24 * 60 * 60 * 1000;

/** The message text the server may read: none for e2e; at_rest only as rendered for the event. */
function readableText(e: DomainEvents['message.created'], ctx: MessageContext): string | null {
  switch (ctx.encryption) {
    case 'none':
      return ctx.content;
    case 'at_rest':
      return e.message?.content ?? null;
    case 'e2e':
      return null;
  }
}

/** The preview: the text, or what an attachment-only message holds. */
function bodyOf(ctx: MessageContext, locale: Locale): string {
  const type = ctx.message_type;
  if (ctx.content.trim() === '' && (type === 'image' || type === 'audio' || type === 'file')) {
    return attachmentBody(type, locale);
  }
  return preview(ctx.content);
}
