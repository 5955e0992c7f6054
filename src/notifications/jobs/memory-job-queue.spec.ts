import { Job, JobHandlers, RetryLaterError } from './job-queue';
import { MemoryJobQueue } from './memory-job-queue';

/** Handlers that record each run and fail the first `failures` runs of every job. */
function recorder(failures = 0) {
  const runs: { job: Job; at: number }[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const record = async (job: Job): Promise<void> => {
    runs.push({ job, at: Date.now() });
    for (const w of waiters.filter((w) => runs.length >= w.count)) w.resolve();
    if (job.attempt <= failures) throw new Error(`failure ${job.attempt}`);
  };
  const handlers: JobHandlers = {
    'email-digest': record,
    push: record,
    'webhook-delivery': record,
  };
  const untilRuns = (count: number) =>
    new Promise<void>((resolve) => {
      if (runs.length >= count) resolve();
      else waiters.push({ count, resolve });
    });
  return { runs, handlers, untilRuns };
}

describe('MemoryJobQueue', () => {
  let queue: MemoryJobQueue;
  afterEach(() => queue.close());

  it('runs a job after its delay', async () => {
    queue = new MemoryJobQueue({ attempts: 3, delayMs: 10 });
    const r = recorder();
    queue.start(r.handlers);
    const added = Date.now();
    await queue.add('push', { notificationId: 'n1' }, { delayMs: 50 });
    await r.untilRuns(1);
    expect(r.runs[0].at - added).toBeGreaterThanOrEqual(45);
    expect(r.runs[0].job).toMatchObject({
      name: 'push',
      data: { notificationId: 'n1' },
      attempt: 1,
    });
  });

  it('retries a failing job with exponential back-off, keeping its id', async () => {
    queue = new MemoryJobQueue({ attempts: 5, delayMs: 20 });
    const r = recorder(3);
    queue.start(r.handlers);
    await queue.add('push', { notificationId: 'n1' });
    await r.untilRuns(4);
    expect(r.runs.map((x) => x.job.attempt)).toEqual([1, 2, 3, 4]);
    expect(new Set(r.runs.map((x) => x.job.id)).size).toBe(1);
    const gaps = r.runs.slice(1).map((x, i) => x.at - r.runs[i].at);
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(78);
  });

  it('waits as long as a RetryLaterError asks before the next attempt', async () => {
    queue = new MemoryJobQueue({ attempts: 3, delayMs: 5 });
    const runs: number[] = [];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const handler = async (job: Job): Promise<void> => {
      runs.push(Date.now());
      if (job.attempt === 1) throw new RetryLaterError('busy', 120);
      done();
    };
    queue.start({ 'email-digest': handler, push: handler });
    await queue.add('push', { notificationId: 'n1' });
    await finished;
    expect(runs).toHaveLength(2);
    expect(runs[1] - runs[0]).toBeGreaterThanOrEqual(115);
  });

  it('gives up after the last attempt', async () => {
    queue = new MemoryJobQueue({ attempts: 2, delayMs: 5 });
    const r = recorder(10);
    queue.start(r.handlers);
    await queue.add('push', { notificationId: 'n1' });
    await queue.idle();
    expect(r.runs).toHaveLength(2);
  });

  it('ignores jobs added with the same throttle key until the key expires', async () => {
    queue = new MemoryJobQueue({ attempts: 1, delayMs: 5 });
    const r = recorder();
    queue.start(r.handlers);
    // As in production, the key expires a little before the job runs.
    const throttle = { key: 'email:u:c', ttlMs: 30 };
    const data = { userId: 'u', conversationId: 'c' };
    await queue.add('email-digest', data, { delayMs: 40, throttle });
    await queue.add('email-digest', data, { delayMs: 40, throttle });
    await r.untilRuns(1);
    await queue.add('email-digest', data, { throttle });
    await r.untilRuns(2);
    expect(r.runs).toHaveLength(2);
  });

  it('runs nothing more once closed', async () => {
    queue = new MemoryJobQueue({ attempts: 1, delayMs: 5 });
    const r = recorder();
    queue.start(r.handlers);
    await queue.add('push', { notificationId: 'n1' }, { delayMs: 20 });
    await queue.close();
    await queue.add('push', { notificationId: 'n2' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.runs).toEqual([]);
  });

  it('is idle once no job waits, runs or waits to retry', async () => {
    queue = new MemoryJobQueue({ attempts: 3, delayMs: 10 });
    const r = recorder(1);
    queue.start(r.handlers);
    await queue.idle();
    await queue.add('push', { notificationId: 'n1' }, { delayMs: 20 });
    await queue.idle();
    // the first run failed and the retry succeeded: both happened before idle resolved
    expect(r.runs.map((x) => x.job.attempt)).toEqual([1, 2]);
  });
});
