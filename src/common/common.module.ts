import { Global, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { DomainEventBus } from './events/domain-event-bus';
import { Drain } from './lifecycle/drain';

@Global()
@Module({
  imports: [EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: false })],
  providers: [DomainEventBus, Drain],
  exports: [DomainEventBus, Drain],
})
export class CommonModule {}
