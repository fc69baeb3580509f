import fc from 'fast-check';
import { SubjectToken } from '@loopwright/events';
import { instructionIdFor, keySlug, modelIdFor, ruleIdFor } from './rule-ids';

describe('rule ids', () => {
  it('name the key and the generation', () => {
    expect(ruleIdFor('grader:engineer:gate:ran_tests_before_claim', 2)).toBe('r-grader-engineer-gate-ran_tests_before_claim-g2');
    expect(modelIdFor('grader:engineer:dimension:clarity', 1)).toBe('m-grader-engineer-dimension-clarity-g1');
  });

  it('are subject tokens, distinct for distinct keys', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), fc.integer({ min: 1, max: 10_000 }), (a, b, generation) => {
        const id = ruleIdFor(a, generation);
        expect(SubjectToken.safeParse(id).success).toBe(true);
        expect(SubjectToken.safeParse(modelIdFor(a, generation)).success).toBe(true);
        if (a !== b) expect(keySlug(a)).not.toBe(keySlug(b));
      }),
    );
  });

  it('tell apart keys that only differ in characters a subject cannot hold', () => {
    expect(keySlug('grader:engineer:gate:a.b')).not.toBe(keySlug('grader:engineer:gate:a_b'));
  });

  it('derive instruction ids from the correction signature', () => {
    const id = instructionIdFor('engineer', 'engineer:tests:local:run the tests');
    expect(id).toMatch(/^i-engineer-[0-9a-f]{8}$/);
    expect(instructionIdFor('engineer', 'engineer:tests:local:run the tests')).toBe(id);
  });
});
