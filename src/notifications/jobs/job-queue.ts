/** The jobs of the queue and what each carries: ids only, never content. */
export interface JobPayloads {
  /** one email with the pending notifications of one user in one conversation */
  'email-digest': { userId: string; conversationId: string };
  /** without a subscription: fan out to the user's subscriptions; with one: deliver to it */
  push: { notificationId: string; userId?: string; subscriptionId?: string };
  /** one attempt of an outgoing webhook delivery (the webhooks module runs it) */
  'webhook-delivery': { deliveryId: string };
}

export type JobName = keyof JobPayloads;

export interface Job<N extends JobName = JobName> {
  /** stable across the retries of one job */
  id: string;
  name: N;
  data: JobPayloads[N];
  /** 1 on the first run */
  attempt: number;
}

export type JobHandlers = { [N in JobName]: (job: Job<N>) => Promise<void> };

export interface EnqueueOptions {
  delayMs?: number;
  /** while a job with this key was added less than `ttlMs` ago, adding another does nothing */
  throttle?: { key: string; ttlMs: number };
}

/** A failed job runs again after `delayMs`, then twice that, and so on, `attempts` runs in all. */
export interface RetryPolicy {
  attempts: number;
  delayMs: number;
}

/**
 * Thrown by a job whose far end said when to try again (`Retry-After`): the next attempt waits
 * that long instead of the back-off.
 */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/** The longest `Retry-After` a job waits; beyond it, the back-off decides. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

export const backoffDelay = (policy: RetryPolicy, failedAttempt: number): number =>
  policy.delayMs * 2 ** (failedAttempt - 1);

/** How long to wait after a failed attempt: what the error asked for, else the back-off. */
export function retryDelay(policy: RetryPolicy, failedAttempt: number, err: unknown): number {
  if (err instanceof RetryLaterError && err.delayMs >= 0 && err.delayMs <= MAX_RETRY_AFTER_MS) {
    return err.delayMs;
  }
  return backoffDelay(policy, failedAttempt);
}

/** Calls the handler of a job's name. */
export function runJob(handlers: Partial<JobHandlers>, job: Job): Promise<void> {
  const handler = handlers[job.name] as ((job: Job) => Promise<void>) | undefined;
  if (!handler) return Promise.reject(new Error(`no handler for ${job.name} jobs`));
  return handler(job);
}

/**
 * Background jobs with retries and exponential back-off, off the request path: BullMQ on
 * Redis when `REDIS_URL` is set (queued jobs survive a restart and any node may run them), an
 * in-process queue otherwise. The same interface either way.
 */
export abstract class JobQueue {
  private readonly registered: Partial<JobHandlers> = {};

  /**
   * Another module's jobs on this queue (webhook deliveries): their handler, registered before
   * the queue starts (in `onModuleInit`).
   */
  register<N extends JobName>(name: N, handler: JobHandlers[N]): void {
    this.registered[name] = handler;
  }

  /** The handlers given to `start`, with the registered ones. */
  protected withRegistered(handlers: Partial<JobHandlers>): Partial<JobHandlers> {
    return { ...this.registered, ...handlers };
  }

  abstract add<N extends JobName>(
    name: N,
    data: JobPayloads[N],
    options?: EnqueueOptions,
  ): Promise<void>;

  /** Starts running jobs (these and the registered ones), this node's share with Redis. */
  abstract start(handlers: Partial<JobHandlers>): void;

  /**
   * Resolves once no job is left to run: none waiting, running, or delayed (a batch window or
   * a retry's back-off still to pass; jobs that gave up do not count). Tests wait on it before
   * asserting that nothing was sent, so keep their delays short (configuration).
   */
  abstract idle(): Promise<void>;

  /** Stops taking jobs and waits for the running ones; every connection and timer ends. */
  abstract close(): Promise<void>;
}
