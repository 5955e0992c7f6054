import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsObject,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '../../common/pagination/page';
import { Optional } from '../../common/validation/validators';

export class ListNotificationsQuery extends PageQuery {
  @ApiPropertyOptional({ default: false, description: 'only the unread ones' })
  @Optional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  unreadOnly?: boolean;
}

/** Base64 (URL-safe or not, padded or not) of 65 and 16 bytes, as browsers give them. */
const P256DH = /^[A-Za-z0-9_+/-]{87}=?$/;
const AUTH = /^[A-Za-z0-9_+/-]{22}(==)?$/;

export class PushKeysDto {
  @ApiProperty({ description: 'the subscription’s P-256 public key, base64 (65 bytes)' })
  @IsString()
  @Matches(P256DH, { message: 'p256dh must be a base64 P-256 public key (65 bytes)' })
  p256dh!: string;

  @ApiProperty({ description: 'the subscription’s auth secret, base64 (16 bytes)' })
  @IsString()
  @Matches(AUTH, { message: 'auth must be a base64 secret of 16 bytes' })
  auth!: string;
}

/** A Web Push subscription, as `PushSubscription.toJSON()` gives it. */
export class PushSubscriptionInput {
  @ApiProperty({ format: 'uri', maxLength: 2048, example: 'https://push.example.net/send/abc' })
  @IsString()
  @MaxLength(2048)
  @IsUrl(
    { protocols: ['https'], require_protocol: true, require_tld: false },
    { message: 'endpoint must be an https URL' },
  )
  endpoint!: string;

  @ApiProperty({ type: PushKeysDto })
  @IsObject()
  @ValidateNested()
  @Type(() => PushKeysDto)
  keys!: PushKeysDto;
}
