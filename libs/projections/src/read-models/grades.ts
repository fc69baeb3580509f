import type { EntityManager } from 'typeorm';
import type { EventOf, RubricGrade, ToReachNext } from '@loopwright/events';
import { defineReadModel, SequencedEvent } from '../projector';
import { defineTable, writeRows } from '../row-table';

export interface GradeRow {
  grade_id: string;
  work_id: string;
  run_id: string;
  task_id: string;
  role: string;
  iteration: number;
  passed: boolean;
  overall: number;
  cost_usd: number;
  rerun_exit_code: number | null;
  recorded_at: string;
  recorded_seq: number;
}

export interface GradeItemRow {
  grade_id: string;
  rubric_id: string;
  kind: 'gate' | 'dimension';
  item_id: string;
  rubric_version: number;
  surface: string;
  /** Gates: passed or not. Dimensions: whether the score is the scale's maximum. */
  passed: boolean;
  /** Dimensions only: 1–5. */
  score: number | null;
  severity: string | null;
  tier: string;
  evidence: string;
  reasoning: string | null;
  /** The grader's `toReachNext` entry for this item, when it has one. */
  to_reach_next: ToReachNext | null;
}

export const GRADES = defineTable<GradeRow>({
  name: 'grades',
  key: ['grade_id'],
  columns: {
    grade_id: 'text', work_id: 'text', run_id: 'text', task_id: 'text', role: 'text', iteration: 'int4', passed: 'bool',
    overall: 'float8', cost_usd: 'float8', rerun_exit_code: 'int4', recorded_at: 'timestamptz', recorded_seq: 'int8',
  },
});

export const GRADE_ITEMS = defineTable<GradeItemRow>({
  name: 'grade_items',
  key: ['grade_id', 'rubric_id', 'kind', 'item_id'],
  columns: {
    grade_id: 'text', rubric_id: 'text', kind: 'text', item_id: 'text', rubric_version: 'int4', surface: 'text', passed: 'bool',
    score: 'float8', severity: 'text', tier: 'text', evidence: 'text', reasoning: 'text', to_reach_next: 'jsonb',
  },
});

/** The top of the rubric scale: a dimension below it has something to reach. */
export const MAX_SCORE = 5;

export function gradeItemsOf(gradeId: string, rubric: RubricGrade): GradeItemRow[] {
  const next = new Map(rubric.toReachNext.map((entry) => [entry.id, entry]));
  const common = { grade_id: gradeId, rubric_id: rubric.rubricId, rubric_version: rubric.rubricVersion, surface: rubric.surface };
  return [
    ...rubric.gates.map((gate) => ({
      ...common, kind: 'gate' as const, item_id: gate.id, passed: gate.passed, score: null, severity: gate.severity, tier: gate.tier,
      evidence: gate.evidence, reasoning: null, to_reach_next: next.get(gate.id) ?? null,
    })),
    ...rubric.dimensions.map((dimension) => ({
      ...common, kind: 'dimension' as const, item_id: dimension.id, passed: dimension.score >= MAX_SCORE, score: dimension.score,
      severity: null, tier: dimension.tier, evidence: dimension.evidence, reasoning: dimension.reasoning,
      to_reach_next: next.get(dimension.id) ?? null,
    })),
  ];
}

async function applyGrades(events: readonly SequencedEvent[], tx: EntityManager): Promise<void> {
  const grades: GradeRow[] = [];
  const items: GradeItemRow[] = [];
  for (const { seq, event } of events as readonly { seq: number; event: EventOf<'grade.recorded'> }[]) {
    const { data } = event;
    grades.push({
      grade_id: data.gradeId, work_id: data.workId, run_id: event.aggregateId, task_id: data.taskId, role: data.role,
      iteration: data.iteration, passed: data.passed, overall: data.overall, cost_usd: data.costUsd,
      rerun_exit_code: data.rerun.exitCode, recorded_at: event.occurredAt, recorded_seq: seq,
    });
    for (const rubric of data.rubrics) items.push(...gradeItemsOf(data.gradeId, rubric));
  }
  // A grade id is derived from the work and rubric version: a re-recorded grade keeps its first rows.
  await writeRows(tx, GRADES, grades, 'keep');
  await writeRows(tx, GRADE_ITEMS, items, 'keep');
}

/** Grades and their gate and dimension results, each with its toReachNext entry. */
export const gradesProjector = defineReadModel({
  name: 'grades',
  version: 1,
  handles: ['grade.recorded'],
  tables: ['grades', 'grade_items'],
  applyMany: applyGrades,
});
