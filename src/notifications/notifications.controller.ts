import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { ApiPage, Page } from '../common/pagination/page';
import { UuidParam } from '../common/validation/uuid-param';
import {
  NotificationDto,
  PushSubscriptionCreatedDto,
  UnreadCountDto,
  VapidPublicKeyDto,
} from './dto/notification.dto';
import {
  FcmSubscriptionBody,
  ListNotificationsQuery,
  PushSubscriptionInput,
  WebPushSubscriptionBody,
} from './dto/notification-inputs.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({
    summary: 'Your notifications, newest first',
    description:
      'One per new message in your conversations (`mention` when it names you as ' +
      '`@displayName`) and per group invitation. Those of muted conversations are stored read.',
  })
  @ApiPage(NotificationDto)
  list(
    @CurrentUser() caller: AuthUser,
    @Query() q: ListNotificationsQuery,
  ): Promise<Page<NotificationDto>> {
    return this.notifications.list(caller, q);
  }

  @Get('unread-count')
  @ApiOkResponse({ type: UnreadCountDto })
  unreadCount(@CurrentUser() caller: AuthUser): Promise<UnreadCountDto> {
    return this.notifications.unreadCount(caller);
  }

  @Post('read-all')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'every notification of yours is read' })
  readAll(@CurrentUser() caller: AuthUser): Promise<void> {
    return this.notifications.readAll(caller);
  }

  @Post(':id/read')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'read (reading it again changes nothing)' })
  @ApiErrors('NOT_FOUND')
  read(@CurrentUser() caller: AuthUser, @UuidParam('id') id: string): Promise<void> {
    return this.notifications.read(caller, id);
  }

  @Get('push/public-key')
  @ApiOkResponse({ type: VapidPublicKeyDto })
  publicKey(): Promise<VapidPublicKeyDto> {
    return this.notifications.publicKey();
  }

  @Post('push-subscriptions')
  @ApiOperation({
    summary: 'Receive push notifications in this browser (Web Push) or app (FCM)',
    description:
      'Pushes go while you have no open socket, for conversations you have not muted, when ' +
      '`pushNotifications` is on. Subscribing an endpoint or token again answers the same id. ' +
      'FCM messages carry `notification: {title, body}` (no body for `e2e` conversations), ' +
      '`data: {type, conversationId, messageId}` (ids absent when there is none), high ' +
      'priority, and collapse per conversation; they go only when the server has FCM set up.',
  })
  @ApiExtraModels(WebPushSubscriptionBody, FcmSubscriptionBody)
  @ApiBody({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(WebPushSubscriptionBody) },
        { $ref: getSchemaPath(FcmSubscriptionBody) },
      ],
    },
  })
  @ApiCreatedResponse({ type: PushSubscriptionCreatedDto })
  subscribe(
    @CurrentUser() caller: AuthUser,
    @Body() input: PushSubscriptionInput,
  ): Promise<PushSubscriptionCreatedDto> {
    return this.notifications.subscribe(caller, input);
  }

  @Delete('push-subscriptions/:id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'unsubscribed' })
  @ApiErrors('NOT_FOUND')
  unsubscribe(@CurrentUser() caller: AuthUser, @UuidParam('id') id: string): Promise<void> {
    return this.notifications.unsubscribe(caller, id);
  }
}
