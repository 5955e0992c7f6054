import { Logger } from '@nestjs/common';
import { Queue, RedisOptions, Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import {
  EnqueueOptions,
  JobHandlers,
  JobName,
  JobPayloads,
  JobQueue,
  RetryPolicy,
  retryDelay,
  runJob,
} from './job-queue';

const QUEUE = 'notifications';
/** The back-off of new jobs: exponential, or what a `RetryLaterError` asked for. */
const BACKOFF = 'retry-after';
const CONCURRENCY = 4;
/** How often `idle` looks at the queue's counts. */
const IDLE_POLL_MS = 10;

/**
 * Jobs in Redis through BullMQ: they survive restarts, and every node's worker takes its share.
 * BullMQ gets its own connections (its blocking reads need `maxRetriesPerRequest: null`,
 * unlike the app's shared client), and `prefix` keeps apps on different databases apart.
 */
export class BullmqJobQueue extends JobQueue {
  private readonly logger = new Logger('Jobs');
  private readonly connection: RedisOptions;
  private readonly queue: Queue;
  private worker?: Worker;

  constructor(
    redisUrl: string,
    private readonly prefix: string,
    private readonly retry: RetryPolicy,
  ) {
    super();
    this.connection = { url: redisUrl, maxRetriesPerRequest: null };
    this.queue = new Queue(QUEUE, {
      connection: this.connection,
      prefix,
      defaultJobOptions: {
        attempts: retry.attempts,
        backoff: { type: BACKOFF, delay: retry.delayMs },
        removeOnComplete: true,
        removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
      },
    });
    this.queue.on('error', (err: Error) => this.logger.warn(`queue: ${err.message}`));
  }

  async add<N extends JobName>(
    name: N,
    data: JobPayloads[N],
    options: EnqueueOptions = {},
  ): Promise<void> {
    await this.queue.add(name, data, {
      delay: options.delayMs ?? 0,
      ...(options.throttle
        ? { deduplication: { id: options.throttle.key, ttl: options.throttle.ttlMs } }
        : {}),
    });
  }

  start(handlers: Partial<JobHandlers>): void {
    const all = this.withRegistered(handlers);
    this.worker = new Worker(
      QUEUE,
      (job) =>
        runJob(all, {
          id: job.id ?? randomUUID(),
          name: job.name as JobName,
          data: job.data as JobPayloads[JobName],
          attempt: job.attemptsMade + 1,
        }),
      {
        connection: this.connection,
        prefix: this.prefix,
        concurrency: CONCURRENCY,
        settings: {
          backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
            retryDelay(this.retry, attemptsMade, err),
        },
      },
    );
    this.worker.on('error', (err: Error) => this.logger.warn(`worker: ${err.message}`));
    this.worker.on('failed', (job, err: Error) =>
      this.logger.warn(
        `${job?.name ?? 'a'} job ${job?.id ?? ''} failed (attempt ${job?.attemptsMade ?? '?'}): ${err.message}`,
      ),
    );
  }

  /** Jobs live in Redis, where any node's worker may be running them: asks their counts. */
  async idle(): Promise<void> {
    for (;;) {
      const counts = await this.queue.getJobCounts(
        'active',
        'waiting',
        'delayed',
        'prioritized',
        'waiting-children',
      );
      if (Object.values(counts).every((n) => n === 0)) return;
      await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS));
    }
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
