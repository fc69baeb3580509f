import fc from 'fast-check';
import type { HistoryExample } from './history';
import {
  agrees, evaluateResident, parseResident, predict, ResidentModel, residentArtifact, serializeResident, trainResident,
} from './resident-classifier';
import { sigmoid } from './calibration';
import { seededRandom } from './seeded-random';

function mustTrain(history: readonly HistoryExample[], options = {}): ResidentModel {
  const outcome = trainResident(history, options);
  if (!outcome.trained) throw new Error(`not trained: ${outcome.reason}`);
  return outcome.model;
}

/** Two numbers in [0, 10] per example; 'pass' when 2x - y > 0.3, with a margin: no example has |2x - y - 0.3| < 1. */
function separable(n: number, seed: number, firstSeq = 0): HistoryExample[] {
  const next = seededRandom(seed);
  const examples: HistoryExample[] = [];
  while (examples.length < n) {
    const x = next() * 10;
    const y = next() * 10;
    const margin = 2 * x - y - 0.3;
    if (Math.abs(margin) < 1) continue;
    const seq = firstSeq + examples.length;
    examples.push({ decisionId: `d${seq}`, seq, features: { x, y, flag: next() < 0.5 }, verdict: margin > 0 ? 'pass' : 'fail' });
  }
  return examples;
}

/** One number; P(fail) = sigmoid(2x), so no classifier is sure and calibration matters. */
function probabilistic(n: number, seed: number, firstSeq = 0): HistoryExample[] {
  const next = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const x = next() * 4 - 2;
    return { decisionId: `d${firstSeq + i}`, seq: firstSeq + i, features: { x }, verdict: next() < sigmoid(2 * x) ? 'fail' : 'pass' };
  });
}

describe('trainResident', () => {
  it('learns a linearly separable set', () => {
    const train = separable(400, 1);
    const model = mustTrain(train);

    expect(evaluateResident(model, train).accuracy).toBe(1);
    expect(evaluateResident(model, separable(300, 2, 1000)).accuracy).toBe(1);
  });

  it('gives the probability of the rarer verdict, and a confidence of at least one half', () => {
    const model = mustTrain(separable(300, 3));
    expect(model.positiveVerdict).toBe('fail');

    fc.assert(
      fc.property(fc.double({ min: 0, max: 10, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true }), (x, y) => {
        const p = predict(model, { x, y, flag: false });
        expect(p.confidence).toBeGreaterThanOrEqual(0.5);
        expect(p.confidence).toBeLessThanOrEqual(1);
        expect(p.verdict).toBe(p.probability >= 0.5 ? 'fail' : 'pass');
      }),
    );
  });

  it('is deterministic given the seed', () => {
    const history = probabilistic(300, 4);

    const once = serializeResident(mustTrain(history, { seed: 7 }));
    const again = serializeResident(mustTrain([...history].reverse(), { seed: 7 }));
    const otherSeed = serializeResident(mustTrain(history, { seed: 8 }));

    expect(again).toBe(once);
    expect(otherSeed).not.toBe(once);
  });

  it('learns from hashed text when the structured features say nothing', () => {
    const next = seededRandom(5);
    const history: HistoryExample[] = Array.from({ length: 400 }, (_, i) => {
      const skipped = next() < 0.3;
      const texts = [skipped ? 'I skipped the slow tests for now' : 'All the tests ran and passed', `run ${i}`];
      return { decisionId: `d${i}`, seq: i, features: { noise: next() }, texts, verdict: skipped ? 'fail' : 'pass' };
    });

    const model = mustTrain(history.slice(0, 300));

    expect(evaluateResident(model, history.slice(300)).accuracy).toBeGreaterThanOrEqual(0.97);
  });

  it('uses string features, hashed as name=value', () => {
    const next = seededRandom(6);
    const history: HistoryExample[] = Array.from({ length: 300 }, (_, i) => {
      const endedBy = next() < 0.25 ? 'turn_limit' : 'finished';
      return { decisionId: `d${i}`, seq: i, features: { ended_by: endedBy, other: next() }, verdict: endedBy === 'turn_limit' ? 'fail' : 'pass' };
    });

    expect(evaluateResident(mustTrain(history), history).accuracy).toBe(1);
  });

  it('calibrates its confidence on every example, scored by a model that did not see it (expected calibration error on fresh data below 0.05)', () => {
    const model = mustTrain(probabilistic(2000, 9));
    const fresh = evaluateResident(model, probabilistic(4000, 10, 5000));

    expect(model.calibratedOn).toBe(2000);
    expect(model.trainedOn).toBe(2000);
    expect(fresh.calibrationError).toBeLessThan(0.05);
  });

  it('never answers by itself where its words only memorise the verdicts (out-of-fold scores say nothing)', () => {
    const next = seededRandom(18);
    // each example's words are its own: a model fits them all, and learns nothing that holds on another example
    const history: HistoryExample[] = Array.from({ length: 300 }, (_, i) => ({
      decisionId: `m${i}`, seq: i, features: {}, texts: [`token${i} other${i}`], verdict: next() < 0.3 ? 'fail' : 'pass',
    }));
    const model = mustTrain(history);

    expect(evaluateResident({ ...model, platt: { a: 1, b: 0 }, confidenceThreshold: 0.5 }, history).accuracy).toBeGreaterThan(0.9);
    expect(model.confidenceThreshold).toBe(1);
  });

  it('leaves the scores unscaled when the history is too small to calibrate on', () => {
    const model = mustTrain(separable(200, 17), { minCalibrationExamples: 500 });

    expect(model.calibratedOn).toBe(0);
    expect(model.platt).toEqual({ a: 1, b: 0 });
    expect(model.trainedOn).toBe(200);
  });

  it('refuses a history with a single verdict, or too few examples', () => {
    const allPass = separable(100, 11).map((e) => ({ ...e, verdict: 'pass' }));
    expect(trainResident(allPass)).toEqual({ trained: false, reason: 'a classifier needs two verdicts in the history' });
    expect(trainResident(separable(20, 12), { minExamples: 40 })).toMatchObject({ trained: false, reason: expect.stringContaining('training needs 40') });
  });
});

