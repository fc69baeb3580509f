import { FeedbackRoute, GoalSubmitted, LoopEvent, parseDecisionKey, producerRefusal, Role, ROLES, RubricGrade, TaskStarted, ToReachNext } from '@loopwright/events';

/** The editorial decision requested for a resident's draft: the draft it is about, as the request recorded it. */
export interface EditRequest {
  decisionId: string;
  artifactDigest: string;
  features: Record<string, number | boolean | string>;
  texts: string[];
}

export interface IterationState {
  iteration: number;
  decisionId: string;
  routedTier?: string;
  /** Trace steps recorded for the iteration so far (the next step number). */
  steps?: number;
  edit?: EditRequest;
  workId?: string;
  artifactDigest?: string;
  /** How the session ended (`error`: an infrastructure failure). */
  endedBy?: string;
  /** Why the iteration ran, and what it started from. */
  cause?: TaskStarted['cause'];
  startedFrom?: TaskStarted['startedFrom'];
  /** The feedback the iteration was started with: the items it targets. */
  feedback?: TaskStarted['feedback'];
  grade?: { gradeId: string; passed: boolean; overall: number; toReachNext: ToReachNext[]; rubrics: RubricGrade[]; route?: FeedbackRoute };
  /** The release gate the grader synthesized for this work (a tester's). */
  releaseGate?: unknown;
}

export interface TaskState {
  taskId: string;
  role: Role;
  iterations: IterationState[];
  status: 'running' | 'completed' | 'failed' | 'review';
  reviewId?: string;
  /** The iteration a task.completed accepted. */
  acceptedIteration?: number;
}

/** One run as the executor sees it, folded from the run's events. */
export interface RunState {
  runId: string;
  /** The run's first goal.submitted: what every service works and grades toward (a later one is refused, never adopted). */
  goal?: GoalSubmitted & { eventId: string };
  tasks: Map<Role, TaskState>;
  /** The run.ended that no task.started has followed: the run stands ended until a person's answer resumes it. */
  ended?: { eventId: string; status: string };
}

export function taskIdOf(runId: string, role: Role): string {
  return `${runId}-${role}`;
}

/** The goal's roles in pipeline order: planner → architect → engineer, designer → tester → deployer. */
export function pipelineOf(goal: GoalSubmitted): Role[] {
  return ROLES.filter((role) => goal.roles.includes(role));
}

function taskOf(state: RunState, taskId: string): TaskState | undefined {
  return [...state.tasks.values()].find((t) => t.taskId === taskId);
}

function iterationOf(task: TaskState | undefined, n: number): IterationState | undefined {
  return task?.iterations.find((i) => i.iteration === n);
}

