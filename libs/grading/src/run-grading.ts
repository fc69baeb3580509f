import { computeRunFeatures, FedBackItem, RunSummary } from '@loopwright/checks';
import { deterministicId, EventOf, NewEvent, Role } from '@loopwright/events';
import { deterministicItemResults, Rubric, scoreRubric } from '@loopwright/rubrics';
import { routeFeedback } from './fix-routing';
import { GradingState, pipelineOfRun, TaskEvent } from './grading-state';

/** How a person resolved the reviews of a run's failed tasks, by review id. */
export type ReviewResolutions = ReadonlyMap<string, 'accept' | 'reject' | 'retry'>;

/**
 * The event a run ended on, if it has: a failed task no later iteration restarted, or the
 * completion of the last role of the pipeline still missing one. A run a person later revives
 * (a retried review) ends again, and is graded again for that ending.
 */
export function runEnding(state: GradingState): EventOf<'task.completed'> | EventOf<'task.failed'> | undefined {
  if (!state.goal || state.goal.backend === 'import') return undefined;
  const pipeline = pipelineOfRun(state, state.goal.roles[0]);
  const last = new Map<string, TaskEvent>();
  for (const event of state.taskEvents) last.set(event.data.taskId, event);
  const ends = [...last.values()];
  const failed = ends.filter((e): e is EventOf<'task.failed'> => e.type === 'task.failed');
  if (failed.length > 0) return failed[failed.length - 1];
  const completed = ends.filter((e): e is EventOf<'task.completed'> => e.type === 'task.completed');
  const done = new Set(completed.map((e) => e.data.role));
  return pipeline.every((role) => done.has(role)) ? completed[completed.length - 1] : undefined;
}

/** The review ids of a run's failed tasks: a person's answer decides whether failing work was accepted. */
export function reviewsToRead(state: GradingState): string[] {
  return [...new Set(state.taskEvents.flatMap((e) => (e.type === 'task.failed' && e.data.reviewId ? [e.data.reviewId] : [])))];
}

/** The run as the run rubric reads it: each task's graded iterations (their gating feedback) and how it ended. */
export function runSummary(state: GradingState, resolutions: ReviewResolutions): RunSummary {
  const pipeline = pipelineOfRun(state, state.goal?.roles[0] ?? 'engineer');
  const taskIds = [...new Set(state.taskEvents.map((e) => e.data.taskId))];
  return {
    pipeline,
    tasks: taskIds.map((taskId) => {
      const events = state.taskEvents.filter((e) => e.data.taskId === taskId);
      const role = events[0].data.role as Role;
      const grades = [...state.works.values()]
        .filter((w) => w.work.data.taskId === taskId && w.grade)
        .map((w) => w.grade!)
        .sort((a, b) => a.data.iteration - b.data.iteration);
      const last = events[events.length - 1];
      const accepted = events.some((e) => e.type === 'task.failed' && e.data.reviewId && resolutions.get(e.data.reviewId) === 'accept');
      return {
        role,
        outcome: last.type === 'task.completed' ? 'completed' as const : last.type === 'task.failed' ? 'failed' as const : 'running' as const,
        acceptedByPerson: accepted,
        iterations: grades.map((g) => ({
          iteration: g.data.iteration,
          passed: g.data.passed,
          items: g.data.rubrics
            .filter((r) => r.mode !== 'advisory')
            .flatMap((r) => r.toReachNext.map((e): FedBackItem => ({ id: `${r.rubricId}/${e.id}`, fixType: e.fixType, current: e.current }))),
        })),
      };
    }),
  };
}

/**
 * The run rubric applied to a run that ended: every item decided by code from the run's features,
 * recorded once per ending (its id derives from the event the run ended on).
 */
export function runGradeEvent(state: GradingState, rubric: Rubric, resolutions: ReviewResolutions): NewEvent<'run.graded'> | null {
  const ending = runEnding(state);
  if (!ending || state.runGraded.has(ending.id)) return null;
  const features = computeRunFeatures(runSummary(state, resolutions));
  const scored = scoreRubric(rubric, deterministicItemResults(rubric, features), { features });
  const lastRole = ending.data.role;
  const grade = routeFeedback(rubric, scored, { role: lastRole, pipeline: pipelineOfRun(state, lastRole), features });
  return {
    type: 'run.graded',
    id: deterministicId('run.graded', ending.id, `${rubric.id}@${rubric.version}`),
    aggregateId: ending.aggregateId,
    producer: 'grader',
    correlationId: ending.correlationId,
    causationId: ending.id,
    data: {
      runId: ending.aggregateId,
      outcome: ending.type === 'task.completed' ? 'done' : 'failed',
      endedBy: { type: ending.type, eventId: ending.id },
      grade,
      features,
    },
  };
}
