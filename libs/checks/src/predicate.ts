import { ValidationError } from '@loopwright/core';
import { Predicate, PredicateSchema } from '@loopwright/events';
import { schemaIssues } from './schema-issues';

export type FeatureValue = number | boolean | string;
export type FeatureVector = Readonly<Record<string, FeatureValue>>;

/**
 * Evaluates a mined rule's predicate over named features. A predicate is data: this walks it,
 * it never compiles or evaluates code. A feature the vector lacks makes its condition false.
 */
export function evaluatePredicate(predicate: Predicate, features: FeatureVector): boolean {
  if ('all' in predicate) return predicate.all.every((p) => evaluatePredicate(p, features));
  if ('any' in predicate) return predicate.any.some((p) => evaluatePredicate(p, features));
  if ('not' in predicate) return !evaluatePredicate(predicate.not, features);
  if (!Object.prototype.hasOwnProperty.call(features, predicate.feature)) return false;
  const value = features[predicate.feature];
  if ('eq' in predicate) return value === predicate.eq;
  if ('neq' in predicate) return value !== predicate.neq;
  if (typeof value !== 'number') return false;
  if ('gt' in predicate) return value > predicate.gt;
  if ('gte' in predicate) return value >= predicate.gte;
  if ('lt' in predicate) return value < predicate.lt;
  return value <= predicate.lte;
}

/** Parses a predicate from untrusted JSON (a rule event, a file), naming what is wrong. */
export function parsePredicate(raw: unknown): Predicate {
  const parsed = PredicateSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = schemaIssues(parsed.error);
    throw new ValidationError(`invalid predicate: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return parsed.data;
}

/** Every feature a predicate reads, for explaining a rule and checking it against the known features. */
export function featuresOf(predicate: Predicate): string[] {
  if ('all' in predicate) return [...new Set(predicate.all.flatMap(featuresOf))];
  if ('any' in predicate) return [...new Set(predicate.any.flatMap(featuresOf))];
  if ('not' in predicate) return featuresOf(predicate.not);
  return [predicate.feature];
}
