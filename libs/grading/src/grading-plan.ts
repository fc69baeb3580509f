import { FeatureVector } from '@loopwright/checks';
import { DecisionCompleted, deterministicId, EventOf, NewEvent, RubricGrade } from '@loopwright/events';
import { DimensionItemResult, GateItemResult, ItemResults, Rubric, scoreRubric, assertToReachNextContract } from '@loopwright/rubrics';

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

/** Every item of the role's output and trace rubrics, each a decision of its own. */
export function gradingItems(rubrics: readonly Rubric[], role: string, workId: string): GradingItem[] {
  return rubrics
    .filter((r) => r.role === role && (r.surface === 'output' || r.surface === 'trace'))
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

/**
 * Once every item has its (non-shadow) decision, scores each rubric, enforces the toReachNext
 * contract, and builds the grade. Its id comes from the work and the rubric versions, so a
 * grader restarted mid-grade records the grade once.
 */
export function assembleGrade(
  work: EventOf<'work.produced'>,
  rubrics: readonly Rubric[],
  items: readonly GradingItem[],
  completions: ReadonlyMap<string, DecisionCompleted>,
  rerun: { command: string; exitCode: number | null; output: string },
): GradeOutcome {
  const recordedRerun = { command: rerun.command, exitCode: rerun.exitCode, output: rerun.output.slice(0, 4_000) };
  const missing = items.filter((i) => !completions.has(i.decisionId)).map((i) => i.decisionId);
  if (missing.length > 0) return { kind: 'incomplete', missing };
  const graded: RubricGrade[] = [];
  for (const rubric of rubrics.filter((r) => items.some((i) => i.rubricId === r.id))) {
    const results: ItemResults = { gates: {}, dimensions: {} };
    for (const item of items.filter((i) => i.rubricId === rubric.id)) {
      const completion = completions.get(item.decisionId)!;
      if (item.kind === 'gate') results.gates[item.itemId] = itemResultOf('gate', completion);
      else results.dimensions[item.itemId] = itemResultOf('dimension', completion);
    }
    const grade = scoreRubric(rubric, results);
    assertToReachNextContract(rubric, grade);
    graded.push(grade);
  }
  const costUsd = items.reduce((sum, i) => sum + completions.get(i.decisionId)!.costUsd, 0);
  const passed = graded.every((g) => g.passed);
  const overall = Math.min(...graded.map((g) => g.overall));
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
        role: work.data.role,
        iteration: work.data.iteration,
        passed,
        overall,
        rubrics: graded,
        rerun: recordedRerun,
        costUsd: Math.round(costUsd * 1e6) / 1e6,
      },
    },
  };
}
