import { computeTraceFeatures, deliveredChange, deliveredFeatures, runCheck } from '@loopwright/checks';
import type { ImportedRun } from './imported-run';
import { eventsOfImportedRun } from './imported-run-events';
import { parseTranscript } from './read-transcript';

/** What a transcript does not say about its goal, as `loopwright import` takes it from flags. */
export interface TestGoal {
  allowedPaths: string[];
  scratchPaths: string[];
  testCommand: string;
}

/** The one run a transcript's text holds. */
export function onlyRun(text: string, name: string): ImportedRun {
  const runs = parseTranscript(text, name);
  expect(runs).toHaveLength(1);
  return runs[0];
}

/**
 * The trace features and check verdicts the grader reaches on an imported run, through the same
 * events an import appends and the delivered change against an unknown seed.
 */
export function gradeImportedRun(run: ImportedRun, goal: TestGoal) {
  const events = eventsOfImportedRun(run, { ...goal, role: 'engineer', budgetUsd: 0 }, {
    runId: 'imp-graded', contentDigest: 'c'.repeat(64), artifactDigest: 'a'.repeat(64), occurredAt: new Date(0),
  });
  const steps = events.flatMap((e) => (e.type === 'trace.step' ? [e.data] : []));
  const work = events.find((e) => e.type === 'work.produced');
  if (work?.type !== 'work.produced') throw new Error('no work.produced');
  const features = {
    ...computeTraceFeatures(steps, work.data),
    ...deliveredFeatures(deliveredChange([], run.change, [], goal.allowedPaths, goal.scratchPaths)),
  };
  const fails = (check: string) => !runCheck(check, features).passed;
  return { features, fails };
}
