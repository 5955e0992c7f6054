import { Global, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Clock } from './clock/clock';
import { DomainEventBus } from './events/domain-event-bus';

@Global()
@Module({
  imports: [EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: false })],
  providers: [DomainEventBus, Clock],
  exports: [DomainEventBus, Clock],
})
export class CommonModule {}
