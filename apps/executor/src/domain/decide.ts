import { roleArtifactFiles, RoleBoundaries, ARTIFACT_PATHS } from '@loopwright/checks';
import { deterministicId, EventOf, FixType, NewEvent, parseDecisionKey, Role, RunEnded, TaskStarted, ToReachNext } from '@loopwright/events';
import { acceptedWork, draftDecisionId, EditRequest, editDecisionId, iterationOf, IterationState, pipelineOf, RunState, taskIdOf, TaskState } from './run-state';
import { actionableFeedback, bouncesSpent, checkRevision, classifyFailure, FailureClass, MAX_BOUNCES, regressionFeedback, RevisionCheck, routeOf } from './stop-rules';

export interface ExecutorPolicy {
  /** What the router reserves for one agent session. */
  draftEstimateUsd: number;
  /** What the router reserves for one editorial pass on a resident's draft. */
  editEstimateUsd: number;
  /** What each role owns and its turn budget (rubrics/boundaries.yaml); absent: every role gets the goal's paths and turns. */
  boundaries?: RoleBoundaries;
}

/** The work a task starts from: the previous role's accepted work. */
export interface StartingPoint {
  workId: string;
  role: Role;
  artifactDigest: string;
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
  /** The previous role's accepted work: its workspace (with its handoff) is laid under this one. */
  startedFrom?: StartingPoint;
  /** What the role may write (its boundary within the goal's paths, and its own artifacts) and its turn budget. */
  allowedPaths?: string[];
  maxTurns?: number;
  /** Files the executor lays in the workspace for the role to read (the deployer's release gate). */
  inputs?: { path: string; content: string }[];
  causationId: string;
  /** The session's attempt at the iteration (a retry after its process died is the next one); 1 when absent. */
  attempt?: number;
}

/** Where a session of an iteration starts and what it may do: the same for its draft, its editorial pass and a regeneration. */
type SessionStart = Pick<AgentAssignment, 'previousArtifact' | 'startedFrom' | 'allowedPaths' | 'maxTurns' | 'inputs'>;

