import { FeatureVector } from '@loopwright/checks';
import { DecisionCompleted, deterministicId, EventOf, NewEvent, Role, RubricGrade, WorkVerified } from '@loopwright/events';
import {
  assertToReachNextContract, deterministicItemResults, DimensionItemResult, GateItemResult, isJudged, itemApplies, ItemResults, Rubric, rubricApplies,
  scoreRubric,
} from '@loopwright/rubrics';
import { feedbackRoute, routeFeedback } from './fix-routing';

/** One rubric item that needs a verdict: a gate or a dimension. */
export interface GradingItem {
  rubricId: string;
  itemId: string;
  kind: 'gate' | 'dimension';
  check?: string;
  decisionId: string;
  key: string;
}

export function decisionIdFor(workId: string, rubricId: string, itemId: string): string {
  return `${workId}:${rubricId}:${itemId}`;
}

/** The work id a grader decision belongs to (decision ids are `<workId>:<rubricId>:<item>`). */
export function workIdOfDecision(decisionId: string): string {
  return decisionId.split(':')[0];
}

/** The rubrics that grade a role's work: its artifact and behavior rubrics (the run rubric grades no role). */
export function rubricsFor(rubrics: readonly Rubric[], role: string): Rubric[] {
  return rubrics.filter((r) => r.surface !== 'run' && (r.roles as readonly string[]).includes(role));
}

/** Every item of the role's output and trace rubrics, each a decision of its own. */
export function gradingItems(rubrics: readonly Rubric[], role: string, workId: string): GradingItem[] {
  return rubricsFor(rubrics, role)
    .flatMap((rubric) => [
      ...rubric.gates.map((g) => ({ rubricId: rubric.id, itemId: g.id, kind: 'gate' as const, check: g.check })),
      ...rubric.dimensions.map((d) => ({ rubricId: rubric.id, itemId: d.id, kind: 'dimension' as const, check: d.check })),
    ])
    .map((item) => ({
      ...item,
      decisionId: decisionIdFor(workId, item.rubricId, item.itemId),
      key: `grader:${role}:${item.kind}:${item.itemId}`,
    }));
}

/**
 * The items that need a decision for this work, once its features are recorded: those of the
 * rubrics that apply, and within them the items that apply. The rest are decided by code alone
 * when the grade is assembled (a gate passed vacuously, a dimension not scored).
 */
export function applicableItems(rubrics: readonly Rubric[], items: readonly GradingItem[], features: FeatureVector): GradingItem[] {
  const byId = new Map(rubrics.map((r) => [r.id, r]));
  return items.filter((item) => {
    const rubric = byId.get(item.rubricId);
    if (!rubric || !rubricApplies(rubric, features).applies) return false;
    const definition = [...rubric.gates, ...rubric.dimensions].find((i) => i.id === item.itemId);
    return definition !== undefined && itemApplies(definition, features).applies && (isJudged(definition) || definition.check !== undefined);
  });
}

/** The decision.requested events for a piece of work: the router says which tier decides each item. */
export function decisionRequests(
  work: EventOf<'work.produced'>,
  items: readonly GradingItem[],
  features: FeatureVector,
  judgeEstimateUsd: number,
  texts?: readonly string[],
): NewEvent<'decision.requested'>[] {
  return items.map((item) => ({
    type: 'decision.requested',
    id: deterministicId('decision.requested', item.decisionId),
    aggregateId: work.aggregateId,
    producer: 'grader',
    correlationId: work.correlationId,
    causationId: work.id,
    data: {
      decisionId: item.decisionId,
      key: item.key,
      requester: 'grader',
      role: work.data.role,
      kind: item.kind,
      item: item.itemId,
      taskId: work.data.taskId,
      builtinCheck: item.check,
      estimatedUsd: item.check ? 0 : judgeEstimateUsd,
      features: { ...features },
      ...(texts && !item.check ? { texts: [...texts] } : {}),
    },
  }));
}

