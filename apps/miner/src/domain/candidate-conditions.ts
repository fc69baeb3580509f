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
 */
export function candidateConditions(vectors: readonly FeatureVector[], limits: ConditionLimits): Condition[] {
  const valuesByFeature = new Map<string, Map<FeatureValue, number>>();
  for (const vector of vectors) {
    for (const name of Object.keys(vector)) {
      let values = valuesByFeature.get(name);
      if (!values) valuesByFeature.set(name, (values = new Map()));
      values.set(vector[name], (values.get(vector[name]) ?? 0) + 1);
    }
  }

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
    const thresholds = spaced(numbers, limits.maxThresholdsPerFeature);
    for (const t of thresholds) if (t > numbers[0]) conditions.push({ feature, gte: t });
    for (const t of thresholds) if (t < numbers[numbers.length - 1]) conditions.push({ feature, lte: t });
  }
  return conditions;
}

/** `limit` of the sorted distinct values at evenly spaced ranks, always keeping the ends. */
function spaced(sorted: readonly number[], limit: number): number[] {
  if (sorted.length <= limit) return [...sorted];
  if (limit < 2) return sorted.slice(0, limit);
  const picked = new Set<number>();
  for (let i = 0; i < limit; i++) picked.add(sorted[Math.round((i * (sorted.length - 1)) / (limit - 1))]);
  return [...picked].sort((a, b) => a - b);
}
