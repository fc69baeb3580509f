/** Platt scaling: the calibrated probability of the positive verdict is sigmoid(a·score + b). */
export interface PlattScaling {
  a: number;
  b: number;
}

export const IDENTITY_SCALING: PlattScaling = { a: 1, b: 0 };

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * Fits Platt scaling to raw scores (logits) and their labels (true = positive), by Newton's
 * method with a backtracking line search on the log loss, with Platt's smoothed targets so a
 * perfectly separated slice does not push the slope to infinity (Lin, Lin and Weng, 2007).
 */
export function fitPlatt(scores: readonly number[], labels: readonly boolean[]): PlattScaling {
  const positives = labels.filter(Boolean).length;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return IDENTITY_SCALING;
  const high = (positives + 1) / (positives + 2);
  const low = 1 / (negatives + 2);
  const targets = labels.map((l) => (l ? high : low));

  const loss = (a: number, b: number) => {
    let total = 0;
    for (let i = 0; i < scores.length; i++) {
      const z = a * scores[i] + b;
      // log(1 + e^z) - t·z, written to stay finite for large |z|.
      total += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - targets[i] * z;
    }
    return total;
  };

  let a = 1;
  let b = 0;
  let current = loss(a, b);
  for (let iteration = 0; iteration < 100; iteration++) {
    // Gradient (ga, gb) and Hessian [[haa, hab], [hab, hbb]] of the loss; a tiny ridge keeps it invertible.
    let ga = 0;
    let gb = 0;
    let haa = 1e-12;
    let hab = 0;
    let hbb = 1e-12;
    for (let i = 0; i < scores.length; i++) {
      const p = sigmoid(a * scores[i] + b);
      const d = p - targets[i];
      const w = p * (1 - p);
      ga += d * scores[i];
      gb += d;
      haa += w * scores[i] * scores[i];
      hab += w * scores[i];
      hbb += w;
    }
    if (Math.abs(ga) < 1e-9 && Math.abs(gb) < 1e-9) break;
    const det = haa * hbb - hab * hab;
    const da = -(hbb * ga - hab * gb) / det;
    const db = -(haa * gb - hab * ga) / det;
    const slope = ga * da + gb * db;
    let step = 1;
    while (step > 1e-10) {
      const next = loss(a + step * da, b + step * db);
      if (next <= current + 1e-4 * step * slope) {
        a += step * da;
        b += step * db;
        current = next;
        break;
      }
      step /= 2;
    }
    if (step <= 1e-10) break;
  }
  return { a, b };
}

/**
 * Expected calibration error: examples binned by the confidence of their predicted verdict
 * (`bins` equal bins over [0, 1]); the gap between accuracy and mean confidence per bin,
 * weighted by the bin's share of examples. 0 is perfectly calibrated.
 */
export function expectedCalibrationError(confidences: readonly number[], correct: readonly boolean[], bins = 10): number {
  if (confidences.length === 0) return 0;
  const sums = Array.from({ length: bins }, () => ({ n: 0, confidence: 0, correct: 0 }));
  confidences.forEach((c, i) => {
    const bin = sums[Math.min(bins - 1, Math.floor(c * bins))];
    bin.n++;
    bin.confidence += c;
    bin.correct += correct[i] ? 1 : 0;
  });
  return sums.reduce((error, bin) => (bin.n === 0 ? error : error + Math.abs(bin.correct - bin.confidence) / confidences.length), 0);
}
