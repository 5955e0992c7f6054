import { Module } from '@nestjs/common';
import { VisibilityModule } from '../visibility/visibility.module';
import { AuthModule } from '../auth/auth.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { HealthModule } from '../health/health.module';
import { MessagesModule } from '../messages/messages.module';
import { PresenceModule } from '../presence/presence.module';
import { MessagingGateway } from './messaging.gateway';
import { RealtimeEmitter } from './realtime-emitter';
import { RealtimeFanout } from './realtime-fanout';
import { SocketEventBudget } from './socket-event-budget';
import { SyncService } from './sync.service';
import { TypingService } from './typing.service';

/** Socket.IO: the gateway, the typed emitter, and the fan-out of domain events to sockets. */
@Module({
  imports: [
    VisibilityModule,
    AuthModule,
    MessagesModule,
    ConversationsModule,
    PresenceModule,
    HealthModule,
  ],
  providers: [
    MessagingGateway,
    RealtimeEmitter,
    RealtimeFanout,
    TypingService,
    SyncService,
    SocketEventBudget,
  ],
  exports: [RealtimeEmitter],
})
export class RealtimeModule {}
