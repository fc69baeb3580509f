import fc from 'fast-check';
import { Correction, correctionSignature, normalizeDelta, recurringCorrections } from './corrections';

const correction = (eventId: string, seq: number, extra: Partial<Correction> = {}): Correction => ({
  eventId,
  seq,
  role: 'engineer',
  itemKind: 'gate',
  itemId: 'ran_tests_before_claim',
  fixType: 'local',
  owner: 'executor',
  delta: 'Run the tests before claiming they pass',
  ...extra,
});

describe('normalizeDelta', () => {
  it('lowercases, turns digits into #, collapses whitespace and trims', () => {
    expect(normalizeDelta('  Fix the 3 failing\n\ttests in  file42.ts ')).toBe('fix the # failing tests in file##.ts');
  });

  it('is idempotent', () => {
    fc.assert(fc.property(fc.string(), (s) => normalizeDelta(normalizeDelta(s)) === normalizeDelta(s)));
  });
});

describe('correctionSignature', () => {
  it('is the same for deltas that differ only in case, numbers and spacing', () => {
    const a = correctionSignature({ role: 'engineer', itemId: 'tests_cover_change', fixType: 'local', delta: 'Add 2 tests' });
    const b = correctionSignature({ role: 'engineer', itemId: 'tests_cover_change', fixType: 'local', delta: ' add   7 Tests' });
    expect(a).toBe(b);
    expect(a).toBe('engineer:tests_cover_change:local:add # tests');
  });

  it('differs by role, item and kind of fix', () => {
    const base = { role: 'engineer', itemId: 'x', fixType: 'local', delta: 'd' } as const;
    const variants = [
      base,
      { ...base, role: 'tester' as const },
      { ...base, itemId: 'y' },
      { ...base, fixType: 'upstream-structural' as const },
    ];
    expect(new Set(variants.map(correctionSignature)).size).toBe(4);
  });
});

describe('recurringCorrections', () => {
  it('groups by decision key and keeps the keys seen at least minCount times', () => {
    const corrections = [
      correction('e1', 1),
      correction('e2', 2, { delta: 'run the TESTS before claiming they pass' }),
      correction('e3', 3, { delta: 'Say which tests ran' }),
      correction('e4', 4, { itemKind: 'dimension', itemId: 'clarity', delta: 'Shorter summary' }),
    ];
    const recurring = recurringCorrections(corrections, 2);
    expect(recurring).toHaveLength(1);
    expect(recurring[0]).toMatchObject({
      key: 'grader:engineer:gate:ran_tests_before_claim',
      count: 3,
      exampleEventIds: ['e1', 'e2', 'e3'],
    });
    expect(recurring[0].signatures.map((s) => [s.normalizedDelta, s.count])).toEqual([
      ['run the tests before claiming they pass', 2],
      ['say which tests ran', 1],
    ]);
    expect(recurring[0].signatures[0].latestDelta).toBe('run the TESTS before claiming they pass');
  });

  it('counts an event listed twice (a replay) once', () => {
    const recurring = recurringCorrections([correction('e1', 1), correction('e1', 1), correction('e2', 2)], 3);
    expect(recurring).toEqual([]);
  });

  it('does not depend on the order corrections arrive in', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            seq: fc.nat(1000),
            itemId: fc.constantFrom('a', 'b', 'c'),
            delta: fc.constantFrom('Do X', 'do x', 'Do Y 2'),
          }),
          { maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 4 }),
        (rows, minCount) => {
          const corrections = rows.map((r, i) => correction(`e${i}`, r.seq, { itemId: r.itemId, delta: r.delta }));
          const forward = recurringCorrections(corrections, minCount);
          const backward = recurringCorrections([...corrections].reverse(), minCount);
          expect(backward).toEqual(forward);
          for (const group of forward) {
            expect(group.count).toBeGreaterThanOrEqual(minCount);
            expect(group.signatures.reduce((sum, s) => sum + s.count, 0)).toBe(group.count);
          }
        },
      ),
    );
  });
});
