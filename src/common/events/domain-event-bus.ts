import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DomainEventName, DomainEvents } from './domain-events';

/** The typed way to announce a domain event. Emit only after the change has committed. */
@Injectable()
export class DomainEventBus {
  constructor(private readonly emitter: EventEmitter2) {}

  emit<E extends DomainEventName>(name: E, payload: DomainEvents[E]): void {
    this.emitter.emit(name, payload);
  }
}
