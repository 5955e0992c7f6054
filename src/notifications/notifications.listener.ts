import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { DomainEvents } from '../common/events/domain-events';
import { NotifierService } from './notifier.service';

/**
 * Reacts to committed domain events off the request path: the work starts after the current
 * turn of the event loop (the sender's answer is not kept waiting for it) and a failure is
 * logged, never thrown into the sender.
 */
@Injectable()
export class NotificationsListener {
  private readonly logger = new Logger('Notifications');
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly notifier: NotifierService) {}

  /** New messages of the same turn of the event loop, handled together. */
  private batch: DomainEvents['message.created'][] | null = null;

  @OnEvent('message.created')
  onMessageCreated(e: DomainEvents['message.created']): void {
    if (this.batch) {
      this.batch.push(e);
      return;
    }
    const batch = (this.batch = [e]);
    this.track('new messages', () => {
      this.batch = null;
      return this.notifier.onMessages(batch);
    });
  }

  @OnEvent('conversation.invited')
  onInvited(e: DomainEvents['conversation.invited']): void {
    this.track(`invitation to ${e.conversationId}`, () => this.notifier.onInvited(e));
  }

  /**
   * Resolves once every event taken so far has been handled, or after `timeoutMs` (a Redis
   * that is down must not hold a shutdown forever).
   */
  async drain(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([Promise.allSettled([...this.inFlight]), timeout]);
    clearTimeout(timer);
  }

  private track(what: string, task: () => Promise<void>): void {
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(task)
      .catch((err: unknown) => this.logger.warn({ err }, `notifying about ${what} failed`))
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }
}
