import { evaluatePredicate, FeatureVector } from '@loopwright/checks';
import type { Predicate } from '@loopwright/events';

/** A mined deterministic rule for one decision key: `verdictWhenTrue` when the predicate holds, else `verdictWhenFalse`. */
export interface BinaryRule {
  predicate: Predicate;
  verdictWhenTrue: string;
  verdictWhenFalse: string;
}

/** The verdict a rule gives for a request's features. */
export function ruleVerdict(rule: BinaryRule, features: FeatureVector): string {
  return evaluatePredicate(rule.predicate, features) ? rule.verdictWhenTrue : rule.verdictWhenFalse;
}
