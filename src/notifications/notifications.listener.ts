import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Dispatched } from '../common/events/domain-events';
import { NotifierService } from './notifier.service';

/**
 * Turns durable events, as the outbox dispatches them after their commit, into notifications.
 * Each handler resolves once its notifications are stored and their jobs queued, and rejects
 * when that failed, so the outbox keeps the event and dispatches it again; a repeat makes
 * nothing new (NotificationsRepository.insert).
 */
@Injectable()
export class NotificationsListener {
  /** New messages of the same turn of the event loop (or while the batch before runs), handled together. */
  private batch: { events: Dispatched<'message.created'>[]; done: Promise<void> } | null = null;
  /** The batch before, which the next one waits for. */
  private previous: Promise<void> = Promise.resolve();

  constructor(private readonly notifier: NotifierService) {}

  @OnEvent('message.created', { suppressErrors: false })
  onMessageCreated(e: Dispatched<'message.created'>): Promise<void> {
    if (this.batch) {
      this.batch.events.push(e);
      return this.batch.done;
    }
    const events = [e];
    // The batch takes the events of this turn, and those that come while the previous batch
    // is still at the database: under load, one batch per round trip.
    const before = this.previous;
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => before)
      .then(() => {
        this.batch = null;
        return this.notifier.onMessages(events);
      });
    this.previous = done.catch(() => undefined);
    this.batch = { events, done };
    return done;
  }

  @OnEvent('conversation.invited', { suppressErrors: false })
  onInvited(e: Dispatched<'conversation.invited'>): Promise<void> {
    return this.notifier.onInvited(e);
  }
}
