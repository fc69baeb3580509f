import { expectedCalibrationError, fitPlatt, IDENTITY_SCALING, sigmoid } from './calibration';
import { seededRandom } from './seeded-random';

describe('fitPlatt', () => {
  it('recovers the slope and offset that generated the labels', () => {
    const next = seededRandom(21);
    const scores = Array.from({ length: 5000 }, () => next() * 4 - 2);
    const labels = scores.map((z) => next() < sigmoid(3 * z - 1));

    const { a, b } = fitPlatt(scores, labels);

    expect(a).toBeCloseTo(3, 0);
    expect(b).toBeCloseTo(-1, 0);
  });

  it('stays finite on a perfectly separated slice', () => {
    const scores = [-3, -2, -1, 1, 2, 3];
    const { a, b } = fitPlatt(scores, scores.map((z) => z > 0));

    expect(Number.isFinite(a) && Number.isFinite(b)).toBe(true);
    expect(sigmoid(a * 3 + b)).toBeLessThan(1);
  });

  it('is the identity without both labels', () => {
    expect(fitPlatt([1, 2], [true, true])).toEqual(IDENTITY_SCALING);
  });
});

describe('expectedCalibrationError', () => {
  it('is 0 when confidence matches accuracy in every bin', () => {
    const confidences = [0.75, 0.75, 0.75, 0.75, 1, 1];
    expect(expectedCalibrationError(confidences, [true, true, true, false, true, true])).toBeCloseTo(0, 12);
  });

  it('is the weighted gap between confidence and accuracy', () => {
    // Bin 0.9: confidence 0.9, accuracy 0.5, half of the examples; bin 0.6: confidence 0.6, accuracy 0.5.
    const error = expectedCalibrationError([0.9, 0.9, 0.6, 0.6], [true, false, true, false]);
    expect(error).toBeCloseTo(0.5 * 0.4 + 0.5 * 0.1, 12);
  });
});
