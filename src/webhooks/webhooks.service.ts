import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../common/clock/clock';
import { AppError } from '../common/errors/app-error';
import { Cursor, DEFAULT_LIMIT, Page, PageQuery, toPage } from '../common/pagination/page';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions';
import {
  CreatedWebhookDto,
  CreateWebhookDto,
  DeliveriesQuery,
  UpdateWebhookDto,
  WebhookDeliveryDto,
  WebhookDto,
  WebhookSecretDto,
} from './dto/webhook.dto';
import { assertPublicHost, PrivateAddressError } from './webhook-address';
import { WebhookDeliveries } from './webhook-deliveries';
import { WebhookEventType } from './webhook-events';
import { newSecret } from './webhook-signature';
import { DeliveryRow, WebhookRow, WebhooksRepository } from './webhooks.repository';

/** How long a rotated-out secret keeps signing (API.md). */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

const toWebhook = (r: WebhookRow): WebhookDto => ({
  id: r.id,
  url: r.url,
  events: r.events as WebhookEventType[],
  description: r.description,
  enabled: r.enabled,
  createdAt: r.created_at.toISOString(),
  disabledReason: r.disabled_reason,
});

const toDelivery = (r: DeliveryRow): WebhookDeliveryDto => ({
  id: r.id,
  eventId: r.event_id,
  eventType: r.event_type,
  attempt: r.attempt,
  status: r.status,
  responseStatus: r.response_status,
  error: r.error,
  nextAttemptAt: r.next_attempt_at?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
});

const cursorOf = (r: { created_at: Date; id: string }) => ({
  at: r.created_at.getTime(),
  id: r.id,
});
const afterOf = (cursor: string | undefined) => {
  if (!cursor) return null;
  const c = Cursor.decode(cursor, { at: 'int', id: 'uuid' });
  return { at: new Date(Number(c.at)), id: c.id };
};

/** Admin management of outgoing webhooks (API.md, Webhooks). */
@Injectable()
export class WebhooksService {
  private readonly allowPrivate: boolean;

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly deliveries: WebhookDeliveries,
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.allowPrivate = config.webhooks.allowPrivateUrls;
  }

  async create(dto: CreateWebhookDto): Promise<CreatedWebhookDto> {
    await this.checkUrl(dto.url);
    const row = await this.webhooks.insert({
      url: dto.url,
      events: [...new Set(dto.events)],
      description: dto.description ?? null,
      secret: newSecret(),
      at: this.clock.now(),
    });
    return { ...toWebhook(row), secret: row.secret };
  }

  async list(q: PageQuery): Promise<Page<WebhookDto>> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const rows = await this.webhooks.list(afterOf(q.cursor), limit + 1);
    return toPage(rows, limit, toWebhook, cursorOf);
  }

  async update(id: string, dto: UpdateWebhookDto): Promise<WebhookDto> {
    if (dto.url !== undefined) await this.checkUrl(dto.url);
    const row = await this.transactions.run(async () => {
      const current = await this.webhooks.find(id, { lock: true });
      if (!current) throw AppError.notFound();
      const enabled = dto.enabled ?? current.enabled;
      const reenabled = enabled && !current.enabled;
      const saved = await this.webhooks.save(id, {
        url: dto.url ?? current.url,
        events: dto.events ? [...new Set(dto.events)] : current.events,
        description: dto.description ?? current.description,
        enabled,
        disabled_reason: enabled ? null : current.disabled_reason,
        failing_since: reenabled ? null : current.failing_since,
      });
      if (!enabled) await this.webhooks.failPending(id, 'webhook disabled');
      return saved!;
    });
    return toWebhook(row);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.webhooks.delete(id))) throw AppError.notFound();
  }

  async rotateSecret(id: string): Promise<WebhookSecretDto> {
    const secret = newSecret();
    const until = new Date(this.clock.now().getTime() + SECRET_OVERLAP_MS);
    if (!(await this.webhooks.rotate(id, secret, until))) throw AppError.notFound();
    return { secret };
  }

  /** Sends a `webhook.test` event to this webhook (enabled or not: it is a check). */
  async test(id: string): Promise<void> {
    const webhook = await this.webhooks.find(id);
    if (!webhook) throw AppError.notFound();
    await this.deliveries.enqueue([webhook], 'webhook.test', randomUUID(), { webhookId: id }, null);
  }

  async deliveryLog(id: string, q: DeliveriesQuery): Promise<Page<WebhookDeliveryDto>> {
    if (!(await this.webhooks.find(id))) throw AppError.notFound();
    const limit = q.limit ?? DEFAULT_LIMIT;
    const rows = await this.webhooks.deliveries(id, q.status ?? null, afterOf(q.cursor), limit + 1);
    return toPage(rows, limit, toDelivery, cursorOf);
  }

  /**
   * https only, no credentials, and a host whose every address is public, unless
   * `WEBHOOK_ALLOW_PRIVATE_URLS`. Checked again on each send (WebhookSender).
   */
  private async checkUrl(value: string): Promise<void> {
    const url = new URL(value);
    const refuse = (why: string) => AppError.validation({ url: [why] });
    if (url.username || url.password) throw refuse('url must not contain credentials');
    if (this.allowPrivate) return;
    if (url.protocol !== 'https:') throw refuse('url must be https');
    try {
      await assertPublicHost(url.hostname);
    } catch (err) {
      if (err instanceof PrivateAddressError) throw refuse(err.message);
      throw refuse(`${url.hostname} cannot be resolved`);
    }
  }
}
