import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  EnqueueOptions,
  Job,
  JobHandlers,
  JobName,
  JobPayloads,
  JobQueue,
  RetryPolicy,
  retryDelay,
  runJob,
} from './job-queue';

/** Throttle keys are forgotten once expired; swept when there are this many. */
const THROTTLE_SWEEP_AT = 10_000;

/**
 * The single-node queue: timers in this process. Jobs still waiting when the process stops
 * are lost, which is why several nodes use the Redis queue instead.
 */
export class MemoryJobQueue extends JobQueue {
  private readonly logger = new Logger('Jobs');
  private handlers?: Partial<JobHandlers>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly throttled = new Map<string, number>();
  private readonly idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly retry: RetryPolicy) {
    super();
  }

  async add<N extends JobName>(
    name: N,
    data: JobPayloads[N],
    options: EnqueueOptions = {},
  ): Promise<void> {
    if (this.closed) return;
    if (options.throttle && this.isThrottled(options.throttle.key, options.throttle.ttlMs)) return;
    this.schedule({ id: randomUUID(), name, data, attempt: 1 }, options.delayMs ?? 0);
  }

  start(handlers: Partial<JobHandlers>): void {
    this.handlers = this.withRegistered(handlers);
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
    this.wakeIfIdle();
  }

  private isIdle(): boolean {
    return this.closed || (this.timers.size === 0 && this.running.size === 0);
  }

  private wakeIfIdle(): void {
    if (this.isIdle()) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private isThrottled(key: string, ttlMs: number): boolean {
    const now = Date.now();
    const until = this.throttled.get(key);
    if (until !== undefined && until > now) return true;
    if (this.throttled.size >= THROTTLE_SWEEP_AT) {
      for (const [k, u] of this.throttled) if (u <= now) this.throttled.delete(k);
    }
    this.throttled.set(key, now + ttlMs);
    return false;
  }

  private schedule(job: Job, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      // a retry is scheduled before the run ends, so the queue is never idle in between
      const run = this.execute(job).finally(() => {
        this.running.delete(run);
        this.wakeIfIdle();
      });
      this.running.add(run);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private async execute(job: Job): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.handlers) throw new Error('the job queue was not started');
      await runJob(this.handlers, job);
    } catch (err) {
      if (this.closed) return;
      if (job.attempt >= this.retry.attempts) {
        this.logger.error(
          { err },
          `${job.name} job ${job.id} failed ${job.attempt} times; dropped`,
        );
        return;
      }
      const delay = retryDelay(this.retry, job.attempt, err);
      this.logger.warn(
        `${job.name} job ${job.id} failed (attempt ${job.attempt}): ${(err as Error).message}; retrying in ${delay} ms`,
      );
      this.schedule({ ...job, attempt: job.attempt + 1 }, delay);
    }
  }
}