/** The editorial pass on a resident's draft, as the router routed it. */
export interface EditAssignment extends Pick<AgentAssignment, 'runId' | 'taskId' | 'role' | 'iteration' | 'decisionId' | 'key' | 'tier' | 'causationId'>, SessionStart {
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
  | { kind: 'emit'; event: NewEvent<'task.started' | 'task.completed' | 'task.failed' | 'decision.requested' | 'review.requested' | 'run.ended'> }
  | { kind: 'runAgent'; assignment: AgentAssignment }
  | { kind: 'runEdit'; assignment: EditAssignment }
  | { kind: 'ignore'; reason: string }
  /** The event cannot be acted on and must not be passed over in silence: its message is quarantined with the reason. */
  | { kind: 'refuse'; reason: string };

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

/** The role's turn budget and the paths its session may write: none of the goal's paths for a role that owns no files, its artifacts always. */
export function roleLimits(goal: NonNullable<RunState['goal']>, role: Role, policy: Pick<ExecutorPolicy, 'boundaries'>): { allowedPaths: string[]; maxTurns: number } {
  const boundary = policy.boundaries?.[role];
  if (!boundary) return { allowedPaths: goal.allowedPaths, maxTurns: goal.maxTurns };
  const paths = boundary.owns.length > 0 ? goal.allowedPaths : [];
  return { allowedPaths: [...new Set([...paths, ...roleArtifactFiles(role).writes])], maxTurns: Math.min(goal.maxTurns, boundary.maxTurns) };
}

interface IterationStart {
  role: Role;
  iteration: number;
  feedback: ToReachNext[];
  cause: NonNullable<TaskStarted['cause']>;
  startedFrom?: StartingPoint;
  revisionCheck?: RevisionCheck;
}

/** The events that start one iteration of a task: task.started, and the routed decision for its agent session. */
function startIteration(state: RunState, start: IterationStart, causationId: string, policy: ExecutorPolicy): ExecutorIntent[] {
  const goal = state.goal!;
  const { role, iteration, feedback } = start;
  const taskId = taskIdOf(state.runId, role);
  const common = { aggregateId: state.runId, producer: 'executor' as const, correlationId: state.runId, causationId };
  const limits = roleLimits(goal, role, policy);
  return [
    {
      kind: 'emit',
      event: {
        ...common,
        type: 'task.started',
        id: deterministicId('task.started', taskId, iteration),
        data: {
          taskId, role, iteration, allowedPaths: limits.allowedPaths, maxTurns: limits.maxTurns,
          feedback: feedback.map((f) => ({ id: f.id, delta: f.delta, fixType: f.fixType })),
          cause: start.cause,
          ...(start.startedFrom ? { startedFrom: { workId: start.startedFrom.workId, role: start.startedFrom.role } } : {}),
          ...(start.revisionCheck ? { revisionCheck: start.revisionCheck } : {}),
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

/** The accepted work of the closest earlier role of the pipeline: where `role` starts from. */
function startingPointOf(state: RunState, role: Role): StartingPoint | undefined {
  const pipeline = pipelineOf(state.goal!);
  for (const earlier of pipeline.slice(0, pipeline.indexOf(role)).reverse()) {
    const accepted = acceptedWork(state.tasks.get(earlier));
    if (accepted) return { workId: accepted.workId, role: accepted.role, artifactDigest: accepted.artifactDigest };
  }
  return undefined;
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
      const goal = state.goal;
      if (goal && goal.eventId !== event.id) {
        return [{
          kind: 'refuse',
          reason: `run ${state.runId} already has its goal (goal.submitted ${goal.eventId}); a second goal.submitted ${event.id} is refused: ` +
            'the grader and the router keep the first, so the run cannot change what it works toward. Submit the new goal under a new run id',
        }];
      }
      if (state.ended) return [{ kind: 'ignore', reason: `the run ended (${state.ended.status}, ${state.ended.eventId}) before its goal was handled` }];
      if (event.data.backend === 'import') return [{ kind: 'ignore', reason: 'an imported run: its work comes from a transcript' }];
      const [first] = pipelineOf(event.data);
      if (state.tasks.has(first)) return [{ kind: 'ignore', reason: 'the run has already started' }];
      return withEstimate(startIteration(state, { role: first, iteration: 1, feedback: [], cause: 'draft' }, event.id, policy));
    }
    case 'decision.routed':
      return onRouted(state, event, policy);
    case 'grade.recorded':
      return withEstimate(onGraded(state, event, policy));
    case 'review.resolved':
      return withEstimate(onReviewResolved(state, event.resolved, event.requested, policy));
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

function onRouted(state: RunState, event: EventOf<'decision.routed'>, policy: ExecutorPolicy): ExecutorIntent[] {
  if (!event.data.key.startsWith('executor:')) return [{ kind: 'ignore', reason: 'routed for another requester' }];
  const { kind } = parseDecisionKey(event.data.key);
  if (kind === 'lint') return [{ kind: 'ignore', reason: 'the lint decides itself, as its draft ends' }];
  if (kind === 'edit') return onEditRouted(state, event, policy);
  const found = findByDecision(state, event.data.decisionId);
  if (!found) return [{ kind: 'ignore', reason: `no iteration waits for decision ${event.data.decisionId}` }];
  const { task, iteration } = found;
  const stale = staleRouting(task, iteration, event.data.decisionId);
  if (stale) return [stale];
  if (iterationOf(task, iteration)?.workId) return [{ kind: 'ignore', reason: 'this iteration already produced its work' }];
  if (event.data.tier === 'human' || event.data.tier === 'deterministic') {
    return failTaskAndRun(state, task, iteration, `no model may draft: ${event.data.reason}`, event.id);
  }
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
        feedback: feedbackOf(iterationOf(task, iteration)),
        ...sessionStart(state, task, iteration, policy),
        causationId: event.id,
      },
    },
  ];
}

/**
 * A routing that arrives after its iteration stopped waiting for it (the task failed, the run ended,
 * or a later iteration took over: the router was down, or delivered it again after a restart) runs
 * no session: nothing would grade or accept its work.
 */
function staleRouting(task: TaskState, iteration: number, decisionId: string): ExecutorIntent | undefined {
  if (task.status !== 'running') return { kind: 'ignore', reason: `${decisionId} was routed after the ${task.role}'s task stopped (${task.status})` };
  const latest = Math.max(...task.iterations.map((i) => i.iteration));
  if (iteration !== latest) return { kind: 'ignore', reason: `${decisionId} is for iteration ${iteration}; the ${task.role} is at iteration ${latest}` };
  return undefined;
}

/**
 * Where an iteration's sessions start: the previous role's accepted work, this task's last
 * workspace for a revision (a re-run after an earlier stage changed starts afresh), the role's
 * paths and budget, and for the deployer the tester's release gate to read.
 */
function sessionStart(state: RunState, task: TaskState, iteration: number, policy: ExecutorPolicy): SessionStart {
  const current = iterationOf(task, iteration);
  const previous = current?.cause === 'upstream' ? undefined : iterationOf(task, iteration - 1);
  const startedFrom = startingPointOf(state, task.role);
  const limits = roleLimits(state.goal!, task.role, policy);
  const gate = task.role === 'deployer' ? acceptedWork(state.tasks.get('tester'))?.releaseGate : undefined;
  return {
    previousArtifact: previous?.artifactDigest,
    ...(startedFrom ? { startedFrom } : {}),
    allowedPaths: limits.allowedPaths,
    maxTurns: limits.maxTurns,
    ...(gate ? { inputs: [{ path: ARTIFACT_PATHS.releaseGate, content: `${JSON.stringify(gate, null, 2)}\n` }] } : {}),
  };
}

/** The feedback an iteration was started with, as its task.started recorded it (from its own grade, a later stage's, or regressions). */
function feedbackOf(current: IterationState | undefined): ToReachNext[] {
  return (current?.feedback ?? []).map((f) => ({
    id: f.id, delta: f.delta, fixType: FixType.catch('local').parse(f.fixType), current: false, target: true, owner: 'executor' as const, honestyNote: '',
  }));
}

/** The router's answer to an editorial decision: the pass runs on the draft the request named. */
function onEditRouted(state: RunState, event: EventOf<'decision.routed'>, policy: ExecutorPolicy): ExecutorIntent[] {
  for (const task of state.tasks.values()) {
    const it = task.iterations.find((i) => editDecisionId(task.taskId, i.iteration) === event.data.decisionId);
    if (!it) continue;
    const stale = staleRouting(task, it.iteration, event.data.decisionId);
    if (stale) return [stale];
    if (it.workId) return [{ kind: 'ignore', reason: 'this iteration already produced its work' }];
    if (!it.edit) return [{ kind: 'ignore', reason: `the request of ${event.data.decisionId} is not in the run` }];
    if (event.data.tier === 'human' || event.data.tier === 'deterministic') {
      return failTaskAndRun(state, task, it.iteration, `no model may edit the draft: ${event.data.reason}`, event.id);
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
          ...sessionStart(state, task, it.iteration, policy),
          causationId: event.id,
        },
      },
    ];
  }
  return [{ kind: 'ignore', reason: `no iteration waits for decision ${event.data.decisionId}` }];
}

function onGraded(state: RunState, event: EventOf<'grade.recorded'>, policy: ExecutorPolicy): ExecutorIntent[] {
  const goal = state.goal!;
  const task = [...state.tasks.values()].find((t) => t.taskId === event.data.taskId);
  if (!task) return [{ kind: 'ignore', reason: `unknown task ${event.data.taskId}` }];
  if (task.status !== 'running') return [{ kind: 'ignore', reason: `task is ${task.status}` }];
  const iteration = event.data.iteration;
  if (iteration !== Math.max(...task.iterations.map((i) => i.iteration))) return [{ kind: 'ignore', reason: 'grade of an older iteration' }];
  const produced = iterationOf(task, iteration)?.workId;
  if (produced !== event.data.workId) {
    return [{
      kind: 'refuse',
      reason: `grade ${event.data.gradeId} grades work ${event.data.workId}, but iteration ${iteration} of the ${task.role} produced ${produced ?? 'no work yet'}: it can neither complete nor revise the task`,
    }];
  }
  if (goal?.backend === 'import' && !event.data.passed) {
    // No backend can revise a transcript: the run ends on its grade, so nothing it requested stays held.
    return failTaskAndRun(state, task, iteration, `the imported work did not pass its grade ${event.data.gradeId} (overall ${event.data.overall}); an imported run is graded as it stands, never revised`, event.id);
  }
  const common = { aggregateId: state.runId, producer: 'executor' as const, correlationId: state.runId, causationId: event.id };

  if (event.data.passed) return completeTask(state, task, iteration, event.data.gradeId, event.data.overall, event.id, policy);

  const current = iterationOf(task, iteration);
  const route = routeOf(event.data, task.role);
  const failure = classifyFailure({ endedBy: current?.endedBy, rubrics: event.data.rubrics, route });
  const items = event.data.rubrics.flatMap((r) => r.toReachNext);

  // After a revision: did the targeted items move, and did anything regress? A regression is fed back.
  const before = current?.cause === 'revision' ? iterationOf(task, iteration - 1)?.grade : undefined;
  const revisionCheck = before ? checkRevision(before.rubrics, event.data.rubrics, (current?.feedback ?? []).map((f) => f.id)) : undefined;
  const regressions = before && revisionCheck ? regressionFeedback(revisionCheck, before.rubrics, event.data.rubrics, task.role) : [];

  // Only scope calls are left, or a role stepped outside what it owns: a person decides, no retry is spent.
  if (route.fixType === 'tier-ceiling' || route.fixType === 'none' || failure === 'boundary') {
    const boundary = failure === 'boundary';
    const reason = boundary ? 'scope-call' : 'tier-ceiling';
    const reviewId = reviewIdOf(task.taskId, iteration, reason);
    const asked = boundary ? route.items : route.items.length > 0 ? route.items : items.map((i) => i.id);
    const summary = boundary
      ? `the ${task.role} changed files outside its boundary (${asked.join(', ')}): a person decides whether it may`
      : `${asked.length} item(s) need a scope call: ${asked.join(', ')}`;
    return [
      {
        kind: 'emit',
        event: { ...common, type: 'review.requested', id: deterministicId('review.requested', reviewId), aggregateId: reviewId, data: { reviewId, runId: state.runId, taskId: task.taskId, reason, summary, items: asked } },
      },
      {
        kind: 'emit',
        event: { ...common, type: 'task.failed', id: deterministicId('task.failed', task.taskId, iteration), data: { taskId: task.taskId, role: task.role, iterations: iteration, reason: `handed to a person: ${summary}`, reviewId } },
      },
      runEnded(state, 'blocked-on-questions', `a person must answer review ${reviewId}: ${summary}`, event.id, { [task.role]: 'review' }, reviewId),
    ];
  }

  const failures = [...failureHistory(task, iteration), failure];
  const spent = bouncesSpent(failures.slice(0, -1));
  const free = bouncesSpent(failures) === spent;
  if ((!free && spent >= MAX_BOUNCES) || iteration >= goal.maxIterations) {
    const gateFailed = event.data.rubrics.some((r) => r.rubricId === 'release-gate' && (r.mode ?? 'gating') === 'gating' && !r.passed);
    const reason = `stuck after ${iteration} iteration(s) (${spent} failed bounce(s)): ${items.map((i) => i.id).join(', ') || 'no item passed'}`;
    return [
      {
        kind: 'emit',
        event: { ...common, type: 'task.failed', id: deterministicId('task.failed', task.taskId, iteration), data: { taskId: task.taskId, role: task.role, iterations: iteration, reason } },
      },
      runEnded(state, gateFailed ? 'gate-failed' : 'stuck', reason, event.id, { [task.role]: 'stuck' }),
    ];
  }

  if (failure === 'infrastructure' && free) {
    return startIteration(state, { role: task.role, iteration: iteration + 1, feedback: [], cause: 'retry', startedFrom: startingPointOf(state, task.role) }, event.id, policy);
  }
  if (route.fixType === 'upstream-structural' && route.stage && route.stage !== task.role && state.tasks.has(route.stage)) {
    const owner = state.tasks.get(route.stage)!;
    const feedback = items.filter((i) => i.fixType === 'upstream-structural' && i.stage === route.stage);
    const next = Math.max(...owner.iterations.map((i) => i.iteration)) + 1;
    return startIteration(state, { role: route.stage, iteration: next, feedback, cause: 'revision', startedFrom: startingPointOf(state, route.stage) }, event.id, policy);
  }
  const feedback = actionableFeedback(items, regressions, task.role);
  return startIteration(
    state,
    { role: task.role, iteration: iteration + 1, feedback, cause: 'revision', startedFrom: startingPointOf(state, task.role), ...(revisionCheck ? { revisionCheck } : {}) },
    event.id,
    policy,
  );
}

/** How each earlier failed attempt of a task, before `iteration`, is classed. */
function failureHistory(task: TaskState, iteration: number): FailureClass[] {
  return task.iterations
    .filter((i) => i.iteration < iteration && i.grade && !i.grade.passed)
    .map((i) => classifyFailure({ endedBy: i.endedBy, rubrics: i.grade!.rubrics, route: routeOf(i.grade!, task.role) }));
}

/** A person's answer to a review the executor asked for: accept the work, give it another iteration, or let the failure stand. */
function onReviewResolved(state: RunState, resolved: EventOf<'review.resolved'>, requested: EventOf<'review.requested'>, policy: ExecutorPolicy): ExecutorIntent[] {
  const task = [...state.tasks.values()].find((t) => t.taskId === requested.data.taskId);
  if (!task || task.reviewId !== resolved.data.reviewId) return [{ kind: 'ignore', reason: 'the review is not the task\'s open review' }];
  const last = task.iterations[task.iterations.length - 1];
  switch (resolved.data.resolution) {
    case 'reject':
      return [runEnded(state, 'stuck', `${resolved.data.by} let the failure of the ${task.role} stand`, resolved.id, { [task.role]: 'stuck' })];
    case 'retry':
      return startIteration(
        state,
        { role: task.role, iteration: last.iteration + 1, feedback: actionableFeedback(last.grade?.toReachNext ?? [], [], task.role), cause: 'revision', startedFrom: startingPointOf(state, task.role) },
        resolved.id,
        policy,
      );
    case 'accept':
      return completeTask(state, task, last.iteration, last.grade?.gradeId ?? 'accepted-by-review', last.grade?.overall ?? 0, resolved.id, policy);
    default: {
      const unreachable: never = resolved.data.resolution;
      return [{ kind: 'ignore', reason: `unknown resolution ${String(unreachable)}` }];
    }
  }
}

/**
 * task.completed, then the pipeline's next role: its first iteration, or (when an earlier stage was
 * sent back and has now passed again) a re-run from the new work. The last role done ends the run.
 */
function completeTask(state: RunState, task: TaskState, iterations: number, gradeId: string, overall: number, causationId: string, policy: ExecutorPolicy): ExecutorIntent[] {
  const completed: ExecutorIntent = {
    kind: 'emit',
    event: {
      type: 'task.completed',
      id: deterministicId('task.completed', task.taskId, ...(iterations > 1 ? [iterations] : [])),
      aggregateId: state.runId,
      producer: 'executor',
      correlationId: state.runId,
      causationId,
      data: { taskId: task.taskId, role: task.role, iterations, gradeId, overall },
    },
  };
  const pipeline = pipelineOf(state.goal!);
  const next = pipeline[pipeline.indexOf(task.role) + 1];
  if (!next) return [completed, runEnded(state, 'done', `every role of the pipeline passed (${pipeline.join(' → ')})`, causationId, { [task.role]: 'completed' })];
  const here = iterationOf(task, iterations);
  const done = here?.workId && here.artifactDigest ? { workId: here.workId, role: task.role, artifactDigest: here.artifactDigest } : startingPointOf(state, next);
  const existing = state.tasks.get(next);
  if (!existing) return [completed, ...startIteration(state, { role: next, iteration: 1, feedback: [], cause: 'draft', startedFrom: done }, causationId, policy)];
  const last = existing.iterations[existing.iterations.length - 1];
  const carried = actionableFeedback(last?.grade?.toReachNext ?? [], [], next).filter((i) => i.fixType === 'local');
  return [completed, ...startIteration(state, { role: next, iteration: last.iteration + 1, feedback: carried, cause: 'upstream', startedFrom: done }, causationId, policy)];
}

/** How each role of the pipeline stands, with the roles after a stopped one blocked. */
function taskStatuses(state: RunState, override: Partial<Record<Role, RunEnded['tasks'][number]['status']>>): RunEnded['tasks'] {
  let stopped = false;
  return pipelineOf(state.goal!).map((role) => {
    const task = state.tasks.get(role);
    const given = override[role];
    const status: RunEnded['tasks'][number]['status'] = stopped
      ? 'blocked'
      : given ?? (!task ? 'not-started' : task.status === 'completed' ? 'completed' : task.status === 'failed' ? 'failed' : task.status === 'review' ? 'review' : 'not-started');
    if (status !== 'completed') stopped = stopped || given !== undefined;
    return { role, status };
  });
}

/** A task no tier may carry on: it fails, and the run ends stuck, both saying why. */
function failTaskAndRun(state: RunState, task: { taskId: string; role: Role }, iteration: number, reason: string, causationId: string): ExecutorIntent[] {
  return [
    {
      kind: 'emit',
      event: {
        type: 'task.failed',
        id: deterministicId('task.failed', task.taskId, iteration),
        aggregateId: state.runId,
        producer: 'executor',
        correlationId: state.runId,
        causationId,
        data: { taskId: task.taskId, role: task.role, iterations: iteration, reason },
      },
    },
    runEnded(state, 'stuck', reason, causationId, { [task.role]: 'failed' }),
  ];
}

export function runEnded(
  state: RunState,
  status: RunEnded['status'],
  reason: string,
  causationId: string,
  override: Partial<Record<Role, RunEnded['tasks'][number]['status']>>,
  reviewId?: string,
): ExecutorIntent {
  return {
    kind: 'emit',
    event: {
      type: 'run.ended',
      id: deterministicId('run.ended', state.runId, status, causationId),
      aggregateId: state.runId,
      producer: 'executor',
      correlationId: state.runId,
      causationId,
      data: { runId: state.runId, status, reason, tasks: taskStatuses(state, override), ...(reviewId ? { reviewId } : {}) },
    },
  };
}

