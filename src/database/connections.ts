import { QueryRunner } from 'typeorm';

/** How long a statement waits for a free connection before it fails. */
export const ACQUIRE_TIMEOUT_MS = 10_000;

/** node-postgres' pool says this when no connection freed up within `connectionTimeoutMillis`. */
const POOL_TIMEOUT = /timeout exceeded when trying to connect/i;

/** No connection of the pool became free in time. */
export class ConnectionAcquireTimeoutError extends Error {
  constructor(cause: unknown) {
    super(
      `no database connection became free within ${ACQUIRE_TIMEOUT_MS} ms: every connection is ` +
        'held (on the embedded database, whose only connection a transaction holds until it ends, ' +
        'this is a statement made outside the running transaction while it waits)',
      { cause },
    );
    this.name = 'ConnectionAcquireTimeoutError';
  }
}

/** Whether `err` is the pool giving up on finding a free connection. */
export function isAcquireTimeout(err: unknown): boolean {
  return err instanceof Error && POOL_TIMEOUT.test(err.message);
}

/** Connects a query runner, failing with a clear error when the pool has no free connection. */
export async function connectRunner(runner: QueryRunner): Promise<unknown> {
  try {
    return await runner.connect();
  } catch (err) {
    await runner.release().catch(() => undefined);
    throw isAcquireTimeout(err) ? new ConnectionAcquireTimeoutError(err) : err;
  }
}
