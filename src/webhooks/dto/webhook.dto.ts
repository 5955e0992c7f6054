import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsString,
  IsUrl,
  MaxLength,
} from 'class-validator';
import { PageQuery } from '../../common/pagination/page';
import { CharLength, Optional } from '../../common/validation/validators';
import { WEBHOOK_EVENT_TYPES, WebhookEventType } from '../webhook-events';

const URL_RULES = {
  protocols: ['http', 'https'],
  require_protocol: true,
  require_tld: false,
  allow_underscores: true,
};
const URL_DESCRIPTION =
  '`https`; `http` and private, loopback or link-local addresses only with ' +
  '`WEBHOOK_ALLOW_PRIVATE_URLS=true`. No credentials in the URL.';

export class WebhookDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'https://example.com/hooks/messaging' })
  url!: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true })
  events!: WebhookEventType[];

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'why the server disabled it (every delivery failed for 24 h); null otherwise',
  })
  disabledReason!: string | null;
}

export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'the signing secret, shown only in this answer',
  })
  secret!: string;
}

export class WebhookSecretDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'the new signing secret; the previous one also signs for 24 h',
  })
  secret!: string;
}

export class CreateWebhookDto {
  @ApiProperty({ maxLength: 2048, description: URL_DESCRIPTION })
  @IsString()
  @MaxLength(2048)
  @IsUrl(URL_RULES, { message: 'url must be an http(s) URL' })
  url!: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, minItems: 1 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events!: WebhookEventType[];

  @ApiPropertyOptional({ maxLength: 500 })
  @Optional()
  @IsString()
  @CharLength(0, 500)
  description?: string;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ maxLength: 2048, description: URL_DESCRIPTION })
  @Optional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(URL_RULES, { message: 'url must be an http(s) URL' })
  url?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES, isArray: true, minItems: 1 })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events?: WebhookEventType[];

  @ApiPropertyOptional({ description: '`true` also clears `disabledReason`' })
  @Optional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ maxLength: 500 })
  @Optional()
  @IsString()
  @CharLength(0, 500)
  description?: string;
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'the `webhook-id` header of every attempt' })
  eventId!: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES })
  eventType!: string;

  @ApiProperty({ description: 'attempts made so far' })
  attempt!: number;

  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] })
  status!: 'pending' | 'succeeded' | 'failed';

  @ApiProperty({ type: Number, nullable: true, description: 'the last answer’s HTTP status' })
  responseStatus!: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'why the last attempt failed' })
  error!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  nextAttemptAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class DeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['pending', 'succeeded', 'failed'] })
  @Optional()
  @IsIn(['pending', 'succeeded', 'failed'])
  status?: 'pending' | 'succeeded' | 'failed';
}

/**
 * The body of every delivery (documented for integrators; AsyncAPI `webhooks` channel).
 * Message events carry the Message, with `content: null` and `contentOmitted: true` for
 * `at_rest` and `e2e` conversations.
 */
export class WebhookEventDto {
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES })
  type!: WebhookEventType;

  @ApiProperty({ format: 'date-time', description: 'when the server handled the event' })
  timestamp!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'message.*: the Message (plus `contentOmitted`); conversation.created: ' +
      '`{conversationId, userIds}`; conversation.updated: `{conversationId}`; ' +
      'conversation.member_added: `{conversationId, userId, addedBy, status}`; ' +
      'conversation.member_removed: `{conversationId, userId, removedBy, reason}`; ' +
      'moderation.flagged: `{flagId, messageId, conversationId, senderId, reasons, reporterId}`; ' +
      'user.registered: `{userId, displayName, locale}`; webhook.test: `{webhookId}`',
  })
  data!: Record<string, unknown>;
}
