import type { Predicate } from '@loopwright/events';

/** A predicate in words: `claims_tests_pass = true and test_runs = 0`. */
export function describePredicate(p: Predicate): string {
  if ('all' in p) return p.all.map(describePredicate).join(' and ');
  if ('any' in p) return `(${p.any.map(describePredicate).join(' or ')})`;
  if ('not' in p) return `not (${describePredicate(p.not)})`;
  if ('eq' in p) return `${p.feature} = ${p.eq}`;
  if ('neq' in p) return `${p.feature} ≠ ${p.neq}`;
  if ('gt' in p) return `${p.feature} > ${p.gt}`;
  if ('gte' in p) return `${p.feature} ≥ ${p.gte}`;
  if ('lt' in p) return `${p.feature} < ${p.lt}`;
  return `${p.feature} ≤ ${p.lte}`;
}
