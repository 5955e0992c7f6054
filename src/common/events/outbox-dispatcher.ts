import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Client } from 'pg';
import { AppConfig } from '../../config/app-config';
import { OutboxEvent, OutboxRepository } from './outbox.repository';

/** How often each node looks for events whose writer died before dispatching them. */
const POLL_MS = 2_000;
/** Events claimed per look. */
const CLAIM_LIMIT = 200;
/**
 * How long dispatched events wait to be pruned together: one DELETE per this many ms under load
 * instead of one per turn of the event loop. A crash in between only makes them dispatched
 * again when their lease ends, which consumers ignore; `drain()` does not wait for it.
 */
const PRUNE_EVERY_MS = 100;
/** The channel nodes wake each other on when a backlog is bigger than one claim. */
const CHANNEL = 'outbox';

/**
 * Hands committed outbox events to their consumers (Socket.IO fan-out, notifications, …) and
 * prunes them once every consumer has finished. At least once: an event is deleted only after
 * its consumers succeeded; one whose dispatch failed, or whose node died first, is claimed
 * again when its lease runs out, by whichever node looks first (`FOR UPDATE SKIP LOCKED`).
 * Consumers therefore ignore a repeat (by event id or by a unique key of what they write).
 *
 * The node that wrote an event dispatches it at once after the commit, from memory (with what
 * it knew, such as the rendered message); the poll (every POLL_MS, and on a `NOTIFY outbox` from
 * another node with a backlog, on a PostgreSQL server) is the safety net.
 */
@Injectable()
export class OutboxDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Outbox');
  private readonly inFlight = new Set<Promise<void>>();
  private dispatched: string[] = [];
  private flushing: Promise<void> | null = null;
  /** Ends the prune's wait at once (a drain is waiting). */
  private hurry: (() => void) | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private listener: Client | null = null;
  private stopped = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly emitter: EventEmitter2,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.pollTimer = setInterval(() => this.pollSoon(), POLL_MS);
    this.pollTimer.unref();
    this.pollSoon();
    if (this.config.databaseUrl) void this.listen(this.config.databaseUrl);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /**
   * Stops looking for events and waits for the dispatches under way (their consumers' queues
   * close after this). Events not dispatched stay in the table for the next node. Idempotent.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.drain();
  }

  /** Dispatches an event this node has just committed. */
  dispatch(row: OutboxEvent, payload: object): void {
    const run = this.deliver(row, payload).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  /**
   * Resolves once every event taken so far has been dispatched and pruned, and no event is
   * waiting in the table (another node's, or one whose dispatch failed, once its lease ends).
   */
  async drain(): Promise<void> {
    for (;;) {
      while (this.inFlight.size > 0 || this.polling || this.flushing) {
        this.hurry?.();
        await Promise.allSettled([...this.inFlight, this.polling, this.flushing]);
      }
      if (this.stopped || (await this.outbox.pending()) === 0) return;
      await this.poll();
    }
  }

  private async deliver(row: OutboxEvent, payload: object): Promise<void> {
    try {
      await this.emitter.emitAsync(row.name, { ...payload, eventId: row.event_id });
    } catch (err) {
      // left in the table: claimed again when its lease runs out
      this.logger.warn({ err, eventId: row.event_id }, `dispatching ${row.name} failed`);
      return;
    }
    this.dispatched.push(row.id);
    this.flushing ??= this.prune().finally(() => (this.flushing = null));
  }

  /**
   * Deletes the dispatched events in one statement every PRUNE_EVERY_MS, until none is left:
   * events dispatched while a delete runs go in the next one (left behind, they would be
   * claimed again when their lease ends and dispatched twice).
   */
  private async prune(): Promise<void> {
    do {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.hurry = null;
          resolve();
        };
        const timer = setTimeout(done, this.stopped ? 0 : PRUNE_EVERY_MS);
        this.hurry = done;
      });
      const ids = this.dispatched;
      this.dispatched = [];
      try {
        await this.outbox.delete(ids);
      } catch (err) {
        // redelivered later; consumers ignore the repeat
        this.logger.warn({ err }, `pruning ${ids.length} dispatched events failed`);
      }
    } while (this.dispatched.length > 0);
  }

  private pollSoon(): void {
    if (this.stopped || this.polling) return;
    this.polling = this.poll()
      .catch((err: unknown) => this.logger.warn({ err }, 'looking for undispatched events failed'))
      .finally(() => (this.polling = null));
  }

  private async poll(): Promise<void> {
    const claimed = await this.outbox.claim(CLAIM_LIMIT);
    if (claimed.length === 0) return;
    this.logger.log(`dispatching ${claimed.length} events whose writer did not`);
    if (claimed.length === CLAIM_LIMIT) void this.wakeOthers();
    await Promise.all(claimed.map((row) => this.deliver(row, row.payload)));
  }

  /** On a server: a backlog bigger than one claim wakes the other nodes to share it. */
  private async wakeOthers(): Promise<void> {
    await this.listener?.query(`NOTIFY ${CHANNEL}`).catch(() => undefined);
  }

  private async listen(url: string): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: url });
    const retry = () => {
      if (this.listener !== client) return;
      this.listener = null;
      setTimeout(() => void this.listen(url), POLL_MS).unref();
    };
    client.on('error', (err) => {
      this.logger.warn(`outbox listener: ${err.message}`);
      void client.end().catch(() => undefined);
      retry();
    });
    client.on('end', retry);
    client.on('notification', () => this.pollSoon());
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      this.logger.warn(`outbox listener could not connect: ${(err as Error).message}`);
      void client.end().catch(() => undefined);
      retry();
    }
  }
}
