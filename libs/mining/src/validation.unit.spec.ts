import fc from 'fast-check';
import type { Condition } from '@loopwright/events';
import type { HistoryExample } from './history';
import { timeOrderedSplit } from './history';
import { trainResident } from './resident-classifier';
import { seededRandom } from './seeded-random';
import { plantedHistory } from './testing/planted-history';
import {
  DEFAULT_VALIDATION_THRESHOLDS, GoldenExample, searchAndValidate, shadowVerdict, validateCandidate, validateResident,
} from './validation';

const thresholds = DEFAULT_VALIDATION_THRESHOLDS;

/** The rule behind "claimed the tests pass without running them". */
const claimedWithoutRunning = {
  predicate: { all: [{ feature: 'claims_tests_pass', eq: true }, { feature: 'test_runs', eq: 0 }] },
  verdictWhenTrue: 'fail',
  verdictWhenFalse: 'pass',
  minorityVerdict: 'fail',
};

function traceHistory(n: number, seed: number): HistoryExample[] {
  const next = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const features = { claims_tests_pass: next() < 0.7, test_runs: Math.floor(next() * 3) };
    const fails = features.claims_tests_pass && features.test_runs === 0;
    return { decisionId: `d${i}`, seq: 100 + i, features, verdict: fails ? 'fail' : 'pass' };
  });
}

const golden = (exampleId: string, label: GoldenExample['label'], features: GoldenExample['features'], expectedVerdict: string): GoldenExample => ({
  exampleId, label, features, expectedVerdict,
});

describe('validateCandidate', () => {
  it('accepts a rule that keeps every golden verdict and reaches the bar on the later part of the history', () => {
    const result = validateCandidate({
      candidate: claimedWithoutRunning,
      golden: [
        golden('ran-and-passed', 'known-good', { claims_tests_pass: true, test_runs: 2 }, 'pass'),
        golden('claimed-never-ran', 'known-bad', { claims_tests_pass: true, test_runs: 0 }, 'fail'),
      ],
      history: traceHistory(300, 1),
      thresholds,
    });

    expect(result).toEqual({
      ok: true,
      figures: {
        golden: { checked: 2, changed: [] },
        history: { precision: 1, recall: 1, accuracy: 1, n: 90, trainN: 210, lastTrainSeq: 309, minorityVerdict: 'fail' },
      },
    });
  });

  it('rejects a rule that would fail one known-good example, naming it', () => {
    const result = validateCandidate({
      candidate: claimedWithoutRunning,
      golden: [
        golden('ran-and-passed', 'known-good', { claims_tests_pass: true, test_runs: 2 }, 'pass'),
        // A docs-only change: nothing to test, and saying so is right.
        golden('docs-only-no-tests', 'known-good', { claims_tests_pass: true, test_runs: 0 }, 'pass'),
        golden('claimed-never-ran', 'known-bad', { claims_tests_pass: true, test_runs: 0 }, 'fail'),
      ],
      history: traceHistory(300, 2),
      thresholds,
    });

    expect(result).toEqual({
      ok: false,
      reason: "the rule would change 1 golden verdict: known-good docs-only-no-tests (expected 'pass', rule says 'fail')",
      failedExamples: ['docs-only-no-tests'],
    });
  });

  it('rejects a rule that would pass a known-bad example, naming it', () => {
    const result = validateCandidate({
      candidate: claimedWithoutRunning,
      golden: [golden('ran-wrong-command', 'known-bad', { claims_tests_pass: true, test_runs: 1 }, 'fail')],
      history: traceHistory(300, 3),
      thresholds,
    });

    expect(result).toMatchObject({ ok: false, failedExamples: ['ran-wrong-command'] });
  });

  it('rejects a rule whose precision on the test part falls short, with the figures', () => {
    const loose = { predicate: { feature: 'test_runs', eq: 0 } as Condition, verdictWhenTrue: 'fail', verdictWhenFalse: 'pass' };

    const result = validateCandidate({ candidate: loose, golden: [], history: traceHistory(300, 4), thresholds });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/^on the 90 decisions after seq 309 \(about 'fail'\): precision 0\.\d+ < 0\.95/);
    expect(result.figures?.history.recall).toBe(1);
  });

  it('rejects when the test part is too small to prove anything', () => {
    const result = validateCandidate({ candidate: claimedWithoutRunning, golden: [], history: traceHistory(60, 5), thresholds });

    expect(result).toEqual({
      ok: false,
      reason: 'the test part has 18 examples (the last 30% of 60); validation needs at least 30',
      failedExamples: [],
    });
  });
});

