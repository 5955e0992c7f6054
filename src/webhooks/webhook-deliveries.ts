import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { Clock } from '../common/clock/clock';
import { Transactions } from '../database/transactions';
import { Job, JobQueue } from '../notifications/jobs/job-queue';
import { WebhookEventType } from './webhook-events';
import { DISABLE_AFTER_MS, nextAttemptAt } from './webhook-schedule';
import { SendResult, TOTAL_TIMEOUT_MS, WebhookSender } from './webhook-sender';
import { signedHeaders } from './webhook-signature';
import { DeliveryRow, WebhookRow, WebhooksRepository } from './webhooks.repository';

/** A node holds a delivery this long per attempt: well over the 10 s an attempt may take. */
const LEASE_MS = 6 * TOTAL_TIMEOUT_MS;
/** How often each node looks for deliveries whose job was lost (an in-memory queue stopped). */
const SWEEP_INTERVAL_MS = 30_000;
/** A delivery this late past its time has lost its job; sooner, its job may just be queued. */
export const SWEEP_GRACE_MS = 30_000;
const SWEEP_BATCH = 100;
export const DISABLED_REASON = 'every delivery failed for 24 hours';

/** What a delivery's `{type, timestamp, data}` is about, for ordering. */
export interface OrderedBy {
  /** the conversation */
  key: string;
  /** the conversation version of the change */
  pos: string;
}

/**
 * Deliveries of webhook events: stored with their exact body (so every retry sends the same
 * bytes, signed anew), then sent by `webhook-delivery` jobs on the notifications' job queue, so
 * any node sends them. A job claims its delivery with a lease, so a repeated job or the sweep
 * never sends one twice at once. Failures are retried with back-off for 24 h (webhook-schedule);
 * a webhook whose every attempt failed for 24 h is disabled.
 */
@Injectable()
export class WebhookDeliveries implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> = Promise.resolve();

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly queue: JobQueue,
    private readonly sender: WebhookSender,
    private readonly transactions: Transactions,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.queue.register('webhook-delivery', (job) => this.run(job));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.runOverdue().catch((err: unknown) =>
        this.logger.warn({ err }, 'looking for overdue webhook deliveries failed'),
      );
    }, SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping.catch(() => undefined);
  }

  /**
   * Stores one delivery of an event per webhook and queues their jobs. An event seen again
   * (the outbox dispatches at least once) stores and queues nothing new.
   */
  async enqueue(
    webhooks: WebhookRow[],
    type: WebhookEventType,
    eventId: string,
    data: unknown,
    orderedBy: OrderedBy | null,
  ): Promise<void> {
    if (webhooks.length === 0) return;
    const at = this.clock.now();
    const body = JSON.stringify({ type, timestamp: at.toISOString(), data });
    const ids = await this.webhooks.insertDeliveries(
      webhooks.map((w) => ({
        webhookId: w.id,
        eventId,
        eventType: type,
        body,
        orderKey: orderedBy?.key ?? null,
        orderPos: orderedBy?.pos ?? null,
        at,
      })),
    );
    await Promise.all(ids.map((id) => this.queue.add('webhook-delivery', { deliveryId: id })));
  }

  /**
   * Queues the deliveries that are overdue by more than the grace and held by nobody: their
   * job was lost. Passes of one node run one after another; a test awaits its pass.
   */
  runOverdue(): Promise<void> {
    const pass = this.sweeping
      .catch(() => undefined)
      .then(async () => {
        const now = this.clock.now();
        const ids = await this.webhooks.overdue(
          new Date(now.getTime() - SWEEP_GRACE_MS),
          now,
          SWEEP_BATCH,
        );
        await Promise.all(ids.map((id) => this.queue.add('webhook-delivery', { deliveryId: id })));
      });
    this.sweeping = pass;
    return pass;
  }

  /** One attempt of one delivery (the `webhook-delivery` job). */
  async run(job: Job<'webhook-delivery'>): Promise<void> {
    const now = this.clock.now();
    const delivery = await this.webhooks.claim(
      job.data.deliveryId,
      now,
      new Date(now.getTime() + LEASE_MS),
    );
    if (!delivery) return;
    const webhook = await this.webhooks.find(delivery.webhook_id);
    if (!webhook) return;
    if (!webhook.enabled && delivery.event_type !== 'webhook.test') {
      await this.webhooks.finish(delivery.id, delivery.attempt, {
        status: 'failed',
        responseStatus: null,
        error: 'webhook disabled',
        nextAttemptAt: null,
      });
      return this.next(delivery);
    }
    const result = await this.sender.send(
      webhook.url,
      signedHeaders(this.secrets(webhook, now), delivery.event_id, delivery.body!, new Date()),
      delivery.body!,
    );
    if (result.ok) {
      await this.webhooks.finish(delivery.id, delivery.attempt, {
        status: 'succeeded',
        responseStatus: result.status,
        error: null,
        nextAttemptAt: null,
      });
      await this.webhooks.healthy(webhook.id);
      return this.next(delivery);
    }
    await this.failed(webhook, delivery, result);
  }

  private async failed(webhook: WebhookRow, d: DeliveryRow, result: SendResult): Promise<void> {
    const now = this.clock.now();
    const retryAt =
      d.event_type === 'webhook.test' ? null : nextAttemptAt(d.created_at, d.attempt, now);
    const recorded = await this.webhooks.finish(d.id, d.attempt, {
      status: retryAt ? 'pending' : 'failed',
      responseStatus: result.status,
      error: result.error,
      nextAttemptAt: retryAt,
    });
    // given up meanwhile (the webhook was disabled or deleted): nothing more to do
    if (!recorded) return;
    if (retryAt) {
      await this.queue.add(
        'webhook-delivery',
        { deliveryId: d.id },
        { delayMs: Math.max(0, retryAt.getTime() - now.getTime()) },
      );
    }
    const failingSince = await this.webhooks.failing(webhook.id, now);
    if (failingSince && now.getTime() - failingSince.getTime() >= DISABLE_AFTER_MS) {
      const disabled = await this.transactions.run(async () => {
        if (!(await this.webhooks.disable(webhook.id, DISABLED_REASON))) return false;
        await this.webhooks.failPending(webhook.id, 'webhook disabled');
        return true;
      });
      if (disabled) this.logger.warn(`webhook ${webhook.id} disabled: ${DISABLED_REASON}`);
    }
    if (!retryAt) await this.next(d);
  }

  /** After a delivery finished: the next one of its conversation may go. */
  private async next(d: DeliveryRow): Promise<void> {
    if (!d.order_key) return;
    const id = await this.webhooks.nextInLine(d.webhook_id, d.order_key);
    if (id) await this.queue.add('webhook-delivery', { deliveryId: id });
  }

  /** The current secret, and the previous one while its overlap lasts. */
  private secrets(webhook: WebhookRow, now: Date): string[] {
    const previous =
      webhook.previous_secret &&
      webhook.previous_secret_expires_at &&
      webhook.previous_secret_expires_at.getTime() > now.getTime()
        ? [webhook.previous_secret]
        : [];
    return [webhook.secret, ...previous];
  }
}
