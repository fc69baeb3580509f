import { deterministicId, EventOf, NewEvent, parseDecisionKey, Role, ToReachNext } from '@loopwright/events';
import { draftDecisionId, EditRequest, editDecisionId, iterationOf, pipelineOf, RunState, taskIdOf, TaskState } from './run-state';

export interface ExecutorPolicy {
  /** What the router reserves for one agent session. */
  draftEstimateUsd: number;
  /** What the router reserves for one editorial pass on a resident's draft. */
  editEstimateUsd: number;
}

export interface AgentAssignment {
  runId: string;
  taskId: string;
  role: Role;
  iteration: number;
  decisionId: string;
  key: string;
  tier: 'frontier' | 'resident';
  model?: string;
  feedback: ToReachNext[];
  /** The previous iteration's workspace: a revision starts from it. */
  previousArtifact?: string;
  causationId: string;
  /** The session's attempt at the iteration (a retry after its process died is the next one); 1 when absent. */
  attempt?: number;
}

/** The editorial pass on a resident's draft, as the router routed it. */
export interface EditAssignment extends Pick<AgentAssignment, 'runId' | 'taskId' | 'role' | 'iteration' | 'decisionId' | 'key' | 'tier' | 'causationId'> {
  /** The resident editor's model (tier resident). */
  model?: string;
  ruleId?: string;
  confidenceThreshold?: number;
  /** A spot-check: the frontier also edits, in shadow. */
  shadow: boolean;
  draft: EditRequest;
  /** The iteration's next trace step: a patch or a regeneration records its steps after the draft's. */
  stepOffset: number;
}

/** What the executor does next: append events, run an agent session, or run the editorial pass on a draft (activities with I/O). */
export type ExecutorIntent =
  | { kind: 'emit'; event: NewEvent<'task.started' | 'task.completed' | 'task.failed' | 'decision.requested' | 'review.requested'> }
  | { kind: 'runAgent'; assignment: AgentAssignment }
  | { kind: 'runEdit'; assignment: EditAssignment }
  | { kind: 'ignore'; reason: string };

type Handled =
  | EventOf<'goal.submitted'>
  | EventOf<'decision.routed'>
  | EventOf<'grade.recorded'>
  | { type: 'review.resolved'; resolved: EventOf<'review.resolved'>; requested: EventOf<'review.requested'> };

function decisionKey(role: Role, iteration: number): string {
  return `executor:${role}:${iteration === 1 ? 'draft' : 'revise'}`;
}

function reviewIdOf(taskId: string, iteration: number, reason: string): string {
  return `rv-${deterministicId('review', taskId, iteration, reason).replace(/-/g, '').slice(0, 20)}`;
}

/** The events that start one iteration of a task: task.started, and the routed decision for its agent session. */
function startIteration(state: RunState, role: Role, iteration: number, feedback: ToReachNext[], causationId: string): ExecutorIntent[] {
  const goal = state.goal!;
  const taskId = taskIdOf(state.runId, role);
  const common = { aggregateId: state.runId, producer: 'executor' as const, correlationId: state.runId, causationId };
  return [
    {
      kind: 'emit',
      event: {
        ...common,
        type: 'task.started',
        id: deterministicId('task.started', taskId, iteration),
        data: {
          taskId, role, iteration, allowedPaths: goal.allowedPaths, maxTurns: goal.maxTurns,
          feedback: feedback.map((f) => ({ id: f.id, delta: f.delta, fixType: f.fixType })),
        },
      },
    },
    {
      kind: 'emit',
      event: {
        ...common,
        type: 'decision.requested',
        id: deterministicId('decision.requested', draftDecisionId(taskId, iteration)),
        data: {
          decisionId: draftDecisionId(taskId, iteration),
          key: decisionKey(role, iteration),
          requester: 'executor',
          role,
          kind: iteration === 1 ? 'draft' : 'revise',
          taskId,
          estimatedUsd: 0,
          features: { iteration },
        },
      },
    },
  ];
}

/**
 * The executor's process manager for one run: a pure function of the run's state and the event
 * that arrived. It never calls a model or touches the disk; it says what should happen.
 */
