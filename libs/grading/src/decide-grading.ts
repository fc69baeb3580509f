import { FeatureVector, runCheck } from '@loopwright/checks';
import { Decider, Intent } from '@loopwright/core';
import { DecisionCompleted, deterministicId, EventOf, LoopEvent, NewEvent } from '@loopwright/events';
import type { Rubric } from '@loopwright/rubrics';
import { applicableItems, assembleGrade, decisionRequests, GradeContext, GradingItem } from './grading-plan';
import { entryOfDecision, evolveGrading, GradingState, initialGradingState, pipelineOfRun, trustedProducer, WorkGrading } from './grading-state';
import { runEnding } from './run-grading';

/** I/O the grader's runner carries out: each ends in events the decider sees next. */
export type GradingActivity =
  /** Re-run the goal's test command on the seed laid over the delivered files; record work.verified. */
  | { kind: 'verify'; work: EventOf<'work.produced'> }
  /** Ask a model judge (the frontier, or a resident model that escalates below its threshold). */
  | { kind: 'judge'; tier: 'frontier' | 'resident'; item: GradingItem; routed: EventOf<'decision.routed'>; shadow: boolean }
  /** The run ended: read how people resolved its reviews, then apply the run rubric. */
  | { kind: 'grade-run'; ending: EventOf<'task.completed'> | EventOf<'task.failed'> };

export type GradingEvent = NewEvent<'decision.requested' | 'decision.completed' | 'grade.recorded' | 'review.requested' | 'work.verified' | 'run.graded'>;
export type GradingIntent = Intent<GradingEvent, GradingActivity>;

type Completion = Omit<DecisionCompleted, 'decisionId' | 'key'>;

const FREE = { costUsd: 0, tokens: { input: 0, output: 0 }, confidence: 1, shadow: false, simulated: false, reasoning: '', latencyMs: 0 };

export interface GradingOptions {
  judgeEstimateUsd: number;
  /** Whether a rubric bounces work (a behavior rubric only once calibrated); every rubric's activation when absent. */
  modeOf?: (rubric: Rubric) => 'gating' | 'advisory';
}

/** The grading process for one run, as a pure decider over its events. */
export function createGradingDecider(rubrics: readonly Rubric[], options: GradingOptions): Decider<GradingState, LoopEvent, GradingIntent> {
  const modeOf = options.modeOf ?? ((rubric: Rubric) => rubric.activation);
  return {
    initialState: initialGradingState,
    evolve: (state, event) => evolveGrading(rubrics, state, event),
    decide(state, event) {
      if (trustedProducer(event, state.goal?.backend === 'import') === false && isGradingEvent(event)) {
        return [{ kind: 'refuse', reason: `${event.type} ${event.id} comes from ${event.producer}, which may not produce it for grading` }];
      }
      switch (event.type) {
        case 'work.produced':
          return onWork(state, event.data.workId, rubrics, options.judgeEstimateUsd);
        case 'work.verified':
          return requestsFor(state.works.get(event.data.workId), rubrics, options.judgeEstimateUsd);
        case 'decision.routed':
          return onRouted(state, event, rubrics, modeOf);
        case 'decision.completed':
          return gradeWhenComplete(rubrics, entryOfDecision(state, event.data.decisionId), gradeContext(state, modeOf));
        case 'task.completed':
        case 'task.failed':
          return onTaskEnded(state);
        default:
          return [{ kind: 'ignore', reason: `${event.type} is not a grading step` }];
      }
    },
  };
}

function isGradingEvent(event: LoopEvent): boolean {
  return ['work.produced', 'work.verified', 'decision.routed', 'grade.recorded', 'task.completed', 'task.failed'].includes(event.type);
}

function onWork(state: GradingState, workId: string, rubrics: readonly Rubric[], judgeEstimateUsd: number): GradingIntent[] {
  const entry = state.works.get(workId);
  if (!entry) return [{ kind: 'ignore', reason: `work ${workId} is not in the run` }];
  if (entry.graded) return [{ kind: 'ignore', reason: `work ${workId} is graded already` }];
  if (!state.goal) return [{ kind: 'refuse', reason: `run ${entry.work.aggregateId} has no goal.submitted from a submitter: nothing to grade against` }];
  if (!entry.verified) return [{ kind: 'activity', activity: { kind: 'verify', work: entry.work } }];
  // Verified before a restart: the requests may be missing, never the re-run.
  return requestsFor(entry, rubrics, judgeEstimateUsd);
}

function requestsFor(entry: WorkGrading | undefined, rubrics: readonly Rubric[], judgeEstimateUsd: number): GradingIntent[] {
  if (!entry?.verified || entry.graded) return [{ kind: 'ignore', reason: 'nothing to request' }];
  const needed = applicableItems(rubrics, entry.items, entry.verified.data.features);
  const missing = needed.filter((i) => !entry.requested.has(i.decisionId));
  if (missing.length === 0) return [{ kind: 'ignore', reason: `every item of ${entry.work.data.workId} is requested` }];
  return decisionRequests(entry.work, missing, entry.verified.data.features, judgeEstimateUsd, entry.verified.data.texts).map((event) => ({ kind: 'emit', event }));
}

/** A task ended: if the run ended with it, the run rubric is applied once for that ending. */
function onTaskEnded(state: GradingState): GradingIntent[] {
  const ending = runEnding(state);
  if (!ending) return [{ kind: 'ignore', reason: 'the run goes on' }];
  if (state.runGraded.has(ending.id)) return [{ kind: 'ignore', reason: `the run's ending ${ending.id} is graded already` }];
  return [{ kind: 'activity', activity: { kind: 'grade-run', ending } }];
}

