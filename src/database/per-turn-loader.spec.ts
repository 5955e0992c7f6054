import { perTurnLoader } from './per-turn-loader';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('perTurnLoader', () => {
  it('sends the lookups of one turn together, and those that come while two batches are out in the next', async () => {
    const batches: number[][] = [];
    const pending: (() => void)[] = [];
    const loader = perTurnLoader<number, number>(async (keys) => {
      batches.push([...keys]);
      await new Promise<void>((resolve) => pending.push(resolve));
      return keys.map((k) => k * 10);
    });
    const first = [loader.load(1), loader.load(2)];
    await nextTurn();
    const second = [loader.load(3)];
    await nextTurn();
    // two batches are at the database: these wait, over several turns, and go as one
    const third = [loader.load(4)];
    await nextTurn();
    third.push(loader.load(5));
    await nextTurn();
    expect(batches).toEqual([[1, 2], [3]]);
    pending.shift()!();
    await Promise.all(first);
    await nextTurn();
    expect(batches).toEqual([[1, 2], [3], [4, 5]]);
    pending.splice(0).forEach((resolve) => resolve());
    await expect(Promise.all([...second, ...third])).resolves.toEqual([30, 40, 50]);
  });

  it('fails only the key whose lookup fails', async () => {
    const loader = perTurnLoader<number, number>(async (keys) => {
      if (keys.includes(2)) throw new Error('bad key');
      return keys.map((k) => k);
    });
    const results = await Promise.allSettled([loader.load(1), loader.load(2), loader.load(3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
