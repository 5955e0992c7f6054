import { Injectable } from '@nestjs/common';
import { PresenceService } from '../../presence/presence.service';
import { RecipientState } from '../entities/notification.row';
import { Job } from '../jobs/job-queue';
import { NotificationWithActor, NotificationsRepository } from '../notifications.repository';
import { channelAllowed } from './delivery-policy';
import { composeDigestEmail } from './email-composer';
import { MailSender } from './mail-sender';

/**
 * One email for the pending notifications of one user in one conversation, sent when the
 * batch window has passed. Who gets it is decided now, not when the messages came: a user who
 * came online, muted the conversation or turned email off in between gets nothing.
 */
@Injectable()
export class EmailDigestJob {
  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly presence: PresenceService,
    private readonly mail: MailSender,
  ) {}

  async run(job: Job<'email-digest'>): Promise<void> {
    const { userId, conversationId } = job.data;
    const batch = await this.notifications.claimEmailBatch(userId, conversationId, job.id);
    if (batch.length === 0) return;
    const unread = batch.filter((n) => n.read_at === null);
    const state = await this.notifications.recipientState(userId, conversationId);
    const send =
      this.mail.enabled &&
      unread.length > 0 &&
      channelAllowed(state, 'email') &&
      !(await this.presence.hasSockets(userId));
    if (!send || !state) {
      await this.notifications.finishEmailBatch(userId, conversationId, job.id, 'skipped');
      return;
    }
    await this.mail.send(state.email, this.compose(state, unread));
    await this.notifications.finishEmailBatch(userId, conversationId, job.id, 'sent');
  }

  private compose(state: RecipientState, items: NotificationWithActor[]) {
    const isGroup = state.conversation_type === 'group';
    const label = isGroup
      ? (state.conversation_title ?? items[0].title)
      : (state.peer_name ?? items[0].actor_name ?? items[0].title);
    return composeDigestEmail({
      locale: state.locale,
      recipientName: state.display_name,
      conversationLabel: label,
      isGroup,
      items: items.map((n) => ({ from: n.actor_name ?? n.title, body: n.body })),
    });
  }
}
