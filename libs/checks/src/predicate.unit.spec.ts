import fc from 'fast-check';
import { ValidationError } from '@loopwright/core';
import type { Predicate } from '@loopwright/events';
import { evaluatePredicate, featuresOf, FeatureVector, parsePredicate } from './predicate';

// Names include the prototype's own keys: a vector must never "have" a feature it inherits.
const featureName = fc.constantFrom('a', 'b', 'test_runs', 'ended_by', 'toString', '__proto__', 'constructor');
const featureValue = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.boolean(),
  fc.constantFrom('finished', 'turn_limit', 'error', ''),
);
const condition: fc.Arbitrary<Predicate> = fc.oneof(
  fc.record({ feature: featureName, eq: featureValue }),
  fc.record({ feature: featureName, neq: featureValue }),
  fc.record({ feature: featureName, gt: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ feature: featureName, gte: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ feature: featureName, lt: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ feature: featureName, lte: fc.integer({ min: -5, max: 5 }) }),
);
const { predicate } = fc.letrec<{ predicate: Predicate }>((tie) => ({
  predicate: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    condition,
    fc.record({ all: fc.array(tie('predicate'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('predicate'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('predicate') }),
  ),
}));
const features: fc.Arbitrary<FeatureVector> = fc
  .array(fc.tuple(featureName, featureValue), { maxLength: 6 })
  .map((entries) => {
    const vector: Record<string, string | number | boolean> = {};
    for (const [name, value] of entries) Object.defineProperty(vector, name, { value, enumerable: true, configurable: true, writable: true });
    return vector;
  });

describe('evaluatePredicate (properties)', () => {
  it('never throws and always answers a boolean', () => {
    fc.assert(fc.property(predicate, features, (p, f) => typeof evaluatePredicate(p, f) === 'boolean'));
  });

  it('not inverts', () => {
    fc.assert(fc.property(predicate, features, (p, f) => evaluatePredicate({ not: p }, f) === !evaluatePredicate(p, f)));
  });

  it('all and any of a single predicate equal the predicate', () => {
    fc.assert(
      fc.property(predicate, features, (p, f) => {
        const value = evaluatePredicate(p, f);
        return evaluatePredicate({ all: [p] }, f) === value && evaluatePredicate({ any: [p] }, f) === value;
      }),
    );
  });

  it('all is every and any is some', () => {
    fc.assert(
      fc.property(fc.array(predicate, { minLength: 1, maxLength: 4 }), features, (ps, f) => {
        const values = ps.map((p) => evaluatePredicate(p, f));
        return (
          evaluatePredicate({ all: ps }, f) === values.every(Boolean) &&
          evaluatePredicate({ any: ps }, f) === values.some(Boolean)
        );
      }),
    );
  });

  it("follows De Morgan's laws", () => {
    fc.assert(
      fc.property(fc.array(predicate, { minLength: 1, maxLength: 4 }), features, (ps, f) => {
        const nots = ps.map((p) => ({ not: p }));
        return (
          evaluatePredicate({ not: { all: ps } }, f) === evaluatePredicate({ any: nots }, f) &&
          evaluatePredicate({ not: { any: ps } }, f) === evaluatePredicate({ all: nots }, f)
        );
      }),
    );
  });

  it('makes every comparison on a missing feature false, neq included', () => {
    fc.assert(
      fc.property(condition, (c) => evaluatePredicate(c, {}) === false && evaluatePredicate({ not: c }, {}) === true),
    );
    expect(evaluatePredicate({ feature: 'toString', neq: 'x' }, {})).toBe(false);
  });

  it('makes an ordering comparison on a non-number false', () => {
    fc.assert(
      fc.property(fc.oneof(fc.boolean(), fc.string()), fc.integer(), (value, bound) =>
        (['gt', 'gte', 'lt', 'lte'] as const).every(
          (op) => evaluatePredicate({ feature: 'x', [op]: bound } as Predicate, { x: value }) === false,
        ),
      ),
    );
  });

  it('compares with strict equality, without coercion', () => {
    expect(evaluatePredicate({ feature: 'test_runs', eq: 0 }, { test_runs: 0 })).toBe(true);
    expect(evaluatePredicate({ feature: 'test_runs', eq: 0 }, { test_runs: '0' })).toBe(false);
    expect(evaluatePredicate({ feature: 'flag', eq: true }, { flag: 1 })).toBe(false);
    expect(evaluatePredicate({ feature: 'n', gte: 3 }, { n: 3 })).toBe(true);
    expect(evaluatePredicate({ feature: 'n', gt: 3 }, { n: 3 })).toBe(false);
  });

  it('evaluates the example rule of the architecture', () => {
    const rule = parsePredicate({ all: [{ feature: 'claims_tests_pass', eq: true }, { feature: 'test_runs', eq: 0 }] });
    expect(evaluatePredicate(rule, { claims_tests_pass: true, test_runs: 0 })).toBe(true);
    expect(evaluatePredicate(rule, { claims_tests_pass: true, test_runs: 2 })).toBe(false);
    expect(evaluatePredicate(rule, { test_runs: 0 })).toBe(false);
  });
});

describe('parsePredicate', () => {
  it('accepts every well-formed predicate unchanged', () => {
    fc.assert(fc.property(predicate, (p) => expect(parsePredicate(JSON.parse(JSON.stringify(p)))).toEqual(JSON.parse(JSON.stringify(p)))));
  });

  it('reads every feature a predicate names', () => {
    fc.assert(
      fc.property(predicate, (p) => {
        const names = featuresOf(p);
        const named = [...JSON.stringify(p).matchAll(/"feature":"([^"]*)"/g)].map((m) => m[1]);
        return new Set(names).size === names.length && new Set(named).size === names.length && named.every((n) => names.includes(n));
      }),
    );
    expect(featuresOf({ all: [{ feature: 'a', eq: 1 }, { not: { feature: 'b', gt: 0 } }, { feature: 'a', lt: 3 }] })).toEqual([
      'a',
      'b',
    ]);
  });

  const refusals: [string, unknown, string, RegExp][] = [
    ['an empty all', { all: [] }, 'all', /too small/i],
    ['an empty any', { any: [] }, 'any', /too small/i],
    ['a nested ordering against a string', { all: [{ feature: 'x', eq: 1 }, { feature: 'n', gt: '3' }] }, 'all.1.gt', /number/],
    ['a condition with an empty feature name', { not: { feature: '', eq: true } }, 'not.feature', /too small/i],
    ['an unknown operator', { any: [{ feature: 'x', contains: 'y' }] }, 'any.0', /contains/],
    ['a value that is no object', 42, '(root)', /object/],
    ['code where a predicate belongs', { not: 'process.exit(1)' }, 'not', /object/],
  ];

  it.each(refusals)('refuses %s, naming the path', (_name, raw, path, reason) => {
    let error: unknown;
    try {
      parsePredicate(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)?.message).toMatch(reason);
    expect((error as Error).message).toContain(`${path}:`);
  });

  it('refuses arbitrary non-predicates without throwing anything but ValidationError', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        try {
          parsePredicate(raw);
          return true;
        } catch (e) {
          return e instanceof ValidationError && (e as ValidationError).issues.length > 0;
        }
      }),
    );
  });
});
