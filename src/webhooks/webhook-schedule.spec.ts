import { nextAttemptAt, RETRY_WINDOW_MS } from './webhook-schedule';

describe('nextAttemptAt', () => {
  const created = new Date('2030-01-01T00:00:00Z');

  /** Attempts as the delivery job makes them: each failed one right at its time. */
  function attemptTimes(): number[] {
    const times = [created.getTime()];
    for (let attempt = 1; ; attempt++) {
      const next = nextAttemptAt(created, attempt, new Date(times[times.length - 1]));
      if (!next) return times.map((t) => t - created.getTime());
      times.push(next.getTime());
    }
  }

  it('backs off exponentially and makes the last attempt 24 h after the first', () => {
    const s = 1000;
    const m = 60 * s;
    const h = 60 * m;
    expect(attemptTimes()).toEqual([
      0,
      5 * s,
      5 * m + 5 * s,
      35 * m + 5 * s,
      2 * h + 35 * m + 5 * s,
      7 * h + 35 * m + 5 * s,
      17 * h + 35 * m + 5 * s,
      RETRY_WINDOW_MS,
    ]);
  });

  it('gives up when an attempt fails at or after the end of the window', () => {
    const late = new Date(created.getTime() + RETRY_WINDOW_MS + 1);
    expect(nextAttemptAt(created, 2, late)).toBeNull();
  });
});
