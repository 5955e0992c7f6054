import { Module } from '@nestjs/common';
import { PresenceModule } from '../presence/presence.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { EmailDigestJob } from './delivery/email-digest.job';
import { FcmSender } from './delivery/fcm-sender';
import { MailSender } from './delivery/mail-sender';
import { PushJob } from './delivery/push.job';
import { PushSender } from './delivery/push-sender';
import { VapidKeys } from './delivery/vapid-keys';
import { JobQueue } from './jobs/job-queue';
import { JobQueueProvider } from './jobs/job-queue.provider';
import { NotificationJobs } from './notification-jobs';
import { NotificationsController } from './notifications.controller';
import { NotificationsListener } from './notifications.listener';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { NotifierService } from './notifier.service';
import { PushSubscriptionsRepository } from './push-subscriptions.repository';

/**
 * In-app notifications, email digests, Web Push and FCM, driven by domain events; delivery runs
 * as background jobs (BullMQ on Redis, or in process).
 */
@Module({
  imports: [RealtimeModule, PresenceModule],
  controllers: [NotificationsController],
  providers: [
    NotificationsRepository,
    PushSubscriptionsRepository,
    NotificationsService,
    NotifierService,
    NotificationsListener,
    JobQueueProvider,
    MailSender,
    VapidKeys,
    PushSender,
    FcmSender,
    EmailDigestJob,
    PushJob,
    NotificationJobs,
  ],
  exports: [NotifierService, JobQueue],
})
export class NotificationsModule {}
