import { KeyedBatcher } from './keyed-batcher';

const deferred = () => {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
};

describe('KeyedBatcher', () => {
  it('puts items added together into one batch, and items added during a flush into the next', async () => {
    const batches: number[][] = [];
    const gate = deferred();
    const batcher = new KeyedBatcher<number>(async (_key, items) => {
      batches.push(items);
      if (batches.length === 1) await gate.promise;
      return items.map(() => undefined);
    });
    const first = [1, 2, 3].map((n) => batcher.add('run-a', n));
    await new Promise((r) => setImmediate(r));
    const second = [4, 5].map((n) => batcher.add('run-a', n));
    expect(batches).toEqual([[1, 2, 3]]);
    gate.release();
    await Promise.all([...first, ...second]);
    expect(batches).toEqual([[1, 2, 3], [4, 5]]);
    expect(batcher.busyKeys).toBe(0);
  });

  it('flushes different keys side by side', async () => {
    const gate = deferred();
    const started: string[] = [];
    const batcher = new KeyedBatcher<string>(async (key, items) => {
      started.push(key);
      await gate.promise;
      return items.map(() => undefined);
    });
    const all = [batcher.add('run-a', 'x'), batcher.add('run-b', 'y')];
    await new Promise((r) => setImmediate(r));
    expect(started.sort()).toEqual(['run-a', 'run-b']);
    gate.release();
    await Promise.all(all);
  });

  it('settles each item with its own outcome, and every item with the error of a flush that throws', async () => {
    let calls = 0;
    const batcher = new KeyedBatcher<number>(async (_key, items) => {
      calls++;
      if (calls === 2) throw new Error('ledger unreachable');
      return items.map((n) => (n % 2 === 0 ? new Error(`even ${n}`) : undefined));
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.add('run', n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('even 2');
    const failed = await Promise.allSettled([batcher.add('run', 5), batcher.add('run', 7)]);
    expect(failed.map((r) => (r.status === 'rejected' ? r.reason.message : 'ok'))).toEqual(['ledger unreachable', 'ledger unreachable']);
  });

  it('never puts more than maxBatch items in one batch', async () => {
    const sizes: number[] = [];
    const batcher = new KeyedBatcher<number>(async (_key, items) => {
      sizes.push(items.length);
      return items.map(() => undefined);
    }, 4);
    await Promise.all(Array.from({ length: 10 }, (_, n) => batcher.add('run', n)));
    expect(sizes).toEqual([4, 4, 2]);
  });
});
