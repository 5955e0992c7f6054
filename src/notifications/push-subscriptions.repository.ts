import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';
import { FcmPlatform, PushSubscriptionRow } from './entities/notification.row';

const COLUMNS = `id, user_id, type, endpoint, p256dh, auth, token, platform`;

/**
 * Push subscriptions: a browser's Web Push endpoint or an app's FCM token, each owned by
 * whoever subscribed it last.
 */
@Injectable()
export class PushSubscriptionsRepository {
  constructor(private readonly sql: Sql) {}

  /** Subscribing an endpoint again keeps its id and takes the new keys and owner. */
  async upsertWebPush(
    userId: string,
    endpoint: string,
    keys: { p256dh: string; auth: string },
  ): Promise<string> {
    const saved = await this.sql.row<{ id: string }>(
      `INSERT INTO push_subscriptions (user_id, type, endpoint, p256dh, auth)
       VALUES ($1, 'webpush', $2, $3, $4)
       ON CONFLICT (endpoint) DO UPDATE
          SET user_id = EXCLUDED.user_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth,
              updated_at = now()
       RETURNING id`,
      [userId, endpoint, keys.p256dh, keys.auth],
    );
    if (!saved) throw new Error('push subscription was not saved');
    return saved.id;
  }

  /** Subscribing a token again keeps its id and takes the new platform and owner. */
  async upsertFcm(userId: string, token: string, platform: FcmPlatform): Promise<string> {
    const saved = await this.sql.row<{ id: string }>(
      `INSERT INTO push_subscriptions (user_id, type, token, platform)
       VALUES ($1, 'fcm', $2, $3)
       ON CONFLICT (md5(token)) WHERE token IS NOT NULL DO UPDATE
          SET user_id = EXCLUDED.user_id, platform = EXCLUDED.platform, updated_at = now()
       RETURNING id`,
      [userId, token, platform],
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

  /**
   * Removes a subscription the push service says is gone (an endpoint, or a token FCM calls
   * unregistered), unless it was subscribed again since.
   */
  async deleteGone(s: PushSubscriptionRow): Promise<void> {
    if (s.type === 'fcm') {
      await this.sql.run(`DELETE FROM push_subscriptions WHERE id = $1 AND token = $2`, [
        s.id,
        s.token,
      ]);
      return;
    }
    await this.sql.run(`DELETE FROM push_subscriptions WHERE id = $1 AND endpoint = $2`, [
      s.id,
      s.endpoint,
    ]);
  }

  /** The user's subscriptions; FCM tokens only when `fcm` (push through FCM is configured). */
  forUser(userId: string, opts: { fcm: boolean }): Promise<PushSubscriptionRow[]> {
    return this.sql.rows<PushSubscriptionRow>(
      `SELECT ${COLUMNS} FROM push_subscriptions
        WHERE user_id = $1 AND ($2::boolean OR type = 'webpush')
        ORDER BY created_at, id`,
      [userId, opts.fcm],
    );
  }

  findById(id: string): Promise<PushSubscriptionRow | null> {
    return this.sql.row<PushSubscriptionRow>(
      `SELECT ${COLUMNS} FROM push_subscriptions WHERE id = $1`,
      [id],
    );
  }
}
