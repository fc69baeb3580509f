/**
 * The two verdicts a binary rule chooses between. `minority` is the less common one in the
 * history (on a tie, the one that sorts first: 'fail' before 'pass', '2' before '5'); precision
 * and recall are about it, since it is the verdict that matters (the failing gate, the low score).
 * With a single verdict in the history, both are that verdict.
 */
export interface VerdictPair {
  majority: string;
  minority: string;
  /** How many times each verdict occurs, every verdict seen. */
  counts: Readonly<Record<string, number>>;
}

/** How a rule's verdicts compare with the reference verdicts. */
export interface VerdictFigures {
  /** Of the times the rule said the minority verdict, the share that was right; 1 when it never said it. */
  precision: number;
  /** Of the times the reference said the minority verdict, the share the rule found; 1 when there were none. */
  recall: number;
  /** Share of all examples where the rule's verdict equals the reference. */
  accuracy: number;
  n: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

/** Picks the two most common verdicts of a history; null when it is empty. */
export function verdictPair(verdicts: readonly string[]): VerdictPair | null {
  const counts: Record<string, number> = {};
  for (const v of verdicts) counts[v] = (counts[v] ?? 0) + 1;
  // Most common first; on a tie the verdict that sorts last leads, so the one sorting first is the minority.
  const ranked = Object.keys(counts).sort((a, b) => counts[b] - counts[a] || (a < b ? 1 : a > b ? -1 : 0));
  if (ranked.length === 0) return null;
  return { majority: ranked[0], minority: ranked[1] ?? ranked[0], counts };
}

/** Precision, recall (about `minority`) and accuracy of `predicted` against `actual`, index by index. */
export function verdictFigures(predicted: readonly string[], actual: readonly string[], minority: string): VerdictFigures {
  if (predicted.length !== actual.length) throw new RangeError(`${predicted.length} predictions for ${actual.length} verdicts`);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let correct = 0;
  for (let i = 0; i < actual.length; i++) {
    const saysMinority = predicted[i] === minority;
    const isMinority = actual[i] === minority;
    if (predicted[i] === actual[i]) correct++;
    if (saysMinority && isMinority) tp++;
    else if (saysMinority) fp++;
    else if (isMinority) fn++;
  }
  const n = actual.length;
  return {
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    accuracy: n === 0 ? 0 : correct / n,
    n,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
  };
}
