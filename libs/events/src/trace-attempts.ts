import type { LoopEvent } from './envelope';
import type { TraceStep } from './run-events';

/** The attempt a step belongs to: a step recorded without one is the first attempt's. */
export function attemptOfStep(step: Pick<TraceStep, 'attempt'>): number {
  return step.attempt ?? 1;
}

function isIteration(data: { taskId: string; iteration: number }, taskId: string, iteration: number): boolean {
  return data.taskId === taskId && data.iteration === iteration;
}

/** The attempts of one task iteration marked abandoned (by the executor) in a run's events. */
export function abandonedAttempts(events: readonly LoopEvent[], taskId: string, iteration: number): Set<number> {
  return new Set(
    events.flatMap((e) => (e.type === 'trace.abandoned' && e.producer === 'executor' && isIteration(e.data, taskId, iteration) ? [e.data.attempt] : [])),
  );
}

/**
 * The attempt a session of the iteration starts as, and the earlier attempts it abandons: the
 * first, unless steps of an earlier one are in the log (its process died mid-session).
 */
export function nextAttempt(events: readonly LoopEvent[], taskId: string, iteration: number): { attempt: number; abandon: number[] } {
  const seen = new Set(
    events.flatMap((e) => (e.type === 'trace.step' && e.producer === 'executor' && isIteration(e.data, taskId, iteration) ? [attemptOfStep(e.data)] : [])),
  );
  return attemptAfter(seen, abandonedAttempts(events, taskId, iteration));
}

/** nextAttempt from what is known of the iteration: the attempts that recorded steps, and those marked abandoned. */
export function attemptAfter(seen: ReadonlySet<number>, abandoned: ReadonlySet<number>): { attempt: number; abandon: number[] } {
  if (seen.size === 0) return { attempt: 1, abandon: [] };
  return { attempt: Math.max(...seen, ...abandoned) + 1, abandon: [...seen].filter((a) => !abandoned.has(a)).sort((a, b) => a - b) };
}
