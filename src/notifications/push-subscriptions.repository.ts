import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';
import { PushSubscriptionRow } from './entities/notification.row';

const COLUMNS = `id, user_id, endpoint, p256dh, auth`;

/** Web Push subscriptions: one per browser endpoint, owned by whoever subscribed it last. */
@Injectable()
export class PushSubscriptionsRepository {
  constructor(private readonly sql: Sql) {}

  /** Subscribing an endpoint again keeps its id and takes the new keys and owner. */
  async upsert(
    userId: string,
    endpoint: string,
    keys: { p256dh: string; auth: string },
  ): Promise<string> {
    const saved = await this.sql.row<{ id: string }>(
      `INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (endpoint) DO UPDATE
          SET user_id = EXCLUDED.user_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth,
              updated_at = now()
       RETURNING id`,
      [userId, endpoint, keys.p256dh, keys.auth],
    );
    if (!saved) throw new Error('push subscription was not saved');
    return saved.id;
  }

  /** False when the user has no such subscription. */
  async deleteOwn(userId: string, id: string): Promise<boolean> {
    const deleted = await this.sql.rows<{ id: string }>(
      `DELETE FROM push_subscriptions WHERE id = $1 AND user_id = $2 RETURNING id`,
      [id, userId],
    );
    return deleted.length > 0;
  }

  /** Removes an endpoint the push service says is gone, unless it was subscribed again since. */
  async deleteGone(id: string, endpoint: string): Promise<void> {
    await this.sql.run(`DELETE FROM push_subscriptions WHERE id = $1 AND endpoint = $2`, [
      id,
      endpoint,
    ]);
  }

  forUser(userId: string): Promise<PushSubscriptionRow[]> {
    return this.sql.rows<PushSubscriptionRow>(
      `SELECT ${COLUMNS} FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    );
  }

  findById(id: string): Promise<PushSubscriptionRow | null> {
    return this.sql.row<PushSubscriptionRow>(
      `SELECT ${COLUMNS} FROM push_subscriptions WHERE id = $1`,
      [id],
    );
  }
}
