import { Global, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Clock } from './clock/clock';
import { DomainEventBus } from './events/domain-event-bus';
import { OutboxDispatcher } from './events/outbox-dispatcher';
import { OutboxRepository } from './events/outbox.repository';
import { Drain } from './lifecycle/drain';

@Global()
@Module({
  imports: [EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: false })],
  providers: [DomainEventBus, OutboxRepository, OutboxDispatcher, Drain, Clock],
  exports: [DomainEventBus, OutboxDispatcher, Drain, Clock],
})
export class CommonModule {}
