import { computeOutputFeatures, computeTraceFeatures, deliveredChange, deliveredFeatures, extractClaims, FeatureVector } from '@loopwright/checks';
import { catalog, RubricGrade, TraceStep, upcast } from '@loopwright/events';
import type { GoldenExample } from './golden-schema';
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

/** The trace and output features of a golden example, as the grader would compute them. */
export function goldenFeatures(example: GoldenExample): FeatureVector {
  const steps = example.trace.map((step, i) =>
    TraceStep.parse(upcast('trace.step', 1, { ...step, taskId: 'golden', iteration: 1, step: i }, catalog['trace.step'].version)),
  );
  const work = { ...example.work, claims: example.work.claims ?? extractClaims(example.work.finalMessage) };
  // An example lists the files it delivered: each is a change against an empty seed.
  const delivered = deliveredChange([], work.files.map((path) => ({ path, content: '' })), [], work.allowedPaths);
  return { ...computeTraceFeatures(steps, work), ...computeOutputFeatures(work, example.rerun), ...deliveredFeatures(delivered) };
}

/** Grades a golden example: built-in checks where the rubric has them, the hand labels elsewhere. */
export function gradeGoldenExample(rubric: RubricDefinition, example: GoldenExample): RubricGrade {
  const results = deterministicItemResults(rubric, goldenFeatures(example));
  const handLabeled: ItemResults = { gates: { ...results.gates }, dimensions: { ...results.dimensions } };
  for (const gate of rubric.gates) {
    const label = example.judge[gate.id];
    if (gate.check || label === undefined) continue;
    handLabeled.gates[gate.id] = { passed: label === 'pass', evidence: `hand label: ${label}`, tier: 'human' };
  }
  for (const dimension of rubric.dimensions) {
    const label = example.judge[dimension.id];
    if (dimension.check || typeof label !== 'number') continue;
    handLabeled.dimensions[dimension.id] = {
      score: label,
      evidence: `hand label: ${label}`,
      reasoning: example.note,
      tier: 'human',
    };
  }
  return scoreRubric(rubric, handLabeled);
}

/** Scores every golden example and checks it against its expectations and the good/bad separation. */
export function checkGoldenSet(rubric: RubricDefinition, golden: readonly GoldenExample[]): GoldenReport {
  const failures: GoldenFailure[] = [];
  const goodScores: GoldenScore[] = [];
  const badScores: GoldenScore[] = [];

  for (const example of golden) {
    let grade: RubricGrade;
    try {
      grade = gradeGoldenExample(rubric, example);
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
