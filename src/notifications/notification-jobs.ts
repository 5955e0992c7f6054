import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EmailDigestJob } from './delivery/email-digest.job';
import { MailSender } from './delivery/mail-sender';
import { PushJob } from './delivery/push.job';
import { JobQueue } from './jobs/job-queue';
import { OutboxDispatcher } from '../common/events/outbox-dispatcher';

/**
 * Runs the delivery jobs once the app is up, and on shutdown stops in order while the
 * database and Redis are still open: events being handled, then jobs, then the SMTP client.
 */
@Injectable()
export class NotificationJobs implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly queue: JobQueue,
    private readonly dispatcher: OutboxDispatcher,
    private readonly email: EmailDigestJob,
    private readonly push: PushJob,
    private readonly mail: MailSender,
  ) {}

  onApplicationBootstrap(): void {
    this.queue.start({
      'email-digest': (job) => this.email.run(job),
      push: (job) => this.push.run(job),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.dispatcher.stop();
    await this.queue.close();
    this.mail.close();
  }
}
