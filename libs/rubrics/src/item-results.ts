import type { DecisionOutcomeTier } from '@loopwright/events';
import { FeatureVector, runCheck } from '@loopwright/checks';
import type { RubricDefinition } from './rubric-schema';

/** The verdict on one gate, by whichever tier decided it. */
export interface GateItemResult {
  passed: boolean;
  evidence: string;
  tier: DecisionOutcomeTier;
}

/** The score of one dimension, or why it was not scored (no verdict could be had). */
export type DimensionItemResult =
  | { score: number; evidence: string; reasoning: string; tier: DecisionOutcomeTier }
  | { notScored: true; reason: string };

/** Every item of a rubric decided: each gate has a verdict, each dimension a score or a not-scored mark. */
export interface ItemResults {
  gates: Record<string, GateItemResult>;
  dimensions: Record<string, DimensionItemResult>;
}

/**
 * Decides the items that have a built-in check, from the features. A checked dimension scores
 * the scale's max when its check passes and its min when it fails.
 */
export function deterministicItemResults(rubric: RubricDefinition, features: FeatureVector): ItemResults {
  const gates: ItemResults['gates'] = {};
  const dimensions: ItemResults['dimensions'] = {};
  for (const gate of rubric.gates) {
    if (gate.check) gates[gate.id] = { ...runCheck(gate.check, features), tier: 'deterministic' };
  }
  for (const dimension of rubric.dimensions) {
    if (!dimension.check) continue;
    const { passed, evidence } = runCheck(dimension.check, features);
    dimensions[dimension.id] = {
      score: passed ? rubric.scale.max : rubric.scale.min,
      evidence,
      reasoning: `the built-in check "${dimension.check}" ${passed ? 'passed' : 'failed'}`,
      tier: 'deterministic',
    };
  }
  return { gates, dimensions };
}

/** The items no built-in check decides: a model (or a person) must judge them. */
export function judgedItems(rubric: RubricDefinition): { gates: string[]; dimensions: string[] } {
  return {
    gates: rubric.gates.filter((g) => !g.check).map((g) => g.id),
    dimensions: rubric.dimensions.filter((d) => !d.check).map((d) => d.id),
  };
}
