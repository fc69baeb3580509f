import type { DecisionCompleted, EventOf, GoalSubmitted, LoopEvent, Producer } from '@loopwright/events';
import type { Rubric } from '@loopwright/rubrics';
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
}

export interface GradingState {
  goal?: GoalSubmitted;
  works: Map<string, WorkGrading>;
  /** Events that claimed to matter to grading but came from a producer that may not make them. */
  forged: { id: string; type: string; producer: Producer; reason: string }[];
}

/**
 * Who may produce each event the grader folds: an event from anyone else never counts. An imported
 * run's task, steps and work come from the submitter that imported the transcript.
 */
const TRUSTED: Partial<Record<LoopEvent['type'], Producer>> = {
  'goal.submitted': 'submitter',
  'work.produced': 'executor',
  'trace.step': 'executor',
  'work.verified': 'grader',
  'decision.requested': 'grader',
  'decision.routed': 'router',
  'decision.completed': 'grader',
  'grade.recorded': 'grader',
};

const IMPORTED = new Set<LoopEvent['type']>(['work.produced', 'trace.step']);

/** Whether an event comes from the one producer the grader trusts for its type in this run (undefined: not a grading event). */
export function trustedProducer(event: LoopEvent, imported = false): boolean | undefined {
  const expected = imported && IMPORTED.has(event.type) ? 'submitter' : TRUSTED[event.type];
  return expected === undefined ? undefined : event.producer === expected;
}

export function initialGradingState(): GradingState {
  return { works: new Map(), forged: [] };
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
      if (entry) entry.graded = true;
      return state;
    }
    default:
      return state;
  }
}

export function entryOfDecision(state: GradingState, decisionId: string): WorkGrading | undefined {
  return state.works.get(workIdOfDecision(decisionId));
}
