import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { Page } from '../common/pagination/page';
import { DeviceKeysRepository } from './device-keys.repository';
import { DeviceKeyDto, PutDeviceKeyDto, toDeviceKey } from './dto/device-key.dto';

@Injectable()
export class DeviceKeysService {
  constructor(private readonly keys: DeviceKeysRepository) {}

  async put(caller: AuthUser, dto: PutDeviceKeyDto): Promise<DeviceKeyDto> {
    return toDeviceKey(await this.keys.upsert(caller.id, dto.deviceId, dto.publicKey));
  }

  /** Keys of users the caller shares a conversation with; others are simply not listed. */
  async list(caller: AuthUser, userIds: string[]): Promise<Page<DeviceKeyDto>> {
    const found = await this.keys.visibleTo(caller.id, [...new Set(userIds)]);
    return { items: found.map(toDeviceKey), nextCursor: null };
  }
}
