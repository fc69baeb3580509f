import type { FeatureVector } from '@loopwright/checks';

/**
 * One decision the frontier made for a decision key, as the miner learns from it: the features
 * the request carried and the verdict the frontier gave ('pass' | 'fail' for a gate, a score
 * such as '4' for a dimension).
 */
export interface HistoryExample {
  decisionId: string;
  /** Stream sequence of the verdict: the time order of the history. */
  seq: number;
  features: FeatureVector;
  verdict: string;
  /** The event to cite as evidence; the decision id when absent. */
  eventId?: string;
  /** Optional free text (a claim, a summary) that a resident classifier may hash into features. */
  texts?: readonly string[];
}

/** A history cut in time: everything in `train` happened before everything in `test`. */
export interface TimeOrderedSplit<T extends HistoryExample = HistoryExample> {
  train: T[];
  test: T[];
  /** The last sequence of the train part; -1 when it is empty. */
  lastTrainSeq: number;
}

/** Orders by stream sequence (then decision id, so equal sequences cannot reorder between runs). */
export function bySeq<T extends HistoryExample>(examples: readonly T[]): T[] {
  return [...examples].sort(
    (a, b) => a.seq - b.seq || (a.decisionId < b.decisionId ? -1 : a.decisionId > b.decisionId ? 1 : 0),
  );
}

/**
 * The first `trainShare` of the history by sequence to learn from, the rest to test on. Rule
 * search sees only `train`, so the test figures say how a rule does on decisions that came later.
 */
export function timeOrderedSplit<T extends HistoryExample>(history: readonly T[], trainShare: number): TimeOrderedSplit<T> {
  if (!(trainShare > 0 && trainShare < 1)) throw new RangeError(`trainShare must be in (0, 1), got ${trainShare}`);
  const ordered = bySeq(history);
  const cut = Math.floor(ordered.length * trainShare);
  const train = ordered.slice(0, cut);
  return { train, test: ordered.slice(cut), lastTrainSeq: train.length ? train[train.length - 1].seq : -1 };
}

/** The most recent `window` examples by sequence: the miner learns from how a key is decided now. */
export function recentWindow<T extends HistoryExample>(history: readonly T[], window: number): T[] {
  const ordered = bySeq(history);
  return window >= ordered.length ? ordered : ordered.slice(ordered.length - window);
}

/** The id to cite for an example in a rule's evidence. */
export function evidenceId(example: HistoryExample): string {
  return example.eventId ?? example.decisionId;
}
