import type { FeatureValue, FeatureVector } from '@loopwright/checks';
import type { Condition } from '@loopwright/events';

/** How many conditions a feature may contribute to the search. */
export interface ConditionLimits {
  /** Numeric features with more distinct values use this many of them, at evenly spaced ranks. */
  maxThresholdsPerFeature: number;
  /** `eq` conditions per feature: the most frequent values. */
  maxValuesPerFeature: number;
}

const compareValues = <T extends FeatureValue>(a: T, b: T) => (a < b ? -1 : a > b ? 1 : 0);
/** Booleans, then numbers, then strings; by value inside a type. */
const compareMixed = (a: FeatureValue, b: FeatureValue) =>
  compareValues(typeof a, typeof b) || (typeof a === typeof b ? compareValues(a, b) : 0);

/**
 * The single conditions the rule search combines, in a canonical order (feature name, then
 * `eq`, `gte`, `lte`, then value): `eq` on booleans and strings, and on numbers `eq` plus
 * `gte`/`lte` thresholds at observed values (a `gte` at the smallest or an `lte` at the largest
 * value would hold for every number, so they are left out).
 *
 * Given the verdicts (index by index), thresholds are only placed at boundary points: between
 * two neighbouring values unless both carry one and the same verdict. Moving a threshold inside
 * a run of one verdict cannot make a rule more accurate, so nothing is lost, and the cap on
 * thresholds per feature is spent where the verdicts change.
 */
export function candidateConditions(
  vectors: readonly FeatureVector[],
  limits: ConditionLimits,
  verdicts?: readonly string[],
): Condition[] {
  const valuesByFeature = new Map<string, Map<FeatureValue, number>>();
  /** Per feature, per numeric value: the single verdict seen with it, or null once there are several. */
  const verdictsByValue = new Map<string, Map<number, string | null>>();
  vectors.forEach((vector, index) => {
    for (const name of Object.keys(vector)) {
      const value = vector[name];
      let values = valuesByFeature.get(name);
      if (!values) valuesByFeature.set(name, (values = new Map()));
      values.set(value, (values.get(value) ?? 0) + 1);
      if (verdicts && typeof value === 'number') {
        let seen = verdictsByValue.get(name);
        if (!seen) verdictsByValue.set(name, (seen = new Map()));
        const verdict = verdicts[index];
        seen.set(value, seen.has(value) && seen.get(value) !== verdict ? null : verdict);
      }
    }
  });

  const conditions: Condition[] = [];
  for (const feature of [...valuesByFeature.keys()].sort()) {
    const frequencies = valuesByFeature.get(feature)!;
    const values = [...frequencies.keys()];
    const frequent = [...values]
      .sort((a, b) => frequencies.get(b)! - frequencies.get(a)! || compareMixed(a, b))
      .slice(0, limits.maxValuesPerFeature)
      .sort(compareMixed);
    for (const value of frequent) conditions.push({ feature, eq: value });

    const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
    const seen = verdictsByValue.get(feature);
    // A boundary between numbers[i - 1] and numbers[i]: `gte numbers[i]` and `lte numbers[i - 1]` split there.
    const boundary = (i: number) => {
      if (!seen) return true;
      const below = seen.get(numbers[i - 1]);
      return below === null || below !== seen.get(numbers[i]);
    };
    const cuts = numbers.map((_, i) => i).filter((i) => i > 0 && boundary(i));
    for (const i of spaced(cuts, limits.maxThresholdsPerFeature)) conditions.push({ feature, gte: numbers[i] });
    for (const i of spaced(cuts, limits.maxThresholdsPerFeature)) conditions.push({ feature, lte: numbers[i - 1] });
  }
  return conditions;
}

/** `limit` of the sorted values at evenly spaced ranks, always keeping the ends. */
function spaced(sorted: readonly number[], limit: number): number[] {
  if (sorted.length <= limit) return [...sorted];
  if (limit < 2) return sorted.slice(0, limit);
  const picked = new Set<number>();
  for (let i = 0; i < limit; i++) picked.add(sorted[Math.round((i * (sorted.length - 1)) / (limit - 1))]);
  return [...picked].sort((a, b) => a - b);
}
