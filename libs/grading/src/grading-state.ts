import type { DecisionCompleted, EventOf, GoalSubmitted, LoopEvent, Producer, ReleaseGateRecord, Role } from '@loopwright/events';
import type { Rubric } from '@loopwright/rubrics';
import { pipelineOf } from './fix-routing';
import { GradingItem, gradingItems, workIdOfDecision } from './grading-plan';

/** Everything the grader knows about one piece of work, from the log alone. */
export interface WorkGrading {
  work: EventOf<'work.produced'>;
  items: GradingItem[];
  verified?: EventOf<'work.verified'>;
  /** Decisions this grader requested (its own decision.requested). */
  requested: Set<string>;
  /** The router's answer to each requested decision. */
  routed: Map<string, EventOf<'decision.routed'>>;
  /** This grader's own completions of routed decisions (the primary ones, not spot-checks). */
  completions: Map<string, DecisionCompleted>;
  shadowed: Set<string>;
  graded: boolean;
  grade?: EventOf<'grade.recorded'>;
}

/** A task's life as the executor recorded it, in log order. */
export type TaskEvent = EventOf<'task.started'> | EventOf<'task.completed'> | EventOf<'task.failed'>;

export interface GradingState {
  goal?: GoalSubmitted;
  works: Map<string, WorkGrading>;
  /** The executor's task events, in log order: where the run stands and how it ended. */
  taskEvents: TaskEvent[];
  /** The events a run grade was recorded for. */
  runGraded: Set<string>;
  /** Events that claimed to matter to grading but came from a producer that may not make them. */
  forged: { id: string; type: string; producer: Producer; reason: string }[];
}

/**
 * Who may produce each event the grader folds: an event from anyone else never counts. An imported
 * run's task, steps and work come from the submitter that imported the transcript.
 */
const TRUSTED: Partial<Record<LoopEvent['type'], Producer>> = {
  'goal.submitted': 'submitter',
  'task.started': 'executor',
  'task.completed': 'executor',
  'task.failed': 'executor',
  'work.produced': 'executor',
  'trace.step': 'executor',
  'work.verified': 'grader',
  'decision.requested': 'grader',
  'decision.routed': 'router',
  'decision.completed': 'grader',
  'grade.recorded': 'grader',
  'run.graded': 'grader',
};

const IMPORTED = new Set<LoopEvent['type']>(['work.produced', 'trace.step', 'task.started']);

/** Whether an event comes from the one producer the grader trusts for its type in this run (undefined: not a grading event). */
export function trustedProducer(event: LoopEvent, imported = false): boolean | undefined {
  const expected = imported && IMPORTED.has(event.type) ? 'submitter' : TRUSTED[event.type];
  return expected === undefined ? undefined : event.producer === expected;
}

export function initialGradingState(): GradingState {
  return { works: new Map(), taskEvents: [], runGraded: new Set(), forged: [] };
}

/**
 * Folds one event. Decisions count only along the grader's own chain: requested by the grader,
 * routed by the router, completed by the grader. Executor decisions share the event types and
 * are simply not part of it.
 */
export function evolveGrading(rubrics: readonly Rubric[], state: GradingState, event: LoopEvent): GradingState {
  const trusted = trustedProducer(event, state.goal?.backend === 'import');
  if (trusted === false) {
    // The executor completes decisions of its own; only one that names a grading item is a forgery.
    const isDecision = event.type === 'decision.completed' || event.type === 'decision.requested';
    if (!isDecision || entryOfDecision(state, event.data.decisionId)?.items.some((i) => i.decisionId === event.data.decisionId)) {
      state.forged.push({ id: event.id, type: event.type, producer: event.producer, reason: `${event.type} may not come from ${event.producer}` });
    }
    return state;
  }
  switch (event.type) {
    case 'goal.submitted':
      state.goal ??= event.data;
      return state;
    case 'task.started':
    case 'task.completed':
    case 'task.failed':
      if (!state.taskEvents.some((e) => e.id === event.id)) state.taskEvents.push(event);
      return state;
    case 'work.produced':
      if (!state.works.has(event.data.workId)) {
        state.works.set(event.data.workId, {
          work: event,
          items: gradingItems(rubrics, event.data.role, event.data.workId),
          requested: new Set(),
          routed: new Map(),
          completions: new Map(),
          shadowed: new Set(),
          graded: false,
        });
      }
      return state;
    case 'work.verified': {
      const entry = state.works.get(event.data.workId);
      if (entry) entry.verified ??= event;
      return state;
    }
    case 'decision.requested': {
      const entry = entryOfDecision(state, event.data.decisionId);
      if (entry?.items.some((i) => i.decisionId === event.data.decisionId)) entry.requested.add(event.data.decisionId);
      return state;
    }
    case 'decision.routed': {
      const entry = entryOfDecision(state, event.data.decisionId);
      if (entry?.requested.has(event.data.decisionId)) entry.routed.set(event.data.decisionId, event);
      return state;
    }
    case 'decision.completed': {
      const entry = entryOfDecision(state, event.data.decisionId);
      if (!entry?.routed.has(event.data.decisionId)) return state;
      if (event.data.shadow) entry.shadowed.add(event.data.decisionId);
      else if (!entry.completions.has(event.data.decisionId)) entry.completions.set(event.data.decisionId, event.data);
      return state;
    }
    case 'grade.recorded': {
      const entry = state.works.get(event.data.workId);
      if (entry) {
        entry.graded = true;
        entry.grade ??= event;
      }
      return state;
    }
    case 'run.graded':
      state.runGraded.add(event.data.endedBy.eventId);
      return state;
    default:
      return state;
  }
}

