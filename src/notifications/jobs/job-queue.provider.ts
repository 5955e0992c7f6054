import { Provider } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { BullmqJobQueue } from './bullmq-job-queue';
import { JobQueue, RetryPolicy } from './job-queue';
import { MemoryJobQueue } from './memory-job-queue';

/** With the default 10 s first delay, the last try is about 85 minutes after the first. */
const ATTEMPTS = 10;

/**
 * Names the Redis keys after the database, so that apps sharing a Redis but not a database
 * (tests, staging beside production) never run each other's jobs.
 */
export function queuePrefix(config: AppConfig): string {
  let database = config.dataDir;
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    database = `${url.hostname}:${url.port}${url.pathname}`;
  }
  return `messaging:${createHash('sha256').update(database).digest('hex').slice(0, 16)}`;
}

export const JobQueueProvider: Provider = {
  provide: JobQueue,
  inject: [AppConfig],
  useFactory: (config: AppConfig): JobQueue => {
    const retry: RetryPolicy = { attempts: ATTEMPTS, delayMs: config.notifications.retryDelayMs };
    return config.redisUrl
      ? new BullmqJobQueue(config.redisUrl, queuePrefix(config), retry)
      : new MemoryJobQueue(retry);
  },
};