export function decideExecutor(state: RunState, event: Handled, policy: ExecutorPolicy): ExecutorIntent[] {
  const withEstimate = (intents: ExecutorIntent[]) =>
    intents.map((intent) =>
      intent.kind === 'emit' && intent.event.type === 'decision.requested'
        ? { ...intent, event: { ...intent.event, data: { ...intent.event.data, estimatedUsd: policy.draftEstimateUsd } } as typeof intent.event }
        : intent,
    );
  switch (event.type) {
    case 'goal.submitted': {
      if (event.data.backend === 'import') return [{ kind: 'ignore', reason: 'an imported run: its work comes from a transcript' }];
      const [first] = pipelineOf(event.data);
      if (state.tasks.has(first)) return [{ kind: 'ignore', reason: 'the run has already started' }];
      return withEstimate(startIteration(state, first, 1, [], event.id));
    }
    case 'decision.routed':
      return onRouted(state, event);
    case 'grade.recorded':
      return withEstimate(onGraded(state, event));
    case 'review.resolved':
      return withEstimate(onReviewResolved(state, event.resolved, event.requested));
    default: {
      const unreachable: never = event;
      return [{ kind: 'ignore', reason: `unhandled ${(unreachable as { type: string }).type}` }];
    }
  }
}

function findByDecision(state: RunState, decisionId: string): { task: TaskState; iteration: number } | undefined {
  for (const task of state.tasks.values()) {
    const it = task.iterations.find((i) => i.decisionId === decisionId);
    if (it) return { task, iteration: it.iteration };
  }
  return undefined;
}

function onRouted(state: RunState, event: EventOf<'decision.routed'>): ExecutorIntent[] {
  if (!event.data.key.startsWith('executor:')) return [{ kind: 'ignore', reason: 'routed for another requester' }];
  const { kind } = parseDecisionKey(event.data.key);
  if (kind === 'lint') return [{ kind: 'ignore', reason: 'the lint decides itself, as its draft ends' }];
  if (kind === 'edit') return onEditRouted(state, event);
  const found = findByDecision(state, event.data.decisionId);
  if (!found) return [{ kind: 'ignore', reason: `no iteration waits for decision ${event.data.decisionId}` }];
  const { task, iteration } = found;
  if (iterationOf(task, iteration)?.workId) return [{ kind: 'ignore', reason: 'this iteration already produced its work' }];
  if (event.data.tier === 'human' || event.data.tier === 'deterministic') {
    return [
      {
        kind: 'emit',
        event: {
          type: 'task.failed',
          id: deterministicId('task.failed', task.taskId, iteration),
          aggregateId: state.runId,
          producer: 'executor',
          correlationId: state.runId,
          causationId: event.id,
          data: { taskId: task.taskId, role: task.role, iterations: iteration, reason: `no model may draft: ${event.data.reason}` },
        },
      },
    ];
  }
  const previous = iterationOf(task, iteration - 1);
  return [
    {
      kind: 'runAgent',
      assignment: {
        runId: state.runId,
        taskId: task.taskId,
        role: task.role,
        iteration,
        decisionId: event.data.decisionId,
        key: event.data.key,
        tier: event.data.tier,
        model: event.data.model,
        feedback: previous?.grade?.toReachNext ?? [],
        previousArtifact: previous?.artifactDigest,
        causationId: event.id,
      },
    },
  ];
}

/** The router's answer to an editorial decision: the pass runs on the draft the request named. */
function onEditRouted(state: RunState, event: EventOf<'decision.routed'>): ExecutorIntent[] {
  for (const task of state.tasks.values()) {
    const it = task.iterations.find((i) => editDecisionId(task.taskId, i.iteration) === event.data.decisionId);
    if (!it) continue;
    if (it.workId) return [{ kind: 'ignore', reason: 'this iteration already produced its work' }];
    if (!it.edit) return [{ kind: 'ignore', reason: `the request of ${event.data.decisionId} is not in the run` }];
    if (event.data.tier === 'human' || event.data.tier === 'deterministic') {
      return [
        {
          kind: 'emit',
          event: {
            type: 'task.failed',
            id: deterministicId('task.failed', task.taskId, it.iteration),
            aggregateId: state.runId,
            producer: 'executor',
            correlationId: state.runId,
            causationId: event.id,
            data: { taskId: task.taskId, role: task.role, iterations: it.iteration, reason: `no model may edit the draft: ${event.data.reason}` },
          },
        },
      ];
    }
    return [
      {
        kind: 'runEdit',
        assignment: {
          runId: state.runId,
          taskId: task.taskId,
          role: task.role,
          iteration: it.iteration,
          decisionId: event.data.decisionId,
          key: event.data.key,
          tier: event.data.tier,
          model: event.data.model,
          ruleId: event.data.ruleId,
          confidenceThreshold: event.data.confidenceThreshold,
          shadow: event.data.shadow,
          draft: it.edit,
          stepOffset: it.steps ?? 0,
          causationId: event.id,
        },
      },
    ];
  }
  return [{ kind: 'ignore', reason: `no iteration waits for decision ${event.data.decisionId}` }];
}

