import { EventEmitter2 } from '@nestjs/event-emitter';
import { AppConfig } from '../../config/app-config';
import { OutboxDispatcher } from './outbox-dispatcher';
import { OutboxRepository } from './outbox.repository';

/** An outbox whose first delete waits until the test lets it finish. */
function slowOutbox() {
  const rows = new Set<string>();
  const deletes: string[][] = [];
  let release: () => void = () => undefined;
  const firstDelete = new Promise<void>((resolve) => (release = resolve));
  let deleting: () => void = () => undefined;
  const deleteStarted = new Promise<void>((resolve) => (deleting = resolve));
  const outbox = {
    delete: async (ids: string[]) => {
      deletes.push(ids);
      if (deletes.length === 1) {
        deleting();
        await firstDelete;
      }
      for (const id of ids) rows.delete(id);
    },
    // (as a database would, these answer on a later turn: a drain that waits polls, not spins)
    pending: () => new Promise<number>((resolve) => setImmediate(() => resolve(rows.size))),
    claim: () => new Promise<never[]>((resolve) => setImmediate(() => resolve([]))),
  } as unknown as OutboxRepository;
  return { outbox, rows, deletes, release, deleteStarted };
}

describe('OutboxDispatcher', () => {
  it('prunes an event dispatched while an earlier prune was under way', async () => {
    const fake = slowOutbox();
    const dispatcher = new OutboxDispatcher(fake.outbox, new EventEmitter2(), {} as AppConfig);
    const event = (id: string) => {
      fake.rows.add(id);
      return { id, event_id: `e${id}`, name: 'message.created' };
    };
    dispatcher.dispatch(event('1'), {});
    await fake.deleteStarted;
    dispatcher.dispatch(event('2'), {});
    fake.release();
    await dispatcher.drain();
    expect(fake.deletes).toEqual([['1'], ['2']]);
    expect(fake.rows.size).toBe(0);
  });

  it('prunes the events of several turns in one delete, and a drain does not wait for it', async () => {
    const fake = slowOutbox();
    fake.release();
    const dispatcher = new OutboxDispatcher(fake.outbox, new EventEmitter2(), {} as AppConfig);
    for (const id of ['1', '2', '3']) {
      fake.rows.add(id);
      dispatcher.dispatch({ id, event_id: `e${id}`, name: 'message.created' }, {});
      await new Promise((resolve) => setImmediate(resolve));
    }
    const started = performance.now();
    await dispatcher.drain();
    expect(performance.now() - started).toBeLessThan(50);
    expect(fake.deletes).toEqual([['1', '2', '3']]);
    expect(fake.rows.size).toBe(0);
  });
});