export function entryOfDecision(state: GradingState, decisionId: string): WorkGrading | undefined {
  return state.works.get(workIdOfDecision(decisionId));
}

/** The goal's pipeline, or the work's own role alone when the goal is not (yet) known. */
export function pipelineOfRun(state: GradingState, role: Role): Role[] {
  return state.goal ? pipelineOf(state.goal) : [role];
}

/** The work a task's completion accepted: the one its grade graded, or (accepted by a person) its last. */
function acceptedWork(state: GradingState, completed: EventOf<'task.completed'>): WorkGrading | undefined {
  const works = [...state.works.values()].filter((w) => w.work.data.taskId === completed.data.taskId);
  return works.find((w) => w.grade?.data.gradeId === completed.data.gradeId) ?? works.sort((a, b) => b.work.data.iteration - a.work.data.iteration)[0];
}

/**
 * The work whose workspace a work started from, when it names one and that one is the accepted
 * work of an earlier role of the pipeline; otherwise none (the goal's seed), so that a false claim
 * only makes the earlier files count as the role's own change.
 */
export function baseWorkOf(state: GradingState, work: EventOf<'work.produced'>): WorkGrading | undefined {
  const claimed = work.data.startedFrom?.workId;
  if (!claimed) return undefined;
  const pipeline = pipelineOfRun(state, work.data.role);
  const here = pipeline.indexOf(work.data.role);
  const completions = state.taskEvents.filter((e): e is EventOf<'task.completed'> => e.type === 'task.completed');
  const accepted = completions
    .filter((c) => pipeline.indexOf(c.data.role) >= 0 && pipeline.indexOf(c.data.role) < here)
    .map((c) => acceptedWork(state, c))
    .filter((w): w is WorkGrading => w !== undefined);
  return accepted.find((w) => w.work.data.workId === claimed);
}

/** The release gate a deployer's work stands on: the one the grader synthesized for the tester's accepted (else latest) work. */
export function upstreamGateOf(state: GradingState): ReleaseGateRecord | null {
  const testerWorks = [...state.works.values()].filter((w) => w.work.data.role === 'tester' && w.verified?.data.releaseGate);
  const completed = state.taskEvents.filter((e): e is EventOf<'task.completed'> => e.type === 'task.completed' && e.data.role === 'tester').at(-1);
  const accepted = completed ? acceptedWork(state, completed) : undefined;
  const chosen = accepted?.verified?.data.releaseGate ? accepted : testerWorks.sort((a, b) => b.work.data.iteration - a.work.data.iteration)[0];
  return chosen?.verified?.data.releaseGate ?? null;
}

/** The revision an earlier deployer work of this run shipped successfully, for the rollback. */
export function priorRevisionOf(state: GradingState, work: EventOf<'work.produced'>): string | null {
  const earlier = [...state.works.values()]
    .filter((w) => w.work.data.role === 'deployer' && w.work.data.workId !== work.data.workId && w.verified?.data.deploymentReport?.result === 'success')
    .sort((a, b) => b.work.data.iteration - a.work.data.iteration)[0];
  return earlier?.verified?.data.deploymentReport?.revision ?? null;
}
