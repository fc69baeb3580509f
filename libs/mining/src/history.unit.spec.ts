import fc from 'fast-check';
import { recentWindow, timeOrderedSplit } from './history';

const example = (seq: number) => ({ decisionId: `d${seq}`, seq, features: {}, verdict: 'pass' });

describe('timeOrderedSplit', () => {
  it('puts the earliest share in train and everything later in test, whatever the input order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(10_000)), fc.double({ min: 0.05, max: 0.95, noNaN: true }), (seqs, share) => {
        const { train, test, lastTrainSeq } = timeOrderedSplit(seqs.map(example), share);
        expect(train.length).toBe(Math.floor(seqs.length * share));
        expect(train.length + test.length).toBe(seqs.length);
        for (const t of test) expect(t.seq).toBeGreaterThan(lastTrainSeq);
        expect(train.every((e, i) => i === 0 || train[i - 1].seq < e.seq)).toBe(true);
      }),
    );
  });

  it('refuses a share outside (0, 1)', () => {
    expect(() => timeOrderedSplit([], 1)).toThrow(RangeError);
  });
});

describe('recentWindow', () => {
  it('keeps the most recent examples by sequence', () => {
    expect(recentWindow([5, 1, 4, 2, 3].map(example), 2).map((e) => e.seq)).toEqual([4, 5]);
    expect(recentWindow([2, 1].map(example), 10).map((e) => e.seq)).toEqual([1, 2]);
  });
});
