import { deterministicId, EventOf, NewEvent, RubricCalibrated } from '@loopwright/events';
import type { RubricDefinition } from '@loopwright/rubrics';

/** A behavior rubric starts gating once this many runs show its scores separate, by at least this much. */
export const CALIBRATION = { minRuns: 10, minSeparation: 0.15, everyRuns: 10 } as const;

/** One graded work as calibration reads it: the behavior score, and whether the work's artifact rubrics passed. */
export interface CalibrationSample {
  runId: string;
  workId: string;
  overall: number;
  artifactPassed: boolean;
}

/** What the grader knows across runs about each behavior rubric version: its samples and its last calibration. */
export interface CalibrationState {
  samples: Map<string, CalibrationSample[]>;
  latest: Map<string, RubricCalibrated>;
}

export const versionKey = (rubricId: string, version: number) => `${rubricId}@${version}`;

export function initialCalibrationState(): CalibrationState {
  return { samples: new Map(), latest: new Map() };
}

/**
 * Folds the grader's own grades and calibrations (nobody else's: the caller passes only events the
 * grader produced). A grade gives one sample per behavior rubric it holds: that rubric's overall,
 * paired with whether every artifact rubric of the same grade passed.
 */
export function evolveCalibration(state: CalibrationState, event: EventOf<'grade.recorded'> | EventOf<'rubric.calibrated'>): CalibrationState {
  if (event.type === 'rubric.calibrated') {
    state.latest.set(versionKey(event.data.rubricId, event.data.rubricVersion), event.data);
    return state;
  }
  const artifacts = event.data.rubrics.filter((r) => r.surface === 'output');
  if (artifacts.length === 0) return state;
  const artifactPassed = artifacts.every((r) => r.passed);
  for (const behavior of event.data.rubrics.filter((r) => r.surface === 'trace')) {
    const key = versionKey(behavior.rubricId, behavior.rubricVersion);
    const samples = state.samples.get(key) ?? [];
    if (samples.some((s) => s.workId === event.data.workId)) continue;
    samples.push({ runId: event.aggregateId, workId: event.data.workId, overall: behavior.overall, artifactPassed });
    state.samples.set(key, samples);
  }
  return state;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? null : Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1e6) / 1e6);

/**
 * The calibration of a behavior rubric over its samples, as the sources define it: eligible to gate
 * once at least `minRuns` runs are in and the mean score of work whose artifacts passed is at least
 * `minSeparation` above that of work whose artifacts failed.
 */
export function calibrate(rubric: Pick<RubricDefinition, 'id' | 'version'>, samples: readonly CalibrationSample[]): Omit<RubricCalibrated, 'calibrationId'> {
  const passed = samples.filter((s) => s.artifactPassed).map((s) => s.overall);
  const failed = samples.filter((s) => !s.artifactPassed).map((s) => s.overall);
  const runs = new Set(samples.map((s) => s.runId)).size;
  const [meanPassed, meanFailed] = [mean(passed), mean(failed)];
  const separation = meanPassed === null || meanFailed === null ? null : Math.round((meanPassed - meanFailed) * 1e6) / 1e6;
  const gating = runs >= CALIBRATION.minRuns && separation !== null && separation >= CALIBRATION.minSeparation;
  const reason =
    runs < CALIBRATION.minRuns ? `${runs} run(s) of the ${CALIBRATION.minRuns} a calibration needs`
      : separation === null ? `no ${meanPassed === null ? 'passing' : 'failing'} work to compare with yet`
        : gating ? `work that passed scores ${separation.toFixed(3)} above work that failed, at least ${CALIBRATION.minSeparation}`
          : `a separation of ${separation.toFixed(3)}, under the ${CALIBRATION.minSeparation} it needs`;
  return {
    rubricId: rubric.id, rubricVersion: rubric.version, runs, samples: samples.length,
    passed: { n: passed.length, mean: meanPassed }, failed: { n: failed.length, mean: meanFailed }, separation,
    minRuns: CALIBRATION.minRuns, minSeparation: CALIBRATION.minSeparation, gating, reason,
  };
}

/** A behavior rubric gates when its activation says so or its version's latest calibration does. */
export function rubricMode(state: CalibrationState, rubric: Pick<RubricDefinition, 'id' | 'version' | 'activation'>): 'gating' | 'advisory' {
  if (rubric.activation === 'gating') return 'gating';
  return state.latest.get(versionKey(rubric.id, rubric.version))?.gating ? 'gating' : 'advisory';
}

/**
 * The calibration to record now, if one is due: the first once the minimum of runs is in, then every
 * `everyRuns` more runs, and whenever the verdict would change. Its id derives from the rubric
 * version and the number of samples, so two replicas computing it at once record it once.
 */
export function calibrationDue(state: CalibrationState, rubric: Pick<RubricDefinition, 'id' | 'version' | 'activation'>, at: { correlationId: string; causationId: string }): NewEvent<'rubric.calibrated'> | null {
  if (rubric.activation !== 'advisory') return null;
  const key = versionKey(rubric.id, rubric.version);
  const next = calibrate(rubric, state.samples.get(key) ?? []);
  if (next.runs < CALIBRATION.minRuns) return null;
  const last = state.latest.get(key);
  const due = !last || next.runs >= last.runs + CALIBRATION.everyRuns || next.gating !== last.gating;
  if (!due) return null;
  const calibrationId = `cal-${rubric.id.replace(/[^A-Za-z0-9_-]/g, '-')}-v${rubric.version}-${next.samples}`;
  return {
    type: 'rubric.calibrated',
    id: deterministicId('rubric.calibrated', rubric.id, rubric.version, next.samples),
    aggregateId: `cal-${rubric.id.replace(/[^A-Za-z0-9_-]/g, '-')}`,
    producer: 'grader',
    correlationId: at.correlationId,
    causationId: at.causationId,
    data: { calibrationId, ...next },
  };
}
