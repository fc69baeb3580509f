import { ValidationError } from '@loopwright/core';
import type { FeatureVector } from '@loopwright/checks';
import { DimensionResult, GateResult, RubricGrade } from '@loopwright/events';
import type { ItemResults } from './item-results';
import { capOf, RubricDefinition } from './rubric-schema';
import { buildToReachNext } from './to-reach-next';

const round = (n: number) => Math.round(n * 1e6) / 1e6;

export interface ScoreOptions {
  /** The recorded features: they phrase the feedback of checked items against this work. */
  features?: FeatureVector;
  /** Whether the rubric bounces work: its activation, or what a calibration made of it. */
  mode?: 'gating' | 'advisory';
}

/**
 * Scores a rubric from the verdicts on its items. Code does all the arithmetic:
 *
 * - `weightedAvg`: weighted mean of the scored dimensions; dimensions not scored (not applicable,
 *   or with no usable verdict) are left out and the weights renormalize. Null when none was scored.
 * - `overall`: `(weightedAvg − min) / (max − min)`, then the lowest cap among the failed gates
 *   (a critical gate caps at 0, a minor one at 0.5). With no dimension scored, the gates are the
 *   only evidence: overall starts at 1 and only the caps lower it.
 * - `passed`: no critical gate failed, no dimension lacks a verdict, and overall >= passThreshold.
 *
 * A gate with no verdict fails closed; every item must have a result: a missing or unknown item
 * id is refused.
 */
export function scoreRubric(rubric: RubricDefinition, results: ItemResults, options: ScoreOptions = {}): RubricGrade {
  assertCovers(rubric, results);
  const { min, max } = rubric.scale;

  const gates: GateResult[] = rubric.gates.map((gate) => {
    const r = results.gates[gate.id];
    return { id: gate.id, passed: r.passed, evidence: r.evidence, tier: r.tier, severity: gate.severity };
  });

  const dimensions: DimensionResult[] = [];
  const notScored: string[] = [];
  const missing: string[] = [];
  const notApplicable = rubric.gates.filter((g) => results.gates[g.id].notApplicable).map((g) => g.id);
  let weighted = 0;
  let weights = 0;
  for (const dimension of rubric.dimensions) {
    const r = results.dimensions[dimension.id];
    if ('notScored' in r) {
      notScored.push(dimension.id);
      (r.notApplicable ? notApplicable : missing).push(dimension.id);
      continue;
    }
    if (!(r.score >= min && r.score <= max)) {
      throw new ValidationError(`score ${r.score} of "${dimension.id}" is outside ${min}..${max}`, [
        { path: `dimensions.${dimension.id}.score`, message: `must be within ${min}..${max}` },
      ]);
    }
    dimensions.push({ id: dimension.id, score: r.score, evidence: r.evidence, reasoning: r.reasoning, tier: r.tier });
    weighted += dimension.weight * r.score;
    weights += dimension.weight;
  }

  const weightedAvg = weights > 0 ? round(weighted / weights) : null;
  const capsApplied = rubric.gates
    .filter((gate) => !results.gates[gate.id].passed)
    .map((gate) => ({ gate: gate.id, cap: capOf(gate) }))
    .sort((a, b) => a.cap - b.cap);
  const uncapped = weightedAvg === null ? 1 : (weightedAvg - min) / (max - min);
  const overall = round(Math.min(uncapped, ...capsApplied.map((c) => c.cap)));
  const criticalFailed = gates.some((g) => !g.passed && g.severity === 'critical');

  return RubricGrade.parse({
    rubricId: rubric.id,
    rubricVersion: rubric.version,
    surface: rubric.surface,
    gates,
    dimensions,
    notScored,
    toReachNext: buildToReachNext(rubric, gates, dimensions, options.features),
    weightedAvg,
    overall,
    capsApplied,
    passed: !criticalFailed && missing.length === 0 && overall >= rubric.passThreshold,
    mode: options.mode ?? rubric.activation,
    notApplicable,
    missing,
  });
}

function assertCovers(rubric: RubricDefinition, results: ItemResults): void {
  const own = (record: object, key: string) => Object.prototype.hasOwnProperty.call(record, key);
  const gateIds = rubric.gates.map((g) => g.id);
  const dimensionIds = rubric.dimensions.map((d) => d.id);
  const issues = [
    ...gateIds.filter((id) => !own(results.gates, id)).map((id) => ({ path: `gates.${id}`, message: 'no verdict' })),
    ...dimensionIds
      .filter((id) => !own(results.dimensions, id))
      .map((id) => ({ path: `dimensions.${id}`, message: 'no score and not marked notScored' })),
    ...Object.keys(results.gates)
      .filter((id) => !gateIds.includes(id))
      .map((id) => ({ path: `gates.${id}`, message: `not a gate of ${rubric.id}` })),
    ...Object.keys(results.dimensions)
      .filter((id) => !dimensionIds.includes(id))
      .map((id) => ({ path: `dimensions.${id}`, message: `not a dimension of ${rubric.id}` })),
  ];
  if (issues.length > 0) {
    throw new ValidationError(
      `item results do not match ${rubric.id}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
}
