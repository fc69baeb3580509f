import { ValidationError } from '@loopwright/core';
import { checkRemedy, FeatureVector, isBuiltinCheckId } from '@loopwright/checks';
import type { DimensionResult, GateResult, RubricGrade, ToReachNext } from '@loopwright/events';
import type { Dimension, Gate, RubricDefinition } from './rubric-schema';

const sentence = (text: string) => {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
};
/** Lowercases a sentence's first word for use mid-sentence, leaving acronyms and names (`NaN`, `API`) alone. */
const lowerFirst = (text: string) => (/^[A-Z][a-z]*(?![A-Za-z])/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text);

/** What the judge (or the check) found in this work, as it said it. */
function found(result: { evidence: string; reasoning?: string }): string {
  const parts = [result.evidence.trim(), result.reasoning?.trim()].filter((p): p is string => !!p && p !== '');
  return parts.length > 0 ? parts.join(': ') : 'no evidence was given';
}

/** The anchor that describes `target`: the lowest anchored level at or above it. */
function anchorFor(dimension: Dimension, target: number): string {
  const levels = Object.keys(dimension.anchors).map(Number).sort((a, b) => a - b);
  const level = levels.find((l) => l >= target) ?? levels[levels.length - 1];
  return dimension.anchors[level as keyof Dimension['anchors']] ?? dimension.description;
}

/**
 * The change that would pass a failed gate, phrased against this work: a checked gate's remedy
 * with the recorded specifics filled in (the files, the steps, the blockers); a judged gate's
 * finding, quoted, with what passing requires.
 */
function gateDelta(gate: Gate, result: GateResult, features: FeatureVector | undefined): string {
  if (gate.check && isBuiltinCheckId(gate.check) && features) return checkRemedy(gate.check, features);
  return `In this work ${sentence(lowerFirst(found(result)))} Change it so that ${sentence(lowerFirst(gate.description))}`;
}

function dimensionDelta(dimension: Dimension, result: DimensionResult, target: number, features: FeatureVector | undefined): string {
  if (dimension.check && isBuiltinCheckId(dimension.check) && features) return checkRemedy(dimension.check, features);
  return `Now ${result.score}, because ${sentence(lowerFirst(found(result)))} For ${target}: ${sentence(lowerFirst(anchorFor(dimension, target)))}`;
}

/** A gaming note, when the item says how its score could rise without the work rising. */
const honesty = (item: Gate | Dimension) => item.gaming ?? '';

/**
 * What would reach the next level: one entry per failed gate and per scored dimension below the
 * scale's max, each local to the role that did the work until the grader routes it elsewhere.
 */
export function buildToReachNext(
  rubric: RubricDefinition,
  gates: readonly GateResult[],
  dimensions: readonly DimensionResult[],
  features?: FeatureVector,
): ToReachNext[] {
  const gateById = new Map(rubric.gates.map((g) => [g.id, g]));
  const dimensionById = new Map(rubric.dimensions.map((d) => [d.id, d]));
  return [
    ...gates
      .filter((r) => !r.passed)
      .map((r) => {
        const gate = gateById.get(r.id)!;
        return { id: r.id, current: false, target: true, delta: gateDelta(gate, r, features), owner: 'executor' as const, fixType: 'local' as const, honestyNote: honesty(gate) };
      }),
    ...dimensions
      .filter((r) => r.score < rubric.scale.max)
      .map((r) => {
        const dimension = dimensionById.get(r.id)!;
        const target = Math.min(rubric.scale.max, Math.floor(r.score) + 1);
        return {
          id: r.id, current: r.score, target, delta: dimensionDelta(dimension, r, target, features),
          owner: 'executor' as const, fixType: 'local' as const, honestyNote: honesty(dimension),
        };
      }),
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