function onRouted(state: GradingState, routed: EventOf<'decision.routed'>, rubrics: readonly Rubric[], modeOf: GradeContext['modeOf']): GradingIntent[] {
  const entry = entryOfDecision(state, routed.data.decisionId);
  const item = entry?.items.find((i) => i.decisionId === routed.data.decisionId);
  if (!entry || !item || !entry.requested.has(item.decisionId)) {
    return [{ kind: 'ignore', reason: `${routed.data.decisionId} is not a decision this grader requested` }];
  }
  if (entry.graded) return [{ kind: 'ignore', reason: `work ${entry.work.data.workId} is graded already` }];
  const verified = entry.verified;
  if (!verified) return [{ kind: 'refuse', reason: `${item.decisionId} was routed before its work was verified` }];
  const intents: GradingIntent[] = [];
  if (!entry.completions.has(item.decisionId)) intents.push(...answer(item, routed, verified));
  if (routed.data.shadow && !entry.shadowed.has(item.decisionId) && !item.check) {
    intents.push({ kind: 'activity', activity: { kind: 'judge', tier: 'frontier', item, routed, shadow: true } });
  }
  if (intents.length > 0) return intents;
  // Answered already, yet the routing came again: the process may have died between its last
  // decision.completed and the grade. The grade is assembled again (same id, so the log keeps one).
  const grade = gradeWhenComplete(rubrics, entry, gradeContext(state, modeOf));
  return grade.some((i) => i.kind === 'emit') ? grade : [{ kind: 'ignore', reason: `${item.decisionId} is answered already` }];
}

/**
 * How an item is answered. A built-in check always decides its own item from the recorded
 * features, whatever tier the decision was routed to: no model verdict stands in for a failed
 * deterministic gate.
 */
function answer(item: GradingItem, routed: EventOf<'decision.routed'>, verified: EventOf<'work.verified'>): GradingIntent[] {
  const emit = (completion: Completion): GradingIntent[] => [{ kind: 'emit', event: completedEvent(routed, item, completion) }];
  if (item.check) {
    const result = runCheck(item.check, verified.data.features);
    return emit({ ...FREE, tier: 'deterministic', verdict: result.passed ? 'pass' : 'fail', evidence: result.evidence });
  }
  switch (routed.data.tier) {
    case 'deterministic':
      if (routed.data.ruleVerdict === undefined) {
        return [{ kind: 'refuse', reason: `${item.key} was routed to the deterministic tier without a check or a rule verdict` }];
      }
      return emit({
        ...FREE, tier: 'deterministic', verdict: routed.data.ruleVerdict, ruleId: routed.data.ruleId,
        evidence: `mined rule ${routed.data.ruleId}: ${routed.data.reason}`,
      });
    case 'human':
      return emit({ ...FREE, tier: 'human', verdict: 'unanswered', confidence: 0, evidence: `no tier could decide: ${routed.data.reason}` });
    case 'frontier':
    case 'resident':
      return [{ kind: 'activity', activity: { kind: 'judge', tier: routed.data.tier, item, routed, shadow: false } }];
    default: {
      const unreachable: never = routed.data.tier;
      return [{ kind: 'refuse', reason: `unknown tier ${String(unreachable)}` }];
    }
  }
}

function gradeContext(state: GradingState, modeOf: GradeContext['modeOf']): (role: WorkGrading['work']['data']['role']) => GradeContext {
  return (role) => ({ modeOf, pipeline: pipelineOfRun(state, role) });
}

function gradeWhenComplete(rubrics: readonly Rubric[], entry: WorkGrading | undefined, context: (role: WorkGrading['work']['data']['role']) => GradeContext): GradingIntent[] {
  if (!entry?.verified || entry.graded) return [{ kind: 'ignore', reason: 'no work waiting for its grade' }];
  const completions = checksFromRecord(entry.items, entry.completions, entry.verified.data.features);
  const outcome = assembleGrade(entry.work, rubrics, entry.items, completions, entry.verified.data, context(entry.work.data.role));
  if (outcome.kind === 'incomplete') return [{ kind: 'ignore', reason: `${outcome.missing.length} item(s) still undecided` }];
  return [{ kind: 'emit', event: outcome.event }];
}

/**
 * The completions with every built-in check's item decided again from the recorded features: a
 * check's verdict comes from the record, whatever verdict was written for it.
 */
export function checksFromRecord(
  items: readonly GradingItem[],
  completions: ReadonlyMap<string, DecisionCompleted>,
  features: FeatureVector,
): Map<string, DecisionCompleted> {
  const decided = new Map(completions);
  for (const item of items) {
    const recorded = decided.get(item.decisionId);
    if (!item.check || !recorded) continue;
    const result = runCheck(item.check, features);
    decided.set(item.decisionId, { ...recorded, tier: 'deterministic', verdict: result.passed ? 'pass' : 'fail', evidence: result.evidence });
  }
  return decided;
}

/** A decision.completed from the grader; its id derives from the decision, so a retry is deduplicated. */
export function completedEvent(routed: EventOf<'decision.routed'>, item: GradingItem, completion: Completion): NewEvent<'decision.completed'> {
  const data: DecisionCompleted = { decisionId: item.decisionId, key: item.key, ...completion };
  return {
    type: 'decision.completed',
    id: deterministicId('decision.completed', data.decisionId, data.shadow ? 'shadow' : 'primary'),
    aggregateId: routed.aggregateId,
    producer: 'grader',
    correlationId: routed.correlationId,
    causationId: routed.id,
    data,
  };
}
