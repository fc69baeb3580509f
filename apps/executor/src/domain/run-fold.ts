import { z } from 'zod';
import type { FoldDefinition } from '@loopwright/core';
import { attemptAfter, attemptOfStep, GoalSubmitted, LoopEvent, Role } from '@loopwright/events';
import type { FoldSnapshotCodec } from '@loopwright/eventlog';
import { evolveRun, RunState, TaskState } from './run-state';

/** The attempts at one task iteration: those that recorded steps, and those marked abandoned. */
export interface IterationAttempts {
  seen: number[];
  abandoned: number[];
}

/** What the executor folds of a run: the run's state, and the attempts of each task iteration's sessions. */
export interface ExecutorFold {
  run: RunState;
  attempts: ReadonlyMap<string, IterationAttempts>;
}

const attemptKey = (taskId: string, iteration: number) => `${taskId}/${iteration}`;

function evolveAttempts(attempts: ReadonlyMap<string, IterationAttempts>, event: LoopEvent): ReadonlyMap<string, IterationAttempts> {
  if ((event.type !== 'trace.step' && event.type !== 'trace.abandoned') || event.producer !== 'executor') return attempts;
  const key = attemptKey(event.data.taskId, event.data.iteration);
  const current = attempts.get(key) ?? { seen: [], abandoned: [] };
  const [list, attempt] = event.type === 'trace.step' ? (['seen', attemptOfStep(event.data)] as const) : (['abandoned', event.data.attempt] as const);
  if (current[list].includes(attempt)) return attempts;
  return new Map(attempts).set(key, { ...current, [list]: [...current[list], attempt] });
}

export const executorFold: FoldDefinition<ExecutorFold, LoopEvent> = {
  initial: (runId) => ({ run: { runId, tasks: new Map() }, attempts: new Map() }),
  evolve(fold, event) {
    const run = evolveRun(fold.run, event);
    const attempts = evolveAttempts(fold.attempts, event);
    return run === fold.run && attempts === fold.attempts ? fold : { run, attempts };
  },
};

/** The attempt a session of the iteration starts as, and the earlier ones it abandons (see nextAttempt). */
export function nextAttemptOf(fold: ExecutorFold, taskId: string, iteration: number): { attempt: number; abandon: number[] } {
  const attempts = fold.attempts.get(attemptKey(taskId, iteration));
  return attemptAfter(new Set(attempts?.seen), new Set(attempts?.abandoned));
}

const Attempt = z.number().int().min(1);
const Snapshot = z.object({
  goal: GoalSubmitted.extend({ eventId: z.string() }).optional(),
  tasks: z.array(
    z.looseObject({
      taskId: z.string(),
      role: Role,
      status: z.enum(['running', 'completed', 'failed', 'review']),
      iterations: z.array(z.looseObject({ iteration: z.number().int(), decisionId: z.string() })),
    }),
  ),
  attempts: z.array(z.tuple([z.string(), z.object({ seen: z.array(Attempt), abandoned: z.array(Attempt) })])),
  ended: z.object({ eventId: z.string(), status: z.string() }).optional(),
});

/** The executor's fold as a snapshot: version 1. */
export const executorFoldCodec: FoldSnapshotCodec<ExecutorFold> = {
  version: 1,
  encode: (fold) => ({ goal: fold.run.goal, tasks: [...fold.run.tasks.values()], attempts: [...fold.attempts], ended: fold.run.ended }),
  decode(value, runId) {
    const parsed = Snapshot.safeParse(value);
    if (!parsed.success) return undefined;
    const tasks = new Map(parsed.data.tasks.map((task) => [task.role, task as unknown as TaskState]));
    return { run: { runId, goal: parsed.data.goal, tasks, ended: parsed.data.ended }, attempts: new Map(parsed.data.attempts) };
  },
};