function onGraded(state: RunState, event: EventOf<'grade.recorded'>): ExecutorIntent[] {
  const goal = state.goal!;
  const task = [...state.tasks.values()].find((t) => t.taskId === event.data.taskId);
  if (!task) return [{ kind: 'ignore', reason: `unknown task ${event.data.taskId}` }];
  if (task.status !== 'running') return [{ kind: 'ignore', reason: `task is ${task.status}` }];
  const iteration = event.data.iteration;
  if (iteration !== Math.max(...task.iterations.map((i) => i.iteration))) return [{ kind: 'ignore', reason: 'grade of an older iteration' }];
  const common = { aggregateId: state.runId, producer: 'executor' as const, correlationId: state.runId, causationId: event.id };

  if (event.data.passed) return completeTask(state, task, iteration, event.data.gradeId, event.data.overall, event.id);

  const items = event.data.rubrics.flatMap((r) => r.toReachNext);
  const scopeCalls = items.filter((i) => i.fixType === 'tier-ceiling');
  const exhausted = iteration >= goal.maxIterations;
  if (scopeCalls.length > 0 || exhausted) {
    const reason = scopeCalls.length > 0 ? 'tier-ceiling' : 'iterations-exhausted';
    const reviewId = reviewIdOf(task.taskId, iteration, reason);
    const summary =
      scopeCalls.length > 0
        ? `${scopeCalls.length} item(s) need a scope call: ${scopeCalls.map((i) => i.id).join(', ')}`
        : `still failing after ${iteration} iteration(s): ${items.map((i) => i.id).join(', ')}`;
    return [
      {
        kind: 'emit',
        event: {
          ...common,
          type: 'review.requested',
          id: deterministicId('review.requested', reviewId),
          aggregateId: reviewId,
          data: { reviewId, runId: state.runId, taskId: task.taskId, reason, summary, items: (scopeCalls.length > 0 ? scopeCalls : items).map((i) => i.id) },
        },
      },
      {
        kind: 'emit',
        event: {
          ...common,
          type: 'task.failed',
          id: deterministicId('task.failed', task.taskId, iteration),
          data: { taskId: task.taskId, role: task.role, iterations: iteration, reason: `handed to a person: ${summary}`, reviewId },
        },
      },
    ];
  }
  return startIteration(state, task.role, iteration + 1, items.filter((i) => i.fixType !== 'tier-ceiling'), event.id);
}

/** A person's answer to a review the executor asked for: accept the work, give it another iteration, or let the failure stand. */
function onReviewResolved(state: RunState, resolved: EventOf<'review.resolved'>, requested: EventOf<'review.requested'>): ExecutorIntent[] {
  const task = [...state.tasks.values()].find((t) => t.taskId === requested.data.taskId);
  if (!task || task.reviewId !== resolved.data.reviewId) return [{ kind: 'ignore', reason: 'the review is not the task\'s open review' }];
  const last = task.iterations[task.iterations.length - 1];
  const common = { aggregateId: state.runId, producer: 'executor' as const, correlationId: state.runId, causationId: resolved.id };
  switch (resolved.data.resolution) {
    case 'reject':
      return [{ kind: 'ignore', reason: `${resolved.data.by} let the failure stand` }];
    case 'retry':
      return startIteration(state, task.role, last.iteration + 1, last.grade?.toReachNext.filter((i) => i.fixType !== 'tier-ceiling') ?? [], resolved.id);
    case 'accept':
      return completeTask(state, task, last.iteration, last.grade?.gradeId ?? 'accepted-by-review', last.grade?.overall ?? 0, resolved.id);
    default: {
      const unreachable: never = resolved.data.resolution;
      return [{ kind: 'ignore', reason: `unknown resolution ${String(unreachable)}` }];
    }
  }
}

/** task.completed, then the first iteration of the pipeline's next role, if there is one. */
function completeTask(state: RunState, task: TaskState, iterations: number, gradeId: string, overall: number, causationId: string): ExecutorIntent[] {
  const completed: ExecutorIntent = {
    kind: 'emit',
    event: {
      type: 'task.completed',
      id: deterministicId('task.completed', task.taskId),
      aggregateId: state.runId,
      producer: 'executor',
      correlationId: state.runId,
      causationId,
      data: { taskId: task.taskId, role: task.role, iterations, gradeId, overall },
    },
  };
  const pipeline = pipelineOf(state.goal!);
  const next = pipeline[pipeline.indexOf(task.role) + 1];
  return next ? [completed, ...startIteration(state, next, 1, [], causationId)] : [completed];
}
