import { computeOutputFeatures, computeTraceFeatures, FeatureVector } from '@loopwright/checks';
import type { DecisionCompleted, EventOf, GoalSubmitted, LoopEvent, TraceStep } from '@loopwright/events';
import type { EventLog } from '@loopwright/eventlog';
import type { Rubric } from '@loopwright/rubrics';
import { decodeSnapshot, runSandboxedCommand, Workspace, WorkspaceFile } from '@loopwright/sandbox';
import { gradingItems, GradingItem } from './domain/grading-plan';

/** What grading one piece of work needs, rebuilt from the log alone (the grader never asks the executor). */
export interface GradingContext {
  goal: GoalSubmitted;
  work: EventOf<'work.produced'>;
  features: FeatureVector;
  rerun: { command: string; exitCode: number | null; output: string };
  files: WorkspaceFile[];
  items: GradingItem[];
  completions: Map<string, DecisionCompleted>;
}

/**
 * Materializes the work's artifact in a fresh workspace of the grader's own, re-runs the declared
 * test command there, and computes the trace and output features from the recorded steps.
 */
export async function buildGradingContext(
  log: EventLog,
  rubrics: readonly Rubric[],
  runEvents: readonly LoopEvent[],
  work: EventOf<'work.produced'>,
  commandTimeoutMs: number,
): Promise<GradingContext> {
  const goalEvent = runEvents.find((e): e is EventOf<'goal.submitted'> => e.type === 'goal.submitted');
  if (!goalEvent) throw new Error(`run ${work.aggregateId} has no goal.submitted`);
  const steps = runEvents
    .filter((e): e is EventOf<'trace.step'> => e.type === 'trace.step')
    .map((e) => e.data as TraceStep)
    .filter((s) => s.taskId === work.data.taskId && s.iteration === work.data.iteration);
  const files = decodeSnapshot(await (await log.artifacts()).get(work.data.artifactDigest));
  // An imported run has no repository to re-run its tests in.
  const rerun = goalEvent.data.backend === 'import'
    ? { command: goalEvent.data.testCommand, exitCode: null, output: 'imported run: not re-run' }
    : await rerunTests(files, work, commandTimeoutMs);
  const features: FeatureVector = {
    ...computeTraceFeatures(steps, work.data),
    ...computeOutputFeatures(work.data, rerun),
  };
  const items = gradingItems(rubrics, work.data.role, work.data.workId);
  const completions = new Map<string, DecisionCompleted>();
  const ids = new Set(items.map((i) => i.decisionId));
  for (const e of runEvents) {
    if (e.type === 'decision.completed' && !e.data.shadow && ids.has(e.data.decisionId)) completions.set(e.data.decisionId, e.data);
  }
  return { goal: goalEvent.data, work, features, rerun, files: files.filter((f) => work.data.files.includes(f.path)), items, completions };
}

async function rerunTests(files: WorkspaceFile[], work: EventOf<'work.produced'>, commandTimeoutMs: number): Promise<GradingContext['rerun']> {
  const workspace = await Workspace.create(`grade-${work.data.workId}`);
  try {
    await workspace.restore(files);
    const result = await runSandboxedCommand(work.data.testCommand, workspace.root, commandTimeoutMs);
    return { command: work.data.testCommand, exitCode: result.exitCode, output: result.output };
  } finally {
    await workspace.dispose();
  }
}
