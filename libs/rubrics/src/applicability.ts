import { evaluatePredicate, FeatureVector } from '@loopwright/checks';
import { AppliesWhen, Dimension, Gate, NEEDS_SURFACE, RubricDefinition } from './rubric-schema';

/** Whether a rubric or an item applies to a piece of work, and if not, why (for the record). */
export type Applicability = { applies: true } | { applies: false; reason: string };

const APPLIES: Applicability = { applies: true };

function byCondition(condition: AppliesWhen | undefined, features: FeatureVector): Applicability {
  if (!condition || evaluatePredicate(condition.when, features)) return APPLIES;
  return { applies: false, reason: `applies only when ${condition.description}` };
}

/** Whether the rubric grades this work at all (the handoff, say, only when the role hands on). */
export function rubricApplies(rubric: RubricDefinition, features: FeatureVector): Applicability {
  return byCondition(rubric.appliesWhen, features);
}

/** Whether an item applies: its `appliesWhen` holds and the surface it needs was recorded. */
export function itemApplies(item: Gate | Dimension, features: FeatureVector): Applicability {
  const condition = byCondition(item.appliesWhen, features);
  if (!condition.applies) return condition;
  const surface = 'needsSurface' in item && item.needsSurface ? NEEDS_SURFACE[item.needsSurface] : undefined;
  if (surface && features[surface.feature] !== true) return { applies: false, reason: `needs ${surface.says}, which this work does not have` };
  return APPLIES;
}
