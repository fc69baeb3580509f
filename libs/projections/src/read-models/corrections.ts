import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { EventOf, ToReachNext } from '@loopwright/events';
import { defineReadModel, SequencedEvent } from '../projector';
import { FoldedKeys, foldedKeysTable } from '../folded-keys';
import { RowSet } from '../row-set';
import { defineTable } from '../row-table';
import { MAX_SCORE } from './grades';

export const MAX_CORRECTION_EXAMPLES = 20;

export interface CorrectionRow {
  /** sha256 of `signature`: the key, since a long delta would not fit a btree index. */
  signature_id: string;
  /** `<role>|<rubric>/<item>|<fixType>|<normalized delta>` */
  signature: string;
  /** The decision this correction is about: `grader:<role>:<gate|dimension>:<item>`. */
  decision_key: string;
  role: string;
  rubric_id: string;
  kind: 'gate' | 'dimension';
  item_id: string;
  fix_type: string;
  delta_normalized: string;
  /** The first delta seen with this signature, as the grader wrote it. */
  example_delta: string;
  /** Grades that asked for it, each grade (by gradeId) once. */
  count: number;
  /** Ids of the grade.recorded events, the first twenty. */
  example_event_ids: string[];
  first_seq: number;
  last_seq: number;
  last_at: string;
}

export const CORRECTIONS = defineTable<CorrectionRow>({
  name: 'corrections',
  key: ['signature_id'],
  columns: {
    signature_id: 'text', signature: 'text', decision_key: 'text', role: 'text', rubric_id: 'text', kind: 'text', item_id: 'text',
    fix_type: 'text', delta_normalized: 'text', example_delta: 'text', count: 'int4', example_event_ids: 'jsonb', first_seq: 'int8',
    last_seq: 'int8', last_at: 'timestamptz',
  },
});

/** Lowercased, each run of digits replaced by `#`, whitespace collapsed: "Run 3 tests" and "run  12 tests" match. */
export function normalizeDelta(delta: string): string {
  return delta.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ').trim();
}

export interface Correction {
  role: string;
  rubricId: string;
  kind: 'gate' | 'dimension';
  itemId: string;
  next: ToReachNext;
}

/** Every failed gate and every dimension below the maximum that has a toReachNext entry. */
export function correctionsOf(grade: EventOf<'grade.recorded'>['data']): Correction[] {
  const found: Correction[] = [];
  for (const rubric of grade.rubrics) {
    const next = new Map(rubric.toReachNext.map((entry) => [entry.id, entry]));
    const add = (kind: Correction['kind'], itemId: string): void => {
      const entry = next.get(itemId);
      if (entry) found.push({ role: grade.role, rubricId: rubric.rubricId, kind, itemId, next: entry });
    };
    for (const gate of rubric.gates) if (!gate.passed) add('gate', gate.id);
    for (const dimension of rubric.dimensions) if (dimension.score < MAX_SCORE) add('dimension', dimension.id);
  }
  return found;
}

export function signatureOf(correction: Correction): string {
  const { role, rubricId, itemId, next } = correction;
  return `${role}|${rubricId}/${itemId}|${next.fixType}|${normalizeDelta(next.delta)}`;
}

function signatureIdOf(signature: string): string {
  return createHash('sha256').update(signature).digest('hex');
}

/** The grades counted into the corrections: a grade recorded again under another event id adds nothing. */
export const CORRECTIONS_FOLDED = foldedKeysTable('corrections_folded');

const gradeKey = (event: EventOf<'grade.recorded'>): string => `grade:${event.data.gradeId}`;

export function evolveCorrections(rows: RowSet<CorrectionRow>, folded: FoldedKeys, event: EventOf<'grade.recorded'>, seq: number): void {
  if (!folded.firstTime(gradeKey(event))) return;
  for (const correction of correctionsOf(event.data)) {
    const signature = signatureOf(correction);
    const id = signatureIdOf(signature);
    const row = rows.get(id);
    if (!row) {
      rows.put({
        signature_id: id, signature, decision_key: `grader:${correction.role}:${correction.kind}:${correction.itemId}`,
        role: correction.role, rubric_id: correction.rubricId, kind: correction.kind, item_id: correction.itemId,
        fix_type: correction.next.fixType, delta_normalized: normalizeDelta(correction.next.delta),
        example_delta: correction.next.delta, count: 1, example_event_ids: [event.id], first_seq: seq, last_seq: seq,
        last_at: event.occurredAt,
      });
      continue;
    }
    row.count += 1;
    if (row.example_event_ids.length < MAX_CORRECTION_EXAMPLES && !row.example_event_ids.includes(event.id)) {
      row.example_event_ids = [...row.example_event_ids, event.id];
    }
    row.last_seq = seq;
    row.last_at = event.occurredAt;
    rows.put(row);
  }
}

async function applyCorrections(events: readonly SequencedEvent[], tx: EntityManager): Promise<void> {
  const typed = events as readonly { seq: number; event: EventOf<'grade.recorded'> }[];
  const ids = typed.flatMap(({ event }) =>
    correctionsOf(event.data).map((c) => [signatureIdOf(signatureOf(c))]),
  );
  const rows = await RowSet.load(tx, CORRECTIONS, ids);
  const folded = await FoldedKeys.load(tx, CORRECTIONS_FOLDED, typed.map(({ event }) => gradeKey(event)));
  for (const { seq, event } of typed) evolveCorrections(rows, folded, event, seq);
  await rows.save(tx);
  await folded.save(tx);
}

/**
 * Recurring corrections: one row per signature (role, rubric item, fix type, normalized delta) with
 * how often graders asked for it and example events. The miner's search starts here.
 */
export const correctionsProjector = defineReadModel({
  name: 'corrections',
  version: 1,
  handles: ['grade.recorded'],
  tables: ['corrections', CORRECTIONS_FOLDED.name],
  applyMany: applyCorrections,
});
