import type { FeatureVector } from '@loopwright/checks';
import type { Condition, Predicate } from '@loopwright/events';
import { evaluatePredicate } from '@loopwright/checks';
import type { HistoryExample } from '../history';
import { seededRandom } from '../seeded-random';

/** The kinds of feature a synthetic history carries, named by prefix: b_ boolean, n_ number, s_ string. */
export const SYNTHETIC_FEATURES = {
  booleans: ['b_0', 'b_1', 'b_2', 'b_3', 'b_4', 'b_5'],
  numbers: ['n_0', 'n_1', 'n_2', 'n_3', 'n_4', 'n_5', 'n_6', 'n_7'],
  strings: ['s_0', 's_1'],
} as const;

export const STRING_VALUES = ['alpha', 'beta', 'gamma', 'delta'] as const;

/** Random features: booleans, integers 0..20 and one of four strings, drawn from `seed`. */
export function randomFeatures(next: () => number): FeatureVector {
  const vector: Record<string, number | boolean | string> = {};
  for (const name of SYNTHETIC_FEATURES.booleans) vector[name] = next() < 0.5;
  for (const name of SYNTHETIC_FEATURES.numbers) vector[name] = Math.floor(next() * 21);
  for (const name of SYNTHETIC_FEATURES.strings) vector[name] = STRING_VALUES[Math.floor(next() * STRING_VALUES.length)];
  return vector;
}

/**
 * A history whose verdict is 'fail' exactly when `planted` holds, then with a share `noise` of
 * the verdicts flipped (exactly round(noise × n) of them, chosen at random). `truth` keeps the
 * verdicts before the flips.
 */
export function plantedHistory(options: {
  planted: Predicate;
  n: number;
  seed: number;
  noise?: number;
  firstSeq?: number;
  features?: (next: () => number, index: number) => FeatureVector;
}): { history: HistoryExample[]; truth: string[] } {
  const next = seededRandom(options.seed);
  const features = options.features ?? randomFeatures;
  const history: HistoryExample[] = [];
  const truth: string[] = [];
  for (let i = 0; i < options.n; i++) {
    const vector = features(next, i);
    const verdict = evaluatePredicate(options.planted, vector) ? 'fail' : 'pass';
    truth.push(verdict);
    const seq = (options.firstSeq ?? 1) + i;
    history.push({ decisionId: `d-${seq}`, seq, features: vector, verdict });
  }
  const order = history.map((_, i) => [next(), i] as const).sort((a, b) => a[0] - b[0]);
  for (const [, i] of order.slice(0, Math.round((options.noise ?? 0) * options.n))) {
    history[i] = { ...history[i], verdict: history[i].verdict === 'fail' ? 'pass' : 'fail' };
  }
  return { history, truth };
}

/** A condition on one synthetic feature, from a few numbers (so fast-check can draw and shrink it). */
export function syntheticCondition(kind: 'boolean' | 'number' | 'string', index: number, choice: number, op: number): Condition {
  if (kind === 'boolean') {
    return { feature: SYNTHETIC_FEATURES.booleans[index % SYNTHETIC_FEATURES.booleans.length], eq: choice % 2 === 0 };
  }
  if (kind === 'string') {
    return { feature: SYNTHETIC_FEATURES.strings[index % SYNTHETIC_FEATURES.strings.length], eq: STRING_VALUES[choice % STRING_VALUES.length] };
  }
  const feature = SYNTHETIC_FEATURES.numbers[index % SYNTHETIC_FEATURES.numbers.length];
  const threshold = 3 + (choice % 15);
  return op % 2 === 0 ? { feature, gte: threshold } : { feature, lte: threshold };
}
