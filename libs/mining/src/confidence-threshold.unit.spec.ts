import { confidenceThreshold } from './confidence-threshold';

describe('confidenceThreshold', () => {
  const target = { targetAccuracy: 0.9, minSupport: 3 };

  it('is the lowest confidence at which the answers above it agree often enough', () => {
    // sorted by confidence: 0.99 ok, 0.95 ok, 0.9 ok, 0.8 wrong, 0.7 ok, 0.6 wrong
    const confidences = [0.6, 0.99, 0.8, 0.95, 0.7, 0.9];
    const correct = [false, true, false, true, true, true];
    expect(confidenceThreshold(confidences, correct, target)).toBe(0.9);
    expect(confidenceThreshold(confidences, correct, { targetAccuracy: 0.75, minSupport: 3 })).toBe(0.7);
  });

  it('is 1 (never answer alone) when no threshold reaches the target with enough support', () => {
    expect(confidenceThreshold([0.99, 0.98], [true, true], target)).toBe(1);
    expect(confidenceThreshold([0.99, 0.98, 0.97, 0.96], [false, false, true, true], target)).toBe(1);
  });

  it('never splits answers of equal confidence', () => {
    expect(confidenceThreshold([0.9, 0.9, 0.9, 0.9], [true, true, true, false], target)).toBe(1);
    expect(confidenceThreshold([0.9, 0.9, 0.9, 0.9], [true, true, true, true], target)).toBe(0.9);
  });

  it('refuses mismatched inputs', () => {
    expect(() => confidenceThreshold([0.9], [], target)).toThrow(RangeError);
  });
});
