import { Injectable } from '@nestjs/common';
import { sendNotification, WebPushError } from 'web-push';
import { WebPushSubscriptionRow } from '../entities/notification.row';
import { VapidKeys } from './vapid-keys';

/** How long a push service keeps a message for an offline device. */
const TTL_SECONDS = 24 * 60 * 60;

/** Web Push through the `web-push` library: payloads encrypted (aes128gcm), VAPID-signed. */
@Injectable()
export class PushSender {
  constructor(private readonly vapid: VapidKeys) {}

  /**
   * `gone` when the push service says the subscription no longer exists (404/410); rejects
   * on any other failure, so the job retries.
   */
  async send(subscription: WebPushSubscriptionRow, payload: unknown): Promise<'sent' | 'gone'> {
    const keys = await this.vapid.get();
    try {
      await sendNotification(
        {
          endpoint: subscription.endpoint,
          keys: { p256dh: subscription.p256dh, auth: subscription.auth },
        },
        JSON.stringify(payload),
        {
          vapidDetails: { subject: this.vapid.subject, ...keys },
          TTL: TTL_SECONDS,
          timeout: 10_000,
          contentEncoding: 'aes128gcm',
        },
      );
      return 'sent';
    } catch (err) {
      if (err instanceof WebPushError && (err.statusCode === 404 || err.statusCode === 410)) {
        return 'gone';
      }
      throw err;
    }
  }
}
