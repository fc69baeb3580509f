import { KeyedQueue } from './keyed-queue';
import { RunFolds } from './run-folds';

type Ev = { id: string; seq: number; n: number };
const sum = { initial: () => 0, evolve: (total: number, e: Ev) => total + e.n };
const ev = (seq: number, n = 1): Ev => ({ id: `e${seq}`, seq, n });

describe('RunFolds', () => {
  it('folds only the events after the last sequence it saw', () => {
    const folds = new RunFolds(sum);
    const fold = folds.start('r1');
    folds.advance(fold, [ev(3), ev(7, 10)]);
    folds.advance(fold, [ev(3), ev(7, 10), ev(9, 100)]);
    expect(fold).toMatchObject({ state: 111, lastSeq: 9, anchor: { seq: 9, id: 'e9' }, sinceSnapshot: 3 });
  });

  it('passes over a message that is no valid event without folding it or moving the anchor', () => {
    const folds = new RunFolds(sum);
    const fold = folds.start('r1');
    folds.advance(fold, [ev(2)]);
    folds.skip(fold, 5);
    folds.advance(fold, [ev(4, 50)]);
    expect(fold).toMatchObject({ state: 1, lastSeq: 5, anchor: { seq: 2, id: 'e2' } });
  });

  it('starts from a snapshot at its anchor', () => {
    const folds = new RunFolds(sum);
    const fold = folds.start('r1', { state: 40, anchor: { seq: 12, id: 'e12' } });
    folds.advance(fold, [ev(12, 1000), ev(13, 2)]);
    expect(fold.state).toBe(42);
  });

  it('holds the most recently used runs only', () => {
    const folds = new RunFolds(sum, 2);
    folds.start('a');
    folds.start('b');
    folds.get('a');
    folds.start('c');
    expect([folds.get('a'), folds.get('b'), folds.get('c')].map((f) => f?.runId)).toEqual(['a', undefined, 'c']);
  });
});

describe('KeyedQueue', () => {
  it('runs one key in order and different keys side by side', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    let releaseA!: () => void;
    const a1 = queue.run('a', () => new Promise<void>((resolve) => (releaseA = resolve)).then(() => void log.push('a1')));
    const a2 = queue.run('a', async () => void log.push('a2'));
    const b1 = queue.run('b', async () => void log.push('b1'));
    await b1;
    expect(log).toEqual(['b1']);
    releaseA();
    await Promise.all([a1, a2]);
    expect(log).toEqual(['b1', 'a1', 'a2']);
    expect(queue.busyKeys).toBe(0);
  });

  it('goes on with a key after one of its tasks failed', async () => {
    const queue = new KeyedQueue();
    await expect(queue.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(queue.run('a', async () => 'next')).resolves.toBe('next');
  });
});