describe('the model artifact', () => {
  it('round-trips through JSON with the same predictions', () => {
    const model = mustTrain(separable(200, 13));
    const restored = parseResident(serializeResident(model));

    expect(restored).toEqual(model);
    for (const e of separable(50, 14)) expect(predict(restored, e.features)).toEqual(predict(model, e.features));
  });

  it('is addressed by the sha256 of its JSON', () => {
    const model = mustTrain(separable(200, 15));
    const artifact = residentArtifact(model);

    expect(artifact.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(residentArtifact(parseResident(artifact.json)).digest).toBe(artifact.digest);
  });

  it('is rejected when malformed, naming the field', () => {
    const model = mustTrain(separable(200, 16));
    const broken = JSON.stringify({ ...model, weights: model.weights.slice(1) });

    expect(() => parseResident(broken)).toThrow(/weights: weights must have one entry per/);
    expect(() => parseResident('{not json')).toThrow(/not JSON/);
  });
});

describe('the resident as it runs: a calibrated threshold, and one verdict against the rest', () => {
  /** A word that tells the verdict nine times in ten: no model can be sure of every example, only of none. */
  function wordy(n: number, seed: number, firstSeq = 0): HistoryExample[] {
    const next = seededRandom(seed);
    return Array.from({ length: n }, (_, i) => {
      const fails = next() < 0.3;
      const clear = next() < 0.6;
      const word = clear ? (fails ? 'broken' : 'works') : next() < 0.5 ? 'maybe' : 'perhaps';
      return { decisionId: `w${firstSeq + i}`, seq: firstSeq + i, features: { n: next() }, texts: [`it ${word} fine`], verdict: fails ? 'fail' : 'pass' };
    });
  }

  it('sets its threshold where its held-out answers reach the target, and answers by itself only above it', () => {
    const model = mustTrain(wordy(600, 11), { targetAgreement: 0.98 });
    expect(model.confidenceThreshold).toBeGreaterThan(0.5);
    expect(model.confidenceThreshold).toBeLessThan(1);
    const fresh = evaluateResident(model, wordy(600, 12, 1000));
    expect(fresh.coverage).toBeGreaterThan(0.4);
    expect(fresh.coverage).toBeLessThan(0.8);
    expect(fresh.confidentAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(predict(model, { n: 0.5 }, ['it maybe fine']).confident).toBe(false);
    expect(predict(model, { n: 0.5 }, ['it broken fine'])).toMatchObject({ verdict: 'fail', confident: true });
  });

  it('learns one verdict against all the others when told which', () => {
    const next = seededRandom(13);
    const verdicts = ['approve', 'patch', 'regenerate'];
    const history: HistoryExample[] = Array.from({ length: 500 }, (_, i) => {
      const verdict = verdicts[Math.floor(next() * 3)];
      return { decisionId: `e${i}`, seq: i, features: { x: next() }, texts: [verdict === 'approve' ? 'clean draft' : verdict === 'patch' ? 'small slip here' : 'wrong from the start'], verdict };
    });
    const model = mustTrain(history, { positive: 'approve' });
    expect(model).toMatchObject({ positiveVerdict: 'approve', negativeVerdict: 'not approve', negativeIsRest: true });
    expect(predict(model, { x: 0.5 }, ['clean draft'])).toMatchObject({ verdict: 'approve', confident: true });
    expect(predict(model, { x: 0.5 }, ['wrong from the start']).verdict).toBe('not approve');
    expect(agrees(model, 'not approve', 'patch')).toBe(true);
    expect(agrees(model, 'not approve', 'approve')).toBe(false);
    expect(evaluateResident(model, history).accuracy).toBe(1);
  });

  it('reads a text as words and pairs of words, tagged by which text it is', () => {
    const next = seededRandom(14);
    const history: HistoryExample[] = Array.from({ length: 400 }, (_, i) => {
      const lies = next() < 0.3;
      // the same words in both classes; only their order (a pair) tells them apart
      return { decisionId: `p${i}`, seq: i, features: {}, texts: [lies ? 'added tests for it' : 'tests added for it'], verdict: lies ? 'fail' : 'pass' };
    });
    const model = mustTrain(history);
    expect(evaluateResident(model, history).accuracy).toBe(1);
    const swapped = history.map((e) => ({ ...e, texts: ['', e.texts![0]] }));
    expect(evaluateResident(model, swapped).accuracy).toBeLessThan(1);
  });
});
