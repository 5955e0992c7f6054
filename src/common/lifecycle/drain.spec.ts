import { Drain } from './drain';

describe('Drain', () => {
  it('resolves at once when nothing is in flight, and then reports draining', async () => {
    const drain = new Drain();
    await expect(drain.start(1000)).resolves.toEqual({ drained: true });
    expect(drain.isDraining).toBe(true);
  });

  it('waits for the work in flight to end', async () => {
    const drain = new Drain();
    let finish!: () => void;
    const work = drain.track(() => new Promise<void>((resolve) => (finish = resolve)));
    let drained = false;
    const started = drain.start(10_000).then((r) => (drained = r.drained));
    await Promise.resolve();
    expect(drained).toBe(false);
    expect(drain.pending).toBe(1);
    finish();
    await work;
    await started;
    expect(drained).toBe(true);
  });

  it('gives up after the timeout when work never ends', async () => {
    const drain = new Drain();
    drain.enter();
    await expect(drain.start(10)).resolves.toEqual({ drained: false });
  });

  it('counts a piece of work once however often it says it is done', async () => {
    const drain = new Drain();
    const done = drain.enter();
    drain.enter();
    done();
    done();
    expect(drain.pending).toBe(1);
  });
});
