import { ValidationError } from '@loopwright/core';
import { computeWorkFeatures, deliveredChange, extractClaims, FeatureVector, RoleBoundaries, RoleFeatureResult, synthesizeReleaseGate } from '@loopwright/checks';
import { catalog, Role, RubricGrade, TraceStep, upcast } from '@loopwright/events';
import { rubricApplies } from './applicability';
import type { GoldenExample, GoldenStep } from './golden-schema';
import { deterministicItemResults, ItemResults } from './item-results';
import type { RubricDefinition } from './rubric-schema';
import { scoreRubric } from './score-rubric';

export interface GoldenScore {
  exampleId: string;
  overall: number;
  passed: boolean;
}

export interface GoldenFailure {
  exampleId: string;
  reason: string;
}

/**
 * How a rubric does on its golden set. `separated`: every known-good passes, every known-bad
 * fails, and the lowest known-good overall is above the highest known-bad overall. `failures`
 * also lists every example whose gates, overall band or verdict differ from its `expect`.
 */
export interface GoldenReport {
  rubricId: string;
  separated: boolean;
  goodScores: GoldenScore[];
  badScores: GoldenScore[];
  failures: GoldenFailure[];
}

/** A rubric, with the role boundaries it was loaded with. */
export type GoldenRubric = RubricDefinition & { boundaries?: RoleBoundaries };

function boundariesOf(rubric: GoldenRubric, given: RoleBoundaries | undefined): RoleBoundaries {
  const boundaries = given ?? rubric.boundaries;
  if (!boundaries) throw new ValidationError(`no role boundaries to grade ${rubric.id}'s examples under: load the rubrics with their boundaries.yaml`);
  return boundaries;
}

/** A golden step as the trace.step the grader would read: v1 kinds upcast, v2 kinds as written. */
function traceStepOf(step: GoldenStep, i: number): TraceStep {
  const common = { taskId: 'golden', iteration: 1, step: i };
  if (step.kind === 'model' || step.kind === 'tool') {
    return TraceStep.parse(upcast('trace.step', 1, { ...step, ...common }, catalog['trace.step'].version));
  }
  const fileStep = step.kind === 'read' || step.kind === 'edit';
  return TraceStep.parse({ ...step, ...common, ...(fileStep && !step.path ? { path: step.input } : {}) });
}

const PASSING_GATE = (command: string) => synthesizeReleaseGate({ probes: [], unprobeable: [] }, [], { command, passed: true, detail: '' });
const FAILING_GATE = (command: string) => synthesizeReleaseGate(null, [], { command, passed: false, detail: 'exit 1' });

/** The role an example's work is graded as: its own, or the rubric's first. */
export function exampleRole(rubric: GoldenRubric, example: GoldenExample): Role {
  return example.role ?? rubric.roles[0];
}

/**
 * The features of a golden example, computed the way the grader computes them for a real work:
 * the delivered workspace is the example's base with its work's files laid over it.
 */
export function goldenWork(rubric: GoldenRubric, example: GoldenExample, given?: RoleBoundaries): RoleFeatureResult {
  const boundaries = boundariesOf(rubric, given);
  const role = exampleRole(rubric, example);
  // The miner grades an example once per candidate verdict, each a copy with other labels: the record is the same.
  const inputs = [role, boundaries, example.trace, example.base, example.rerun, example.probes, example.upstreamGate, example.goal, example.labels, example.pipeline];
  const cached = computed.get(example.work);
  if (cached && cached.inputs.every((input, i) => input === inputs[i])) return cached.result;
  const result = computeGoldenWork(role, example, boundaries);
  computed.set(example.work, { inputs, result });
  return result;
}

/** Features per example record, for as long as the example lives: judge labels never change them. */
const computed = new WeakMap<object, { inputs: unknown[]; result: RoleFeatureResult }>();

function computeGoldenWork(role: Role, example: GoldenExample, boundaries: RoleBoundaries): RoleFeatureResult {
  const steps = example.trace.map(traceStepOf);
  const { work: w } = example;
  const delivered = [...example.base.filter((f) => !w.files.some((d) => d.path === f.path)), ...w.files];
  const work = { ...w, files: w.files.map((f) => f.path), claims: w.claims ?? extractClaims(w.finalMessage), scratchPaths: [] };
  const goal = { description: example.goal, allowedPaths: w.allowedPaths, scratchPaths: [], testCommand: w.testCommand, labels: example.labels };
  const upstreamGate = example.upstreamGate === undefined ? null : (example.upstreamGate === 'pass' ? PASSING_GATE : FAILING_GATE)(w.testCommand);
  return computeWorkFeatures({
    context: { role, pipeline: example.pipeline ?? [role], boundaries, goal },
    steps, work, change: deliveredChange(example.base, delivered, [], w.allowedPaths), delivered, base: example.base,
    baseRevision: 'golden', rerun: example.rerun, probes: example.probes, upstreamGate, priorRevision: null,
  });
}

