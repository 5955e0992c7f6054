import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Transactions } from '../../database/transactions';
import { DomainEvents, DurableEventName, EphemeralEventName, storedPayload } from './domain-events';
import { OutboxDispatcher } from './outbox-dispatcher';
import { OutboxEvent, OutboxRepository } from './outbox.repository';

/**
 * The one way to announce a domain event.
 * - `publish`: a durable event (a message or membership change others must hear of) is
 *   written to the outbox in the transaction of its change, and dispatched after the commit
 *   (transactional outbox: a crash between the commit and the dispatch loses nothing).
 * - `emit`: an ephemeral event (presence, a session ended) goes to this node's listeners now.
 */
@Injectable()
export class DomainEventBus {
  constructor(
    private readonly emitter: EventEmitter2,
    private readonly transactions: Transactions,
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: OutboxDispatcher,
  ) {}

  emit<E extends EphemeralEventName>(name: E, payload: DomainEvents[E]): void {
    this.emitter.emit(name, payload);
  }

  /** Writes the event in the caller's transaction; it is dispatched once that commits. */
  async publish<E extends DurableEventName>(name: E, payload: DomainEvents[E]): Promise<void> {
    if (!this.transactions.current()) {
      throw new Error(`${name} must be published inside the transaction of its change`);
    }
    const row = await this.outbox.insert(name, storedPayload(name, payload));
    this.transactions.afterCommit(() => this.dispatcher.dispatch(row, payload));
  }

  /**
   * An event that a statement wrote to the outbox along with its change (the group commit
   * does), announced after that statement committed.
   */
  committed<E extends DurableEventName>(row: OutboxEvent, payload: DomainEvents[E]): void {
    this.dispatcher.dispatch(row, payload);
  }
}
