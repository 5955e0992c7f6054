import { MigrationInterface, QueryRunner } from 'typeorm';

export class FcmPushSubscriptions1764001100000 implements MigrationInterface {
  name = 'FcmPushSubscriptions1764001100000';

  async up(db: QueryRunner): Promise<void> {
    // A subscription is a browser's Web Push endpoint with its keys, or an app's FCM token.
    await db.query(`
      ALTER TABLE push_subscriptions
        ADD COLUMN type text NOT NULL DEFAULT 'webpush' CHECK (type IN ('webpush', 'fcm')),
        ADD COLUMN token text CHECK (char_length(token) BETWEEN 1 AND 4096),
        ADD COLUMN platform text CHECK (platform IN ('android', 'ios', 'web')),
        ALTER COLUMN endpoint DROP NOT NULL,
        ALTER COLUMN p256dh DROP NOT NULL,
        ALTER COLUMN auth DROP NOT NULL,
        ADD CONSTRAINT push_subscriptions_webpush_check
          CHECK ((type = 'webpush') = (endpoint IS NOT NULL AND p256dh IS NOT NULL AND auth IS NOT NULL)),
        ADD CONSTRAINT push_subscriptions_fcm_check
          CHECK ((type = 'fcm') = (token IS NOT NULL AND platform IS NOT NULL))`);
    // A device's token belongs to one subscription: subscribing again updates it. Hashed, since
    // a token of up to 4096 characters does not fit in a B-tree entry.
    await db.query(
      `CREATE UNIQUE INDEX push_subscriptions_token_key ON push_subscriptions (md5(token)) WHERE token IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM push_subscriptions WHERE type = 'fcm'`);
    await db.query(`DROP INDEX push_subscriptions_token_key`);
    await db.query(`
      ALTER TABLE push_subscriptions
        DROP CONSTRAINT push_subscriptions_fcm_check,
        DROP CONSTRAINT push_subscriptions_webpush_check,
        DROP COLUMN platform,
        DROP COLUMN token,
        DROP COLUMN type,
        ALTER COLUMN endpoint SET NOT NULL,
        ALTER COLUMN p256dh SET NOT NULL,
        ALTER COLUMN auth SET NOT NULL`);
  }
}
