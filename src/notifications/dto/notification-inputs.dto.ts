import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsObject,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  registerDecorator,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '../../common/pagination/page';
import { CharLength, Optional } from '../../common/validation/validators';

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

export const PUSH_SUBSCRIPTION_TYPES = ['webpush', 'fcm'] as const;
export type PushSubscriptionType = (typeof PUSH_SUBSCRIPTION_TYPES)[number];
export const FCM_PLATFORMS = ['android', 'ios', 'web'] as const;

const typeOf = (input: object): unknown => (input as { type?: unknown }).type ?? 'webpush';

/** Refuses the field unless the subscription is of `type`. */
const OnlyForType =
  (type: PushSubscriptionType): PropertyDecorator =>
  (target, property) =>
    registerDecorator({
      name: 'onlyForType',
      target: target.constructor,
      propertyName: String(property),
      options: { message: `${String(property)} is only for type "${type}"` },
      validator: { validate: (_value: unknown, args) => typeOf(args?.object ?? {}) === type },
    });

/** A field of one subscription type: checked (so required) with it, refused with the other. */
const PushField = (type: PushSubscriptionType): PropertyDecorator =>
  applyDecorators(
    ValidateIf((input: object, value: unknown) => typeOf(input) === type || value !== undefined),
    OnlyForType(type),
  );

/**
 * What `POST /notifications/push-subscriptions` takes: a Web Push subscription (`type` absent or
 * `webpush`), as `PushSubscription.toJSON()` gives it, or an app's FCM registration token. The
 * OpenAPI document describes it as the `oneOf` of the two shapes below.
 */
export class PushSubscriptionInput {
  @Optional()
  @IsIn(PUSH_SUBSCRIPTION_TYPES)
  type?: PushSubscriptionType;

  @PushField('webpush')
  @IsString()
  @MaxLength(2048)
  @IsUrl(
    { protocols: ['https'], require_protocol: true, require_tld: false },
    { message: 'endpoint must be an https URL' },
  )
  endpoint?: string;

  @PushField('webpush')
  @IsObject()
  @ValidateNested()
  @Type(() => PushKeysDto)
  keys?: PushKeysDto;

  @PushField('fcm')
  @IsString()
  @CharLength(1, 4096)
  token?: string;

  @PushField('fcm')
  @IsIn(FCM_PLATFORMS)
  platform?: (typeof FCM_PLATFORMS)[number];
}

/** The Web Push shape, for the OpenAPI document. */
export class WebPushSubscriptionBody {
  @ApiPropertyOptional({ enum: ['webpush'], default: 'webpush' })
  type?: 'webpush';

  @ApiProperty({ format: 'uri', maxLength: 2048, example: 'https://push.example.net/send/abc' })
  endpoint!: string;

  @ApiProperty({ type: PushKeysDto })
  keys!: PushKeysDto;
}

/** The FCM shape, for the OpenAPI document. */
export class FcmSubscriptionBody {
  @ApiProperty({ enum: ['fcm'] })
  type!: 'fcm';

  @ApiProperty({
    minLength: 1,
    maxLength: 4096,
    description: 'the app’s FCM registration token (`getToken()`)',
  })
  token!: string;

  @ApiProperty({ enum: FCM_PLATFORMS })
  platform!: (typeof FCM_PLATFORMS)[number];
}
