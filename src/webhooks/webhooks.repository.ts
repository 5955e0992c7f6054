import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';

export interface WebhookRow {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  failing_since: Date | null;
  created_at: Date;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  body: string | null;
  order_key: string | null;
  attempt: number;
  status: DeliveryStatus;
  response_status: number | null;
  error: string | null;
  next_attempt_at: Date | null;
  created_at: Date;
}

export interface NewDelivery {
  webhookId: string;
  eventId: string;
  eventType: string;
  body: string;
  /** message events: their conversation and version, which order them per webhook */
  orderKey: string | null;
  orderPos: string | null;
  at: Date;
}

export interface DeliveryOutcome {
  status: DeliveryStatus;
  responseStatus: number | null;
  error: string | null;
  /** pending: when to try again */
  nextAttemptAt: Date | null;
}

/** A keyset position in a newest-first list. */
export interface After {
  at: Date;
  id: string;
}

const WEBHOOK = `id, url, events, description, enabled, disabled_reason, secret, previous_secret,
  previous_secret_expires_at, failing_since, created_at`;
const DELIVERY = `id, webhook_id, event_id, event_type, body, order_key, attempt, status,
  response_status, error, next_attempt_at, created_at`;

/** No earlier delivery of the same conversation to the same webhook is still pending. */
const FIRST_IN_LINE = `NOT EXISTS (
  SELECT 1 FROM webhook_deliveries e
   WHERE e.webhook_id = d.webhook_id AND e.order_key = d.order_key AND e.status = 'pending'
     AND e.order_pos < d.order_pos)`;

/** `webhooks` and `webhook_deliveries`. */
@Injectable()
export class WebhooksRepository {
  constructor(private readonly sql: Sql) {}

  async insert(w: {
    url: string;
    events: string[];
    description: string | null;
    secret: string;
    at: Date;
  }): Promise<WebhookRow> {
    const row = await this.sql.row<WebhookRow>(
      `INSERT INTO webhooks (url, events, description, secret, created_at)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${WEBHOOK}`,
      [w.url, w.events, w.description, w.secret, w.at],
    );
    return row!;
  }

