/** What a calibrated confidence threshold must reach on held-out answers. */
export interface ThresholdTarget {
  /** The answers at or above the threshold must agree with the reference at least this often. */
  targetAccuracy: number;
  /** And there must be at least this many of them. */
  minSupport: number;
}

/**
 * The lowest confidence at which the answers at or above it agree with the reference at least
 * `targetAccuracy` of the time (over at least `minSupport` answers): below it, a resident escalates.
 * 1 when no threshold qualifies, so the model never answers by itself. Tied confidences are never
 * split: a threshold takes all answers of its confidence or none.
 */
export function confidenceThreshold(confidences: readonly number[], correct: readonly boolean[], target: ThresholdTarget): number {
  if (confidences.length !== correct.length) throw new RangeError(`${confidences.length} confidences for ${correct.length} outcomes`);
  const order = confidences.map((_, i) => i).sort((a, b) => confidences[b] - confidences[a]);
  let right = 0;
  let threshold = 1;
  for (let k = 0; k < order.length; k++) {
    if (correct[order[k]]) right++;
    const n = k + 1;
    const tied = k + 1 < order.length && confidences[order[k + 1]] === confidences[order[k]];
    if (!tied && n >= target.minSupport && right / n >= target.targetAccuracy) threshold = confidences[order[k]];
  }
  return threshold;
}
