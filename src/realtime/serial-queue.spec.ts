import { SerialQueue } from './serial-queue';

describe('SerialQueue', () => {
  it('runs tasks of one key in order even when earlier ones are slower', async () => {
    const queue = new SerialQueue();
    const done: number[] = [];
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await Promise.all([
      queue.run('a', async () => {
        await wait(20);
        done.push(1);
      }),
      queue.run('a', async () => {
        done.push(2);
      }),
    ]);
    expect(done).toEqual([1, 2]);
  });

  it('keeps going after a failed task', async () => {
    const queue = new SerialQueue();
    await expect(queue.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    let ran = false;
    await queue.run('a', async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });

  it('does not order tasks of different keys behind each other', async () => {
    const queue = new SerialQueue();
    const done: string[] = [];
    let release!: () => void;
    const slow = queue.run('a', () =>
      new Promise<void>((r) => (release = r)).then(() => void done.push('a')),
    );
    await queue.run('b', async () => void done.push('b'));
    release();
    await slow;
    expect(done).toEqual(['b', 'a']);
  });

  it('is idle only once tasks queued while it waits have finished too', async () => {
    const queue = new SerialQueue();
    const done: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    void queue.run('a', async () => {
      await gate;
      done.push('a');
      void queue.run('b', async () => {
        done.push('b');
      });
    });
    const idle = queue.idle().then(() => done.push('idle'));
    release();
    await idle;
    expect(done).toEqual(['a', 'b', 'idle']);
  });
});
