import { planBatch, ScannedMessage } from './retention-plan';

const msg = (seq: number, over: Partial<ScannedMessage> = {}): ScannedMessage => ({
  id: `m${seq}`,
  seq: String(seq),
  expired: true,
  deleted: false,
  thread_root_id: null,
  ...over,
});
const ids = (list: ScannedMessage[]) => list.map((m) => m.id);

describe('planBatch', () => {
  it('dooms every expired live message and settles the whole batch', () => {
    const plan = planBatch([msg(1), msg(2, { deleted: true }), msg(3)], new Set(), 3, false);
    expect(ids(plan.doomed)).toEqual(['m1', 'm3']);
    expect(plan).toMatchObject({ scannedTo: '3', settledTo: '3', reachedCutoff: false });
  });

  it('stops at the first message that has not expired', () => {
    const plan = planBatch([msg(1), msg(2, { expired: false }), msg(3)], new Set(), 3, false);
    expect(ids(plan.doomed)).toEqual(['m1']);
    expect(plan).toMatchObject({ scannedTo: '1', settledTo: '1', reachedCutoff: true });
  });

  it('keeps a message with an open flag and holds the watermark below it', () => {
    const plan = planBatch([msg(1), msg(2), msg(3)], new Set(['m2']), 5, false);
    expect(ids(plan.doomed)).toEqual(['m1', 'm3']);
    expect(plan).toMatchObject({ scannedTo: '3', settledTo: '1', blocked: true });
  });

  it('settles nothing after a kept message of an earlier batch', () => {
    const plan = planBatch([msg(7), msg(8)], new Set(), 2, true);
    expect(ids(plan.doomed)).toEqual(['m7', 'm8']);
    expect(plan).toMatchObject({ scannedTo: '8', settledTo: null, blocked: true });
  });

  it('reports the end of the conversation when the batch is short, even if empty', () => {
    expect(planBatch([], new Set(), 10, false)).toEqual({
      doomed: [],
      scannedTo: null,
      settledTo: null,
      reachedCutoff: true,
      blocked: false,
    });
  });
});
