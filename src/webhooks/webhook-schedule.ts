const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** How long a delivery is retried, from its first attempt (API.md: 24 h). */
export const RETRY_WINDOW_MS = 24 * HOUR;

/** A webhook whose every delivery failed for this long is disabled. */
export const DISABLE_AFTER_MS = 24 * HOUR;

/** The wait after each failed attempt: 1st, 2nd, … The last try is at the window's end. */
const BACKOFF_MS = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR];

/**
 * When to try a delivery again after attempt number `attempt` failed at `now`, or null when it
 * has had its last try. Exponential-ish back-off, capped so the last attempt is made 24 h after
 * the delivery was created: 0, 5 s, 5 m, 35 m, 2 h 35 m, 7 h 35 m, 17 h 35 m, 24 h.
 */
export function nextAttemptAt(createdAt: Date, attempt: number, now: Date): Date | null {
  const deadline = createdAt.getTime() + RETRY_WINDOW_MS;
  if (now.getTime() >= deadline) return null;
  const wait = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length) - 1] ?? BACKOFF_MS[0];
  return new Date(Math.min(now.getTime() + wait, deadline));
}