describe('searchAndValidate', () => {
  it('lets the search see only the earlier 70% by sequence: a shift in the later 30% rejects the rule', () => {
    // Before the shift, x lies in 0..10 and the verdict is 'fail' from 7 up; after it, x lies in 20..30 and fails from 27 up.
    const next = seededRandom(6);
    const history: HistoryExample[] = Array.from({ length: 400 }, (_, i) => {
      const shifted = i >= 280;
      const x = (shifted ? 20 : 0) + Math.floor(next() * 11);
      return { decisionId: `d${i}`, seq: 1 + i, features: { x, b: next() < 0.5 }, verdict: x >= (shifted ? 27 : 7) ? 'fail' : 'pass' };
    });
    const shuffled = [...history].reverse();

    const { split, search, validation } = searchAndValidate({ history: shuffled, golden: [], thresholds });

    expect(split).toEqual({ trainN: 280, testN: 120, lastTrainSeq: 280 });
    if (!search.found) throw new Error(search.reason);
    expect(search.candidate.support).toBe(280);
    expect(search.candidate.predicate).toEqual({ feature: 'x', gte: 7 });
    expect(search.candidate.precision).toBe(1);
    expect(validation).toMatchObject({ ok: false, reason: expect.stringContaining('precision 0.') });
  });

  it('never lets a test-part example shape the rule', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 100, max: 300 }), (seed, n) => {
        const { history } = plantedHistory({ planted: { feature: 'n_0', gte: 10 }, n, seed, noise: 0.05 });
        const { test, train } = timeOrderedSplit(history, thresholds.trainShare);
        // Rewrite the test part at will: the search must not notice.
        const scrambled = [...train, ...test.map((e) => ({ ...e, verdict: e.verdict === 'fail' ? 'pass' : 'fail', features: { n_0: 99 } }))];
        expect(searchAndValidate({ history: scrambled, golden: [], thresholds }).search).toEqual(
          searchAndValidate({ history, golden: [], thresholds }).search,
        );
      }),
      { numRuns: 20 },
    );
  });

  it('validates what it finds against the golden examples', () => {
    const result = searchAndValidate({
      history: traceHistory(300, 7),
      golden: [golden('docs-only-no-tests', 'known-good', { claims_tests_pass: true, test_runs: 0 }, 'pass')],
      thresholds,
    });

    expect(result.validation).toMatchObject({ ok: false, failedExamples: ['docs-only-no-tests'] });
  });
});

