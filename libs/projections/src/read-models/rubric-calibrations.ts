import type { DataSource, EntityManager } from 'typeorm';
import type { EventOf } from '@loopwright/events';
import { defineReadModel, SequencedEvent } from '../projector';
import { RowSet } from '../row-set';
import { defineTable } from '../row-table';

/** One calibration of a behavior rubric version, as the grader recorded it. */
export interface RubricCalibrationRow {
  rubric_id: string;
  rubric_version: number;
  samples: number;
  calibration_id: string;
  runs: number;
  passed_n: number;
  passed_mean: number | null;
  failed_n: number;
  failed_mean: number | null;
  separation: number | null;
  min_runs: number;
  min_separation: number;
  gating: boolean;
  reason: string;
  calibrated_at: string;
  calibrated_seq: number;
}

export const RUBRIC_CALIBRATIONS = defineTable<RubricCalibrationRow>({
  name: 'rubric_calibrations',
  key: ['rubric_id', 'rubric_version', 'samples'],
  columns: {
    rubric_id: 'text', rubric_version: 'int4', samples: 'int4', calibration_id: 'text', runs: 'int4', passed_n: 'int4', passed_mean: 'float8',
    failed_n: 'int4', failed_mean: 'float8', separation: 'float8', min_runs: 'int4', min_separation: 'float8', gating: 'bool', reason: 'text',
    calibrated_at: 'timestamptz', calibrated_seq: 'int8',
  },
});

type CalibrationEvent = EventOf<'rubric.calibrated'>;

/** A calibration, once: the first record of a rubric version at a sample count stands. */
export function evolveRubricCalibrations(rows: RowSet<RubricCalibrationRow>, event: CalibrationEvent, seq: number): void {
  const d = event.data;
  if (rows.get(d.rubricId, d.rubricVersion, d.samples)) return;
  rows.put({
    rubric_id: d.rubricId, rubric_version: d.rubricVersion, samples: d.samples, calibration_id: d.calibrationId, runs: d.runs,
    passed_n: d.passed.n, passed_mean: d.passed.mean, failed_n: d.failed.n, failed_mean: d.failed.mean, separation: d.separation,
    min_runs: d.minRuns, min_separation: d.minSeparation, gating: d.gating, reason: d.reason, calibrated_at: event.occurredAt, calibrated_seq: seq,
  });
}

async function applyCalibrations(events: readonly SequencedEvent[], tx: EntityManager): Promise<void> {
  const typed = events as readonly { seq: number; event: CalibrationEvent }[];
  const rows = await RowSet.load(tx, RUBRIC_CALIBRATIONS, typed.map(({ event }) => [event.data.rubricId, event.data.rubricVersion, event.data.samples]));
  for (const { seq, event } of typed) evolveRubricCalibrations(rows, event, seq);
  await rows.save(tx);
}

/** Whether each behavior rubric version separates good from bad runs yet: every calibration the grader recorded. */
export const rubricCalibrationsProjector = defineReadModel({
  name: 'rubric-calibrations',
  version: 1,
  handles: ['rubric.calibrated'],
  tables: ['rubric_calibrations'],
  applyMany: applyCalibrations,
});

/** The latest calibration of every behavior rubric version, newest rubric versions first. */
export async function latestRubricCalibrations(db: DataSource | EntityManager): Promise<RubricCalibrationRow[]> {
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT DISTINCT ON (rubric_id, rubric_version) *
       FROM rubric_calibrations
      ORDER BY rubric_id, rubric_version DESC, calibrated_seq DESC`,
  );
  return rows.map((r) => ({
    ...(r as unknown as RubricCalibrationRow),
    calibrated_seq: Number(r['calibrated_seq']),
    calibrated_at: new Date(r['calibrated_at'] as string).toISOString(),
  }));
}