/** The features of a golden example, as a mined rule or a check reads them. */
export function goldenFeatures(rubric: GoldenRubric, example: GoldenExample, boundaries?: RoleBoundaries): FeatureVector {
  return goldenWork(rubric, example, boundaries).features;
}

/** Grades a golden example: code where the rubric has checks, the hand labels elsewhere. */
export function gradeGoldenExample(rubric: GoldenRubric, example: GoldenExample, boundaries?: RoleBoundaries): RubricGrade {
  const features = goldenFeatures(rubric, example, boundaries);
  const applies = rubricApplies(rubric, features);
  if (!applies.applies) throw new ValidationError(`${rubric.id} does not apply to this example: it ${applies.reason}`);
  const results = deterministicItemResults(rubric, features);
  const handLabeled: ItemResults = { gates: { ...results.gates }, dimensions: { ...results.dimensions } };
  for (const gate of rubric.gates) {
    const label = example.judge[gate.id];
    if (gate.id in results.gates || label === undefined) continue;
    handLabeled.gates[gate.id] = { passed: label === 'pass', evidence: `hand label: ${label}`, tier: 'human' };
  }
  for (const dimension of rubric.dimensions) {
    const label = example.judge[dimension.id];
    if (dimension.id in results.dimensions || typeof label !== 'number') continue;
    handLabeled.dimensions[dimension.id] = { score: label, evidence: `hand label: ${label}`, reasoning: example.note, tier: 'human' };
  }
  return scoreRubric(rubric, handLabeled, { features });
}

/** Scores every golden example and checks it against its expectations and the good/bad separation. */
export function checkGoldenSet(rubric: GoldenRubric, golden: readonly GoldenExample[], boundaries?: RoleBoundaries): GoldenReport {
  const failures: GoldenFailure[] = [];
  const goodScores: GoldenScore[] = [];
  const badScores: GoldenScore[] = [];

  for (const example of golden) {
    let grade: RubricGrade;
    try {
      grade = gradeGoldenExample(rubric, example, boundaries);
    } catch (error) {
      failures.push({ exampleId: example.id, reason: `cannot be graded: ${(error as Error).message}` });
      continue;
    }
    const score = { exampleId: example.id, overall: grade.overall, passed: grade.passed };
    (example.label === 'known-good' ? goodScores : badScores).push(score);
    failures.push(...expectationFailures(example, grade));
  }

  const separation = separationFailures(goodScores, badScores, golden.length);
  return {
    rubricId: rubric.id,
    separated: separation.length === 0,
    goodScores,
    badScores,
    failures: [...failures, ...separation],
  };
}

function expectationFailures(example: GoldenExample, grade: RubricGrade): GoldenFailure[] {
  const failures: string[] = [];
  for (const [gateId, expected] of Object.entries(example.expect.gates)) {
    const actual = grade.gates.find((g) => g.id === gateId);
    if (actual && actual.passed !== expected) {
      const verdict = `gate ${gateId} ${actual.passed ? 'passed' : 'failed'}`;
      failures.push(`${verdict}, expected it to ${expected ? 'pass' : 'fail'} (${actual.evidence})`);
    }
  }
  const [low, high] = example.expect.overall;
  if (grade.overall < low || grade.overall > high) {
    failures.push(`overall ${grade.overall} is outside [${low}, ${high}]`);
  }
  if (grade.passed !== example.expect.passed) {
    failures.push(`${grade.passed ? 'passed' : 'failed'}, expected it to ${example.expect.passed ? 'pass' : 'fail'}`);
  }
  return failures.map((reason) => ({ exampleId: example.id, reason }));
}

function separationFailures(good: GoldenScore[], bad: GoldenScore[], examples: number): GoldenFailure[] {
  const failure = (s: GoldenScore, reason: string) => ({ exampleId: s.exampleId, reason: `${reason} (overall ${s.overall})` });
  const failures: GoldenFailure[] = [
    ...good.filter((s) => !s.passed).map((s) => failure(s, 'known-good did not pass')),
    ...bad.filter((s) => s.passed).map((s) => failure(s, 'known-bad passed')),
  ];
  const ungraded = examples - good.length - bad.length;
  if (ungraded > 0) failures.push({ exampleId: '*', reason: `${ungraded} example(s) could not be graded` });
  if (good.length === 0 || bad.length === 0) {
    const has = `has ${good.length} good, ${bad.length} bad`;
    failures.push({ exampleId: '*', reason: `needs known-good and known-bad examples (${has})` });
    return failures;
  }
  const lowestGood = good.reduce((a, b) => (b.overall < a.overall ? b : a));
  const highestBad = bad.reduce((a, b) => (b.overall > a.overall ? b : a));
  if (lowestGood.overall <= highestBad.overall) {
    failures.push({
      exampleId: lowestGood.exampleId,
      reason: `known-good overall ${lowestGood.overall} is not above known-bad ${highestBad.exampleId} (${highestBad.overall})`,
    });
  }
  return failures;
}
