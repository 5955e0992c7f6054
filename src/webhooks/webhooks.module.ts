import { Module } from '@nestjs/common';
import { MessagesModule } from '../messages/messages.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { WebhookDeliveries } from './webhook-deliveries';
import { WebhookSender } from './webhook-sender';
import { WebhooksController } from './webhooks.controller';
import { WebhooksListener } from './webhooks.listener';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/**
 * Outgoing webhooks: admin routes, and deliveries fed by the outbox (WebhooksListener) and sent
 * as jobs on the notifications' job queue (WebhookDeliveries).
 */
@Module({
  imports: [MessagesModule, NotificationsModule],
  controllers: [WebhooksController],
  providers: [
    WebhooksRepository,
    WebhooksService,
    WebhookSender,
    WebhookDeliveries,
    WebhooksListener,
  ],
})
export class WebhooksModule {}
