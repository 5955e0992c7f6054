import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { Cursor, DEFAULT_LIMIT, Page, toPage } from '../common/pagination/page';
import { VapidKeys } from './delivery/vapid-keys';
import {
  NotificationDto,
  PushSubscriptionCreatedDto,
  UnreadCountDto,
  VapidPublicKeyDto,
} from './dto/notification.dto';
import { ListNotificationsQuery, PushSubscriptionInput } from './dto/notification-inputs.dto';
import { toNotificationDto } from './notification-view';
import { NotificationsRepository } from './notifications.repository';
import { PushSubscriptionsRepository } from './push-subscriptions.repository';

/** The caller's own notifications and push subscriptions; anyone else's are 404. */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly subscriptions: PushSubscriptionsRepository,
    private readonly vapid: VapidKeys,
  ) {}

  async list(caller: AuthUser, q: ListNotificationsQuery): Promise<Page<NotificationDto>> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const after = q.cursor ? Cursor.decode(q.cursor, { t: 'int', id: 'uuid' }) : null;
    const found = await this.notifications.list(
      caller.id,
      q.unreadOnly ?? false,
      after ? { createdUs: after.t, id: after.id } : null,
      limit + 1,
    );
    return toPage(found, limit, toNotificationDto, (r) => ({ t: r.created_us, id: r.id }));
  }

  async unreadCount(caller: AuthUser): Promise<UnreadCountDto> {
    return { count: await this.notifications.unreadCount(caller.id) };
  }

  async read(caller: AuthUser, id: string): Promise<void> {
    if (!(await this.notifications.markRead(caller.id, id))) throw AppError.notFound();
  }

  async readAll(caller: AuthUser): Promise<void> {
    await this.notifications.markAllRead(caller.id);
  }

  async publicKey(): Promise<VapidPublicKeyDto> {
    return { publicKey: (await this.vapid.get()).publicKey };
  }

  async subscribe(
    caller: AuthUser,
    input: PushSubscriptionInput,
  ): Promise<PushSubscriptionCreatedDto> {
    // The DTO has checked that the fields of the input's type are there.
    const id =
      input.type === 'fcm'
        ? await this.subscriptions.upsertFcm(caller.id, input.token!, input.platform!)
        : await this.subscriptions.upsertWebPush(caller.id, input.endpoint!, input.keys!);
    return { id };
  }

  async unsubscribe(caller: AuthUser, id: string): Promise<void> {
    if (!(await this.subscriptions.deleteOwn(caller.id, id))) throw AppError.notFound();
  }
}
