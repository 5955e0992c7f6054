import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';

export interface DeviceKeyRow {
  user_id: string;
  device_id: string;
  public_key: string;
  created_at: Date;
}

@Injectable()
export class DeviceKeysRepository {
  constructor(private readonly sql: Sql) {}

  async upsert(userId: string, deviceId: string, publicKey: string): Promise<DeviceKeyRow> {
    return (await this.sql.row<DeviceKeyRow>(
      `INSERT INTO device_keys (user_id, device_id, public_key) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, device_id) DO UPDATE SET public_key = EXCLUDED.public_key, updated_at = now()
       RETURNING user_id, device_id, public_key, created_at`,
      [userId, deviceId, publicKey],
    ))!;
  }

  /** Keys of the given users who share a conversation with `viewerId` (or are the viewer). */
  visibleTo(viewerId: string, userIds: string[]): Promise<DeviceKeyRow[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.sql.rows<DeviceKeyRow>(
      `SELECT k.user_id, k.device_id, k.public_key, k.created_at FROM device_keys k
        WHERE k.user_id = ANY($2::uuid[])
          AND (k.user_id = $1 OR EXISTS (
                SELECT 1 FROM conversation_contacts cc
                 WHERE cc.user_id = $1 AND cc.contact_id = k.user_id))
        ORDER BY k.user_id, k.created_at, k.device_id`,
      [viewerId, userIds],
    );
  }
}