export function evolveRun(state: RunState, event: LoopEvent): RunState {
  // In a run the executor drives, a task, step or work from anyone else is not the run's: folded, it
  // would stand in for the work the grader grades and the next role starts from. Every reader of the
  // log refuses such an event (the catalog's producer rule); the fold applies the same rule to what it is given.
  if (producerRefusal(event.type, event.producer, event.aggregateId)) return state;
  switch (event.type) {
    case 'goal.submitted':
      return state.goal ? state : { ...state, goal: { ...event.data, eventId: event.id } };
    case 'run.ended':
      return { ...state, ended: { eventId: event.id, status: event.data.status } };
    case 'task.started': {
      const existing = state.tasks.get(event.data.role);
      const task: TaskState = existing ?? { taskId: event.data.taskId, role: event.data.role, iterations: [], status: 'running' };
      const iterations = task.iterations.some((i) => i.iteration === event.data.iteration)
        ? task.iterations
        : [
            ...task.iterations,
            {
              iteration: event.data.iteration,
              decisionId: draftDecisionId(event.data.taskId, event.data.iteration),
              cause: event.data.cause,
              startedFrom: event.data.startedFrom,
              feedback: event.data.feedback,
            },
          ];
      const tasks = new Map(state.tasks);
      tasks.set(event.data.role, { ...task, iterations, status: 'running', reviewId: undefined });
      return { ...state, tasks, ended: undefined };
    }
    case 'decision.routed':
      return updateIteration(state, (i) => i.decisionId === event.data.decisionId, (i) => ({ ...i, routedTier: event.data.tier }));
    case 'decision.requested': {
      const { requester, kind } = parseDecisionKey(event.data.key);
      const { decisionId, features, texts, artifactDigest } = event.data;
      if (requester !== 'executor' || kind !== 'edit' || !artifactDigest) return state;
      return updateIteration(
        state,
        (i, t) => editDecisionId(t.taskId, i.iteration) === decisionId,
        (i) => ({ ...i, edit: { decisionId, artifactDigest, features, texts: texts ?? [] } }),
      );
    }
    case 'trace.step':
      return updateIteration(
        state,
        (i, t) => t.taskId === event.data.taskId && i.iteration === event.data.iteration,
        (i) => ({ ...i, steps: Math.max(i.steps ?? 0, event.data.step + 1) }),
      );
    case 'work.produced':
      return updateIteration(
        state,
        (i, t) => t.taskId === event.data.taskId && i.iteration === event.data.iteration,
        (i) => ({ ...i, workId: event.data.workId, artifactDigest: event.data.artifactDigest, endedBy: event.data.endedBy }),
      );
    case 'work.verified':
      return event.data.releaseGate ? updateIteration(state, (i) => i.workId === event.data.workId, (i) => ({ ...i, releaseGate: event.data.releaseGate })) : state;
    case 'grade.recorded':
      return updateIteration(
        state,
        (i) => i.workId === event.data.workId,
        (i) => ({
          ...i,
          grade: {
            gradeId: event.data.gradeId,
            passed: event.data.passed,
            overall: event.data.overall,
            toReachNext: event.data.rubrics.flatMap((r) => r.toReachNext),
            rubrics: event.data.rubrics,
            route: event.data.route,
          },
        }),
      );
    case 'task.completed':
      return updateTask(state, event.data.taskId, { status: 'completed', acceptedIteration: event.data.iterations });
    case 'task.failed':
      return updateTask(state, event.data.taskId, { status: 'failed', reviewId: event.data.reviewId });
    default:
      return state;
  }
}

/** The work a task's completion accepted: its workspace is what the next role starts from. */
export function acceptedWork(task: TaskState | undefined): { workId: string; artifactDigest: string; role: Role; releaseGate?: unknown } | undefined {
  if (!task || task.acceptedIteration === undefined) return undefined;
  const it = iterationOf(task, task.acceptedIteration);
  return it?.workId && it.artifactDigest ? { workId: it.workId, artifactDigest: it.artifactDigest, role: task.role, releaseGate: it.releaseGate } : undefined;
}

export function draftDecisionId(taskId: string, iteration: number): string {
  return `${taskId}-draft-${iteration}`;
}

/** The editorial decision on the resident's draft of an iteration (draft–lint–edit). */
export function editDecisionId(taskId: string, iteration: number): string {
  return `${taskId}-edit-${iteration}`;
}

/** The lint of one attempt at a resident draft. */
export function lintDecisionId(taskId: string, iteration: number, attempt: number): string {
  return `${taskId}-lint-${iteration}-${attempt}`;
}

function updateTask(state: RunState, taskId: string, patch: Partial<TaskState>): RunState {
  const task = taskOf(state, taskId);
  if (!task) return state;
  const tasks = new Map(state.tasks);
  tasks.set(task.role, { ...task, ...patch });
  return { ...state, tasks };
}

function updateIteration(
  state: RunState,
  match: (iteration: IterationState, task: TaskState) => boolean,
  update: (iteration: IterationState) => IterationState,
): RunState {
  for (const task of state.tasks.values()) {
    const index = task.iterations.findIndex((i) => match(i, task));
    if (index === -1) continue;
    const iterations = [...task.iterations];
    iterations[index] = update(iterations[index]);
    const tasks = new Map(state.tasks);
    tasks.set(task.role, { ...task, iterations });
    return { ...state, tasks };
  }
  return state;
}

export function foldRun(runId: string, events: readonly LoopEvent[]): RunState {
  return events.reduce(evolveRun, { runId, tasks: new Map() } as RunState);
}

export { iterationOf, taskOf };
