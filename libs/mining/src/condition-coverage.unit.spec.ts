import fc from 'fast-check';
import { evaluatePredicate } from '@loopwright/checks';
import type { Condition } from '@loopwright/events';
import { has } from './bitset';
import { conditionCoverage } from './condition-coverage';

const value = fc.oneof(fc.boolean(), fc.integer({ min: -3, max: 3 }), fc.constantFrom('a', 'b'), fc.double({ noNaN: true, min: -3, max: 3 }));
const vector = fc.dictionary(fc.constantFrom('f', 'g', 'h'), value);
const condition: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({ feature: fc.constantFrom('f', 'g', 'h'), eq: value }),
  fc.record({ feature: fc.constantFrom('f', 'g', 'h'), neq: value }),
  fc.record({ feature: fc.constantFrom('f', 'g', 'h'), gt: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ feature: fc.constantFrom('f', 'g', 'h'), gte: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ feature: fc.constantFrom('f', 'g', 'h'), lt: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ feature: fc.constantFrom('f', 'g', 'h'), lte: fc.integer({ min: -3, max: 3 }) }),
);

describe('conditionCoverage', () => {
  it('selects exactly the vectors evaluatePredicate accepts', () => {
    fc.assert(
      fc.property(fc.array(condition, { maxLength: 8 }), fc.array(vector, { maxLength: 70 }), (conditions, vectors) => {
        const coverage = conditionCoverage(conditions, vectors);
        conditions.forEach((c, k) => {
          vectors.forEach((v, i) => expect(has(coverage[k], i)).toBe(evaluatePredicate(c, v)));
        });
      }),
    );
  });
});
