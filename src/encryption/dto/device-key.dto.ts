import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { CommaSeparatedUuids } from '../../common/validation/validators';
import type { DeviceKeyRow } from '../device-keys.repository';

export class PutDeviceKeyDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 64,
    description: 'chosen by the client, stable per device',
  })
  @IsString()
  @Length(1, 64)
  @Matches(/^[A-Za-z0-9._:-]+$/, { message: 'deviceId may hold A-Za-z0-9._:- only' })
  deviceId!: string;

  @ApiProperty({
    maxLength: 4096,
    description: 'the device’s public key, base64 (the server never sees private keys)',
  })
  @IsString()
  @Length(1, 4096)
  @Matches(/^[A-Za-z0-9+/_-]+={0,2}$/, { message: 'publicKey must be base64' })
  publicKey!: string;
}

export class DeviceKeyDto {
  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty()
  deviceId!: string;

  @ApiProperty()
  publicKey!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class DeviceKeysQuery {
  @ApiProperty({ description: 'comma-separated user ids (at most 100)' })
  @CommaSeparatedUuids(100)
  userIds!: string[];
}

export const toDeviceKey = (r: DeviceKeyRow): DeviceKeyDto => ({
  userId: r.user_id,
  deviceId: r.device_id,
  publicKey: r.public_key,
  createdAt: r.created_at.toISOString(),
});
