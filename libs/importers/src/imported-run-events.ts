import { createHash } from 'node:crypto';
import { extractClaims } from '@loopwright/checks';
import { createEvent, deterministicId, IMPORTED_RUN_PREFIX, LoopEvent, Role, TraceStep } from '@loopwright/events';
import type { ImportedRun } from './imported-run';

/** What a transcript does not say about its goal: given on the command line or in a goal file. */
export interface ImportGoal {
  allowedPaths: string[];
  scratchPaths: string[];
  testCommand: string;
  role: Role;
  budgetUsd: number;
  /** Overrides the task statement read from the transcript. */
  description?: string;
  title?: string;
}

/** The run id of an imported transcript: derived from its format, its own ids and its content, so importing again finds it. */
export function importedRunId(run: Pick<ImportedRun, 'format' | 'ids'>, contentDigest: string): string {
  const hash = createHash('sha256').update(JSON.stringify([run.format, run.ids, contentDigest])).digest('hex');
  return `${IMPORTED_RUN_PREFIX}${hash.slice(0, 32)}`;
}

const MAX_TURNS = 10_000;

const taskIdOf = (runId: string, role: Role) => `${runId}-${role}`;

/** The trace steps of an imported run, numbered in order. */
export function stepsOfImportedRun(run: ImportedRun, taskId: string): TraceStep[] {
  return run.steps.map((step, i) => TraceStep.parse({ ...step, taskId, iteration: 1, step: i }));
}

/**
 * The events that make an imported transcript a run: goal.submitted (backend `import`),
 * task.started, a trace.step per step and work.produced. Every id is derived from the run id
 * and the event's place, so appending them again adds nothing. Pure: the caller stores the
 * delivered change and passes its digest.
 */
export function eventsOfImportedRun(
  run: ImportedRun,
  goal: ImportGoal,
  refs: { runId: string; contentDigest: string; artifactDigest: string; occurredAt: Date },
): LoopEvent[] {
  const { runId, occurredAt } = refs;
  const taskId = taskIdOf(runId, goal.role);
  const description = goal.description ?? run.task;
  // A source that records no turn limit ran under none Loopwright knows of: the highest limit it takes.
  const maxTurns = Math.min(MAX_TURNS, Math.max(1, run.maxTurns ?? MAX_TURNS, run.turns));
  const common = { aggregateId: runId, producer: 'submitter' as const, correlationId: runId, occurredAt };
  const id = (...parts: (string | number)[]) => deterministicId('import', runId, ...parts);
  const claims = extractClaims(run.finalMessage, run.messages);
  const steps = stepsOfImportedRun(run, taskId);
  return [
    createEvent({
      ...common, type: 'goal.submitted', id: id('goal'),
      data: {
        goalId: runId, title: (goal.title ?? firstLine(description)).slice(0, 200) || `${run.format} ${run.ids[0]}`, description,
        roles: [goal.role], allowedPaths: goal.allowedPaths, testCommand: goal.testCommand, budgetUsd: goal.budgetUsd,
        maxIterations: 1, maxTurns, backend: 'import', scratchPaths: goal.scratchPaths,
        labels: { importedFrom: run.format }, source: { format: run.format, ids: run.ids, digest: refs.contentDigest },
      },
    }),
    createEvent({
      ...common, type: 'task.started', id: id('task'),
      data: { taskId, role: goal.role, iteration: 1, allowedPaths: goal.allowedPaths, maxTurns },
    }),
    ...steps.map((data) => createEvent({ ...common, type: 'trace.step', id: id('step', data.step), data })),
    createEvent({
      ...common, type: 'work.produced', id: id('work'),
      data: {
        workId: `${taskId}-w1`, taskId, role: goal.role, iteration: 1, artifactDigest: refs.artifactDigest,
        files: run.change.map((f) => f.path), claims, finalMessage: run.finalMessage, testCommand: goal.testCommand,
        allowedPaths: goal.allowedPaths, scratchPaths: goal.scratchPaths, endedBy: run.endedBy, turnsUsed: Math.min(run.turns, maxTurns), maxTurns,
      },
    }),
  ];
}

const firstLine = (text: string) => text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