  /** Newest first, through webhooks_created_idx. */
  list(after: After | null, limit: number): Promise<WebhookRow[]> {
    return this.sql.rows<WebhookRow>(
      `SELECT ${WEBHOOK} FROM webhooks
        WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1::timestamptz, $2::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [after?.at ?? null, after?.id ?? null, limit],
    );
  }

  find(id: string, options: { lock?: boolean } = {}): Promise<WebhookRow | null> {
    return this.sql.row<WebhookRow>(
      `SELECT ${WEBHOOK} FROM webhooks WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
  }

  async save(
    id: string,
    w: Pick<
      WebhookRow,
      'url' | 'events' | 'description' | 'enabled' | 'disabled_reason' | 'failing_since'
    >,
  ): Promise<WebhookRow | null> {
    return this.sql.row<WebhookRow>(
      `UPDATE webhooks SET url = $2, events = $3, description = $4, enabled = $5,
              disabled_reason = $6, failing_since = $7, updated_at = now()
        WHERE id = $1 RETURNING ${WEBHOOK}`,
      [id, w.url, w.events, w.description, w.enabled, w.disabled_reason, w.failing_since],
    );
  }

  async delete(id: string): Promise<boolean> {
    return (await this.sql.run(`DELETE FROM webhooks WHERE id = $1`, [id])) > 0;
  }

  /** The current secret becomes the previous one, which signs until `previousUntil`. */
  async rotate(id: string, secret: string, previousUntil: Date): Promise<boolean> {
    const changed = await this.sql.run(
      `UPDATE webhooks SET previous_secret = secret, previous_secret_expires_at = $3, secret = $2,
              updated_at = now()
        WHERE id = $1`,
      [id, secret, previousUntil],
    );
    return changed > 0;
  }

  /** Enabled webhooks subscribed to any of `types` (a handful of rows: no index needed). */
  subscribed(types: readonly string[]): Promise<WebhookRow[]> {
    return this.sql.rows<WebhookRow>(
      `SELECT ${WEBHOOK} FROM webhooks WHERE enabled AND events && $1::text[]`,
      [types],
      // asked for every event the outbox dispatches: planned once per connection
      { prepared: true },
    );
  }

  /**
   * Stores deliveries; one that exists already (the same event dispatched again) is left as it
   * is. Answers the ids of the new ones only.
   */
  async insertDeliveries(ds: NewDelivery[]): Promise<string[]> {
    if (ds.length === 0) return [];
    const rows = await this.sql.rows<{ id: string }>(
      `INSERT INTO webhook_deliveries
              (webhook_id, event_id, event_type, body, order_key, order_pos, next_attempt_at, created_at)
       SELECT w, e, t, b, k, p, a, a
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::bigint[],
                     $7::timestamptz[]) AS x(w, e, t, b, k, p, a)
       ON CONFLICT (webhook_id, event_id) DO NOTHING
       RETURNING id`,
      [
        ds.map((d) => d.webhookId),
        ds.map((d) => d.eventId),
        ds.map((d) => d.eventType),
        ds.map((d) => d.body),
        ds.map((d) => d.orderKey),
        ds.map((d) => d.orderPos),
        ds.map((d) => d.at),
      ],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Takes a due delivery for one attempt, leased until `until`: a second job for it (a repeat,
   * the sweep) finds it taken, or done, or not yet due, and does nothing. A delivery waits
   * while an earlier one of its conversation is pending.
   */
  claim(id: string, now: Date, until: Date): Promise<DeliveryRow | null> {
    return this.sql.row<DeliveryRow>(
      `UPDATE webhook_deliveries d SET locked_until = $3, attempt = d.attempt + 1, updated_at = now()
        WHERE d.id = $1 AND d.status = 'pending' AND d.next_attempt_at <= $2
          AND (d.locked_until IS NULL OR d.locked_until <= $2)
          AND ${FIRST_IN_LINE}
        RETURNING ${DELIVERY}`,
      [id, now, until],
    );
  }

  /** Records an attempt's outcome; a finished delivery drops its body. */
  async finish(id: string, attempt: number, o: DeliveryOutcome): Promise<boolean> {
    const changed = await this.sql.run(
      `UPDATE webhook_deliveries
          SET status = $3, response_status = $4, error = $5, next_attempt_at = $6,
              locked_until = NULL, updated_at = now(),
              body = CASE WHEN $3 = 'pending' THEN body END
        WHERE id = $1 AND attempt = $2 AND status = 'pending'`,
      [id, attempt, o.status, o.responseStatus, o.error, o.nextAttemptAt],
    );
    return changed > 0;
  }

  /** The pending delivery of a conversation that is next in line for a webhook. */
  async nextInLine(webhookId: string, orderKey: string): Promise<string | null> {
    const row = await this.sql.row<{ id: string }>(
      `SELECT id FROM webhook_deliveries
        WHERE webhook_id = $1 AND order_key = $2 AND status = 'pending'
        ORDER BY order_pos LIMIT 1`,
      [webhookId, orderKey],
    );
    return row?.id ?? null;
  }

  /** Pending deliveries due before `before` that nobody holds and nothing earlier blocks. */
  async overdue(before: Date, now: Date, limit: number): Promise<string[]> {
    const rows = await this.sql.rows<{ id: string }>(
      `SELECT d.id FROM webhook_deliveries d
        WHERE d.status = 'pending' AND d.next_attempt_at <= $1
          AND (d.locked_until IS NULL OR d.locked_until <= $2)
          AND ${FIRST_IN_LINE}
        ORDER BY d.next_attempt_at LIMIT $3`,
      [before, now, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Notes a failed attempt; answers since when every attempt has failed. */
  async failing(webhookId: string, at: Date): Promise<Date | null> {
    const row = await this.sql.row<{ failing_since: Date }>(
      `UPDATE webhooks SET failing_since = COALESCE(failing_since, $2) WHERE id = $1
        RETURNING failing_since`,
      [webhookId, at],
    );
    return row?.failing_since ?? null;
  }

  async healthy(webhookId: string): Promise<void> {
    await this.sql.run(
      `UPDATE webhooks SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`,
      [webhookId],
    );
  }

  /** Disables an enabled webhook; answers whether this call did. */
  async disable(webhookId: string, reason: string): Promise<boolean> {
    const changed = await this.sql.run(
      `UPDATE webhooks SET enabled = false, disabled_reason = $2, updated_at = now()
        WHERE id = $1 AND enabled`,
      [webhookId, reason],
    );
    return changed > 0;
  }

  /** Gives up every pending delivery of a webhook (it was disabled). */
  async failPending(webhookId: string, error: string): Promise<void> {
    await this.sql.run(
      `UPDATE webhook_deliveries
          SET status = 'failed', error = $2, next_attempt_at = NULL, locked_until = NULL,
              body = NULL, updated_at = now()
        WHERE webhook_id = $1 AND status = 'pending'`,
      [webhookId, error],
    );
  }

  /** A webhook's delivery log, newest first, through webhook_deliveries_log_idx. */
  deliveries(
    webhookId: string,
    status: DeliveryStatus | null,
    after: After | null,
    limit: number,
  ): Promise<DeliveryRow[]> {
    return this.sql.rows<DeliveryRow>(DELIVERIES_SQL, [
      webhookId,
      status,
      after?.at ?? null,
      after?.id ?? null,
      limit,
    ]);
  }

  findDelivery(id: string): Promise<DeliveryRow | null> {
    return this.sql.row<DeliveryRow>(`SELECT ${DELIVERY} FROM webhook_deliveries WHERE id = $1`, [
      id,
    ]);
  }
}

/** Exported for the plan check in test/webhooks.e2e-spec.ts. */
export const DELIVERIES_SQL = `SELECT ${DELIVERY} FROM webhook_deliveries
  WHERE webhook_id = $1 AND ($2::text IS NULL OR status = $2)
    AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
  ORDER BY created_at DESC, id DESC LIMIT $5`;
