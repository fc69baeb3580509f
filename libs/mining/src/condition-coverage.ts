import type { FeatureValue, FeatureVector } from '@loopwright/checks';
import type { Condition } from '@loopwright/events';
import { Bitset, wordsFor } from './bitset';

/**
 * The examples each condition holds for, as bitsets, computed column by column. The semantics
 * are `evaluatePredicate`'s for a single condition (a missing feature makes it false; a threshold
 * on a non-number is false); the rule search calls this for thousands of conditions, so it reads
 * each feature's column once instead of walking every vector per condition.
 */
export function conditionCoverage(conditions: readonly Condition[], vectors: readonly FeatureVector[]): Bitset[] {
  const columns = new Map<string, (FeatureValue | undefined)[]>();
  const column = (feature: string) => {
    let values = columns.get(feature);
    if (!values) {
      values = vectors.map((v) => (Object.prototype.hasOwnProperty.call(v, feature) ? v[feature] : undefined));
      columns.set(feature, values);
    }
    return values;
  };
  return conditions.map((condition) => {
    const values = column(condition.feature);
    const bits = new Uint32Array(wordsFor(values.length));
    const holds = test(condition);
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value !== undefined && holds(value)) bits[i >>> 5] |= 1 << (i & 31);
    }
    return bits;
  });
}

function test(c: Condition): (value: FeatureValue) => boolean {
  if ('eq' in c) return (v) => v === c.eq;
  if ('neq' in c) return (v) => v !== c.neq;
  if ('gt' in c) return (v) => typeof v === 'number' && v > c.gt;
  if ('gte' in c) return (v) => typeof v === 'number' && v >= c.gte;
  if ('lt' in c) return (v) => typeof v === 'number' && v < c.lt;
  return (v) => typeof v === 'number' && v <= c.lte;
}