describe('validateResident', () => {
  const residentBar = { ...thresholds, maxCalibrationError: 0.1, minConfidentAccuracy: 0.975, minCoverage: 0.5 };
  const separable = (n: number): HistoryExample[] => {
    const next = seededRandom(8);
    return Array.from({ length: n }, (_, i) => {
      const x = next() * 10;
      const y = next() * 10;
      return { decisionId: `d${i}`, seq: i, features: { x, y }, verdict: x + y > 12 ? 'fail' : 'pass' };
    });
  };
  /** Only a coin knows: the model cannot be confident, and must escalate. */
  const coinFlips = (n: number): HistoryExample[] => {
    const next = seededRandom(9);
    return Array.from({ length: n }, (_, i) => ({ decisionId: `c${i}`, seq: i, features: { x: next() }, verdict: next() < 0.5 ? 'fail' : 'pass' }));
  };
  const trained = (history: HistoryExample[]) => {
    const outcome = trainResident(timeOrderedSplit(history, 0.7).train);
    if (!outcome.trained) throw new Error(outcome.reason);
    return outcome.model;
  };

  it('holds a model to the golden examples, the test part as it would run there, and a calibration bar', () => {
    const history = separable(600);
    const model = trained(history);

    const ok = validateResident({ model, golden: [golden('far-apart', 'known-bad', { x: 9, y: 9 }, 'fail')], history, thresholds: residentBar });
    const vetoed = validateResident({ model, golden: [golden('mislabeled-on-purpose', 'known-good', { x: 9, y: 9 }, 'pass')], history, thresholds: residentBar });
    const uncalibrated = validateResident({ model, golden: [], history, thresholds: { ...residentBar, maxCalibrationError: 0 } });

    expect(ok).toMatchObject({ ok: true, figures: { history: { n: 180, calibrationError: expect.any(Number), coverage: expect.any(Number), confidentAccuracy: expect.any(Number) } } });
    expect(vetoed).toMatchObject({ ok: false, failedExamples: ['mislabeled-on-purpose'] });
    expect(uncalibrated).toMatchObject({ ok: false, reason: expect.stringMatching(/calibration error 0\.\d+ > 0/) });
  });

  it('does not count a golden example the model would escalate: the frontier answers it', () => {
    const history = separable(600);
    const model = { ...trained(history), confidenceThreshold: 1 };
    const result = validateResident({ model, golden: [golden('mislabeled-on-purpose', 'known-good', { x: 9, y: 9 }, 'pass')], history, thresholds: { ...residentBar, minCoverage: 0 } });
    expect(result).toMatchObject({ ok: true, figures: { golden: { checked: 1, changed: [] }, history: { coverage: 0 } } });
  });

  it('rejects a model that would answer too little by itself to carry any load', () => {
    const history = coinFlips(600);
    const result = validateResident({ model: trained(history), golden: [], history, thresholds: residentBar });
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/answers 0\.\d+ of the decisions by itself < 0\.5/) });
  });

  it('under a policy, counts only the verdicts the resident may give by itself, where it may give them', () => {
    const history = separable(600);
    const model = trained(history);
    const passOnly = validateResident({ model, golden: [], history, thresholds: { ...residentBar, minCoverage: 0 }, policy: { answers: ['pass'] } });
    const never = validateResident({ model, golden: [], history, thresholds: residentBar, policy: { requires: { feature: 'lint_passed', eq: true } } });
    expect(passOnly).toMatchObject({ ok: true });
    expect(never).toMatchObject({ ok: false, reason: expect.stringMatching(/answers 0\.000 of the decisions by itself/) });
  });

  it('waits for enough minority verdicts in the test part before it judges precision and recall', () => {
    const history = separable(600).map((e, i) => ({ ...e, verdict: i >= 420 ? 'pass' : e.verdict }));
    const result = validateResident({ model: trained(separable(600)), golden: [], history, thresholds: residentBar });
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/the test part has 0 'fail' verdicts/) });
  });
});

describe('shadowVerdict', () => {
  it.each([
    [{ agreements: 10, n: 10, threshold: 0.95, minN: 50 }, 'pending'],
    [{ agreements: 49, n: 50, threshold: 0.95, minN: 50 }, 'pass'],
    [{ agreements: 47, n: 50, threshold: 0.95, minN: 50 }, 'fail'],
    [{ agreements: 95, n: 100, threshold: 0.95, minN: 50 }, 'pass'],
    [{ agreements: 0, n: 0, threshold: 0.95, minN: 0 }, 'pending'],
  ] as const)('%o is %s', (input, expected) => {
    expect(shadowVerdict(input)).toBe(expected);
  });
});
