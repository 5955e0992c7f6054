import { Injectable } from '@nestjs/common';
import { PresenceService } from '../../presence/presence.service';
import { Job, JobQueue } from '../jobs/job-queue';
import { toNotificationDto } from '../notification-view';
import { NotificationWithActor, NotificationsRepository } from '../notifications.repository';
import { PushSubscriptionsRepository } from '../push-subscriptions.repository';
import { channelAllowed } from './delivery-policy';
import { FcmSender } from './fcm-sender';
import { PushSender } from './push-sender';

/** What a service worker receives: the notification, and who and where it is from. */
export function pushPayload(n: NotificationWithActor) {
  return {
    title: n.title,
    body: n.body,
    conversationId: n.conversation_id,
    messageId: n.message_id,
    sender: n.actor_id ? { id: n.actor_id, displayName: n.actor_name } : null,
    notification: toNotificationDto(n),
  };
}

/**
 * Push for one notification, by Web Push or FCM: first to every subscription of the user (one
 * job each, so a failing endpoint or token retries alone), then to each. Checked on every run: the user is offline,
 * has not read it, allows push, and has not muted the conversation.
 */
@Injectable()
export class PushJob {
  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly subscriptions: PushSubscriptionsRepository,
    private readonly presence: PresenceService,
    private readonly sender: PushSender,
    private readonly fcm: FcmSender,
    private readonly queue: JobQueue,
  ) {}

  async run(job: Job<'push'>): Promise<void> {
    const { notificationId, userId, subscriptionId } = job.data;
    // Presence first: it is in memory or Redis (no database), and most recipients of a busy
    // chat are online. (Jobs queued before userId was carried look the user up first.)
    if (userId && (await this.presence.hasSockets(userId))) return;
    const n = await this.notifications.findById(notificationId);
    if (!n || n.read_at !== null) return;
    if (!userId && (await this.presence.hasSockets(n.user_id))) return;
    const state = await this.notifications.recipientState(n.user_id, n.conversation_id);
    if (!channelAllowed(state, 'push')) return;

    if (!subscriptionId) {
      for (const s of await this.subscriptions.forUser(n.user_id, { fcm: this.fcm.enabled })) {
        await this.queue.add('push', { notificationId, userId: n.user_id, subscriptionId: s.id });
      }
      return;
    }
    const subscription = await this.subscriptions.findById(subscriptionId);
    if (!subscription || subscription.user_id !== n.user_id) return;
    const result =
      subscription.type === 'fcm'
        ? await this.fcm.send(subscription, n)
        : await this.sender.send(subscription, pushPayload(n));
    if (result === 'gone') await this.subscriptions.deleteGone(subscription);
  }
}
