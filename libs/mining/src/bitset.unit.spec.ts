import fc from 'fast-check';
import { bitsetOf, count, countAll, countBoth, fingerprint, has, intersect } from './bitset';

/** Three sets over the same n indexes, as arrays of flags. */
const flagSets = fc
  .integer({ min: 0, max: 200 })
  .chain((n) => fc.tuple(fc.constant(n), fc.tuple(...[0, 1, 2].map(() => fc.array(fc.boolean(), { minLength: n, maxLength: n })))));

describe('bitset', () => {
  it('counts members, pairwise and three-way intersections like plain arrays do', () => {
    fc.assert(
      fc.property(flagSets, ([n, [a, b, c]]) => {
        const [x, y, z] = [a, b, c].map((flags) => bitsetOf(n, (i) => flags[i]));
        expect(count(x)).toBe(a.filter(Boolean).length);
        expect(countBoth(x, y)).toBe(a.filter((v, i) => v && b[i]).length);
        expect(countAll(x, y, z)).toBe(a.filter((v, i) => v && b[i] && c[i]).length);
        const both = intersect(x, y);
        for (let i = 0; i < n; i++) expect(has(both, i)).toBe(a[i] && b[i]);
        expect(fingerprint(x) === fingerprint(bitsetOf(n, (i) => a[i]))).toBe(true);
      }),
    );
  });
});