/** A verdict as a rubric item result: gates read pass/fail, dimensions a score; `unusable` is not scored. */
export function itemResultOf(kind: 'gate', completion: DecisionCompleted): GateItemResult;
export function itemResultOf(kind: 'dimension', completion: DecisionCompleted): DimensionItemResult;
export function itemResultOf(kind: 'gate' | 'dimension', completion: DecisionCompleted): GateItemResult | DimensionItemResult {
  if (kind === 'gate') {
    const passed = completion.verdict === 'pass';
    const evidence = completion.evidence || `${completion.tier} verdict: ${completion.verdict}`;
    return { passed, evidence, tier: completion.tier };
  }
  const score = Number(completion.verdict);
  if (!Number.isInteger(score) || score < 1 || score > 5) {
    return { notScored: true, reason: `no usable score (${completion.tier} answered "${completion.verdict}")` };
  }
  return { score, evidence: completion.evidence || `${completion.tier} score ${score}`, reasoning: completion.reasoning, tier: completion.tier };
}

export type GradeOutcome = { kind: 'incomplete'; missing: string[] } | { kind: 'graded'; event: NewEvent<'grade.recorded'> };

/** What assembling a grade needs beyond the work and its decisions. */
export interface GradeContext {
  /** Whether each rubric bounces work: its activation, or what its latest calibration made of it. */
  modeOf: (rubric: Rubric) => 'gating' | 'advisory';
  pipeline: readonly Role[];
}

/**
 * Once every applicable item has its (non-shadow) decision, scores each rubric that applies,
 * enforces the toReachNext contract, routes each entry to the stage that owns it, and builds the
 * grade. The grade passes when every gating rubric passes; advisory rubrics are recorded beside.
 * Its id comes from the work and the rubric versions, so a grader restarted mid-grade records it once.
 */
export function assembleGrade(
  work: EventOf<'work.produced'>,
  rubrics: readonly Rubric[],
  items: readonly GradingItem[],
  completions: ReadonlyMap<string, DecisionCompleted>,
  verified: Pick<WorkVerified, 'rerun' | 'features'>,
  context: GradeContext,
): GradeOutcome {
  const { rerun, features } = verified;
  const recordedRerun = { command: rerun.command, exitCode: rerun.exitCode, output: rerun.output.slice(0, 4_000) };
  const needed = applicableItems(rubrics, items, features);
  const missing = needed.filter((i) => !completions.has(i.decisionId)).map((i) => i.decisionId);
  if (missing.length > 0) return { kind: 'incomplete', missing };
  const role = work.data.role;
  const graded: RubricGrade[] = [];
  for (const rubric of rubrics.filter((r) => items.some((i) => i.rubricId === r.id) && rubricApplies(r, features).applies)) {
    const decided = deterministicItemResults(rubric, features);
    const results: ItemResults = { gates: { ...decided.gates }, dimensions: { ...decided.dimensions } };
    for (const item of needed.filter((i) => i.rubricId === rubric.id && !i.check)) {
      const completion = completions.get(item.decisionId)!;
      if (item.kind === 'gate') results.gates[item.itemId] = itemResultOf('gate', completion);
      else results.dimensions[item.itemId] = itemResultOf('dimension', completion);
    }
    const grade = scoreRubric(rubric, results, { features, mode: context.modeOf(rubric) });
    assertToReachNextContract(rubric, grade);
    graded.push(routeFeedback(rubric, grade, { role, pipeline: context.pipeline, features }));
  }
  const costUsd = needed.reduce((sum, i) => sum + completions.get(i.decisionId)!.costUsd, 0);
  const gating = graded.filter((g) => g.mode !== 'advisory');
  const passed = gating.every((g) => g.passed);
  const overall = Math.min(...(gating.length > 0 ? gating : graded).map((g) => g.overall));
  return {
    kind: 'graded',
    event: {
      type: 'grade.recorded',
      id: deterministicId('grade.recorded', work.data.workId, ...graded.map((g) => `${g.rubricId}@${g.rubricVersion}`)),
      aggregateId: work.aggregateId,
      producer: 'grader',
      correlationId: work.correlationId,
      causationId: work.id,
      data: {
        gradeId: `${work.data.workId}-grade`,
        workId: work.data.workId,
        taskId: work.data.taskId,
        role,
        iteration: work.data.iteration,
        passed,
        overall,
        rubrics: graded,
        rerun: recordedRerun,
        costUsd: Math.round(costUsd * 1e6) / 1e6,
        route: feedbackRoute(graded, context.pipeline),
      },
    },
  };
}
