import type { DecisionOutcomeTier } from '@loopwright/events';
import { FeatureVector, runCheck } from '@loopwright/checks';
import { itemApplies } from './applicability';
import type { Dimension, RubricDefinition } from './rubric-schema';

/** The verdict on one gate, by whichever tier decided it; a gate that does not apply passes vacuously. */
export interface GateItemResult {
  passed: boolean;
  evidence: string;
  tier: DecisionOutcomeTier;
  notApplicable?: boolean;
}

/**
 * The score of one dimension, or why it has none: it does not apply (its weight renormalizes away),
 * or no usable verdict could be had (it is missing, and the rubric cannot pass).
 */
export type DimensionItemResult =
  | { score: number; evidence: string; reasoning: string; tier: DecisionOutcomeTier }
  | { notScored: true; reason: string; notApplicable?: boolean };

/** Every item of a rubric decided: each gate has a verdict, each dimension a score or a not-scored mark. */
export interface ItemResults {
  gates: Record<string, GateItemResult>;
  dimensions: Record<string, DimensionItemResult>;
}

/** The score a feature's value falls into, by the first band that holds it. */
export function scoreFromBands(dimension: Dimension, features: FeatureVector): { score: number; evidence: string } | null {
  const by = dimension.scoredBy!;
  const value = features[by.feature];
  if (typeof value !== 'number') return null;
  const band = by.bands.find((b) => (b.min === undefined || value >= b.min) && (b.max === undefined || value <= b.max));
  return band ? { score: band.score, evidence: `${by.feature}=${value}` } : null;
}

/**
 * Decides what code can decide from the features: items that do not apply, items with a built-in
 * check (a checked dimension scores the scale's max when its check passes, its min when it fails),
 * and dimensions scored by a feature.
 */
export function deterministicItemResults(rubric: RubricDefinition, features: FeatureVector): ItemResults {
  const gates: ItemResults['gates'] = {};
  const dimensions: ItemResults['dimensions'] = {};
  for (const gate of rubric.gates) {
    const applies = itemApplies(gate, features);
    if (!applies.applies) gates[gate.id] = { passed: true, evidence: `does not apply: ${applies.reason}`, tier: 'deterministic', notApplicable: true };
    else if (gate.check) gates[gate.id] = { ...runCheck(gate.check, features), tier: 'deterministic' };
  }
  for (const dimension of rubric.dimensions) {
    const applies = itemApplies(dimension, features);
    if (!applies.applies) {
      dimensions[dimension.id] = { notScored: true, reason: applies.reason, notApplicable: true };
    } else if (dimension.check) {
      const { passed, evidence } = runCheck(dimension.check, features);
      dimensions[dimension.id] = {
        score: passed ? rubric.scale.max : rubric.scale.min,
        evidence,
        reasoning: `the built-in check "${dimension.check}" ${passed ? 'passed' : 'failed'}`,
        tier: 'deterministic',
      };
    } else if (dimension.scoredBy) {
      const scored = scoreFromBands(dimension, features);
      dimensions[dimension.id] = scored
        ? { ...scored, reasoning: `scored from ${dimension.scoredBy.feature}`, tier: 'deterministic' }
        : { notScored: true, reason: `the feature ${dimension.scoredBy.feature} was not recorded as a number` };
    }
  }
  return { gates, dimensions };
}

/** Whether a model (or a person) must judge an item: it applies and no code decides it. */
export function isJudged(item: { check?: string; scoredBy?: unknown }): boolean {
  return !item.check && !item.scoredBy;
}

/** The items a model (or a person) must judge: those no code decides, and, given features, that apply. */
export function judgedItems(rubric: RubricDefinition, features?: FeatureVector): { gates: string[]; dimensions: string[] } {
  const applies = (item: Parameters<typeof itemApplies>[0]) => !features || itemApplies(item, features).applies;
  return {
    gates: rubric.gates.filter((g) => isJudged(g) && applies(g)).map((g) => g.id),
    dimensions: rubric.dimensions.filter((d) => isJudged(d) && applies(d)).map((d) => d.id),
  };
}
