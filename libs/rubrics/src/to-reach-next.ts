import { ValidationError } from '@loopwright/core';
import type { DimensionResult, GateResult, RubricGrade, ToReachNext } from '@loopwright/events';
import type { Dimension, Gate, RubricDefinition } from './rubric-schema';

const sentence = (text: string) => {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
};

const evidenceOf = (result: { evidence: string; reasoning?: string }) =>
  sentence(result.evidence || result.reasoning || 'no evidence given');

function honestyNote(item: Gate | Dimension, tier: GateResult['tier']): string {
  const how =
    tier === 'deterministic'
      ? `Measured by the built-in check "${item.check}": only a change in what was done moves it, not a change in wording.`
      : tier === 'human'
        ? 'Judged by a person.'
        : `Judged by a ${tier} model, not measured: treat the verdict as an estimate.`;
  const scope =
    item.fixType === 'upstream-structural'
      ? ' The cause lies upstream of this role, in its input or structure: another iteration here may not fix it.'
      : item.fixType === 'tier-ceiling'
        ? ' A scope call: it goes to a human, not into another iteration.'
        : '';
  return how + scope;
}

function gateEntry(gate: Gate, result: GateResult): ToReachNext {
  return {
    id: gate.id,
    current: false,
    target: true,
    delta: `Pass the gate "${gate.id}": ${sentence(gate.description)} It failed on: ${evidenceOf(result)}`,
    owner: gate.owner,
    fixType: gate.fixType,
    honestyNote: honestyNote(gate, result.tier),
  };
}

/** The anchor that describes `target`: the lowest anchored level at or above it. */
function anchorFor(dimension: Dimension, target: number): string {
  const levels = Object.keys(dimension.anchors).map(Number).sort((a, b) => a - b);
  const level = levels.find((l) => l >= target) ?? levels[levels.length - 1];
  return dimension.anchors[level as keyof Dimension['anchors']] ?? dimension.description;
}

function dimensionEntry(dimension: Dimension, result: DimensionResult, max: number): ToReachNext {
  const target = Math.min(max, Math.floor(result.score) + 1);
  return {
    id: dimension.id,
    current: result.score,
    target,
    delta: `Raise "${dimension.id}" from ${result.score} to ${target}: ${sentence(anchorFor(dimension, target))} Now: ${evidenceOf(result)}`,
    owner: dimension.owner,
    fixType: dimension.fixType,
    honestyNote: honestyNote(dimension, result.tier),
  };
}

/** What would reach the next level: one entry per failed gate and per scored dimension below the scale's max. */
export function buildToReachNext(
  rubric: RubricDefinition,
  gates: readonly GateResult[],
  dimensions: readonly DimensionResult[],
): ToReachNext[] {
  const gateById = new Map(rubric.gates.map((g) => [g.id, g]));
  const dimensionById = new Map(rubric.dimensions.map((d) => [d.id, d]));
  return [
    ...gates.filter((r) => !r.passed).map((r) => gateEntry(gateById.get(r.id)!, r)),
    ...dimensions
      .filter((r) => r.score < rubric.scale.max)
      .map((r) => dimensionEntry(dimensionById.get(r.id)!, r, rubric.scale.max)),
  ];
}

/**
 * Refuses a grade that breaks the toReachNext contract: every failed gate and every dimension
 * scored below the scale's max needs an entry, and every entry must name an item of the rubric.
 * The grader uses it on model answers, which are rejected rather than accepted incomplete.
 */
export function assertToReachNextContract(rubric: RubricDefinition, grade: RubricGrade): void {
  const entries = new Set(grade.toReachNext.map((e) => e.id));
  const items = new Set([...rubric.gates, ...rubric.dimensions].map((i) => i.id));
  const issues = [
    ...grade.gates
      .filter((g) => !g.passed && !entries.has(g.id))
      .map((g) => ({ path: 'toReachNext', message: `no entry for the failed gate "${g.id}"` })),
    ...grade.dimensions
      .filter((d) => d.score < rubric.scale.max && !entries.has(d.id))
      .map((d) => ({ path: 'toReachNext', message: `no entry for the dimension "${d.id}" (${d.score} < ${rubric.scale.max})` })),
    ...[...entries]
      .filter((id) => !items.has(id))
      .map((id) => ({ path: 'toReachNext', message: `entry "${id}" is not an item of ${rubric.id}` })),
  ];
  if (issues.length > 0) {
    const listed = issues.map((i) => i.message).join('; ');
    throw new ValidationError(`grade for ${rubric.id} breaks the toReachNext contract: ${listed}`, issues);
  }
}
