import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { CommonModule } from './common/common.module';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { AppThrottlerGuard } from './common/rate-limit/app-throttler.guard';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { loggerOptions } from './config/logger-options';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { UsersModule } from './users/users.module';
import { ConversationsModule } from './conversations/conversations.module';
import { MessagesModule } from './messages/messages.module';
import { ModerationReviewModule } from './moderation/moderation-review.module';
import { NotificationsModule } from './notifications/notifications.module';
import { PresenceModule } from './presence/presence.module';
import { RealtimeModule } from './realtime/realtime.module';
import { RetentionModule } from './retention/retention.module';
import { ScheduledMessagesModule } from './scheduled-messages/scheduled-messages.module';
import { SearchModule } from './search/search.module';
import { WebModule } from './web/web.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({
  imports: [
    ConfigModule,
    LoggerModule.forRootAsync({ inject: [AppConfig], useFactory: loggerOptions }),
    DatabaseModule,
    CommonModule,
    RateLimitModule,
    HealthModule,
    UsersModule,
    AuthModule,
    MessagesModule,
    ConversationsModule,
    ModerationReviewModule,
    NotificationsModule,
    PresenceModule,
    RealtimeModule,
    SearchModule,
    ScheduledMessagesModule,
    RetentionModule,
    WebhooksModule,
    WebModule,
  ],
  providers: [
    // Order matters: authenticate first, so per-user limits know the user.
    { provide: APP_GUARD, useExisting: JwtAuthGuard },
    { provide: APP_GUARD, useClass: AppThrottlerGuard },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
  ],
})
export class AppModule {}
