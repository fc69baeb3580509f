import { createEvent, EventOf, RubricGrade } from '@loopwright/events';
import { calibrate, calibrationDue, CALIBRATION, evolveCalibration, initialCalibrationState, rubricMode } from './calibration';

const trajectory = { id: 'engineer.trajectory', version: 1, activation: 'advisory' as const };
const rubricGrade = (rubricId: string, surface: 'output' | 'trace', overall: number, passed: boolean): RubricGrade => ({
  rubricId, rubricVersion: 1, surface, gates: [], dimensions: [], notScored: [], toReachNext: [], weightedAvg: null, overall, capsApplied: [], passed,
});
const graded = (run: number, behavior: number, artifactPassed: boolean) =>
  createEvent({
    type: 'grade.recorded', aggregateId: `run-${run}`, producer: 'grader',
    data: {
      gradeId: `g-${run}`, workId: `w-${run}`, taskId: `run-${run}-engineer`, role: 'engineer', iteration: 1, passed: artifactPassed, overall: 1,
      rubrics: [rubricGrade('implementation', 'output', artifactPassed ? 0.9 : 0.2, artifactPassed), rubricGrade('engineer.trajectory', 'trace', behavior, behavior >= 0.7)],
      rerun: { command: 't', exitCode: 0, output: '' }, costUsd: 0,
    },
  }) as EventOf<'grade.recorded'>;

describe('calibrating a behavior rubric', () => {
  it('stays advisory under ten runs, however well the scores separate', () => {
    const state = initialCalibrationState();
    for (let run = 0; run < CALIBRATION.minRuns - 1; run++) evolveCalibration(state, graded(run, run % 2 ? 0.9 : 0.1, run % 2 === 1));
    expect(calibrate(trajectory, state.samples.get('engineer.trajectory@1')!)).toMatchObject({ runs: 9, gating: false, reason: '9 run(s) of the 10 a calibration needs' });
    expect(calibrationDue(state, trajectory, { correlationId: 'c', causationId: 'x' })).toBeNull();
  });

  it('gates from ten runs whose passing work scores at least 0.15 above the failing, and says so in the log', () => {
    const state = initialCalibrationState();
    for (let run = 0; run < 10; run++) evolveCalibration(state, graded(run, run % 2 ? 0.85 : 0.6, run % 2 === 1));
    const due = calibrationDue(state, trajectory, { correlationId: 'c', causationId: 'x' })!;
    expect(due).toMatchObject({ type: 'rubric.calibrated', producer: 'grader', data: { rubricId: 'engineer.trajectory', runs: 10, separation: 0.25, gating: true, passed: { n: 5, mean: 0.85 }, failed: { n: 5, mean: 0.6 } } });
    evolveCalibration(state, createEvent(due) as EventOf<'rubric.calibrated'>);
    expect(rubricMode(state, trajectory)).toBe('gating');
    // The same state does not call for another calibration: one per ten runs, or when the verdict would change.
    expect(calibrationDue(state, trajectory, { correlationId: 'c', causationId: 'y' })).toBeNull();
    expect(rubricMode(state, { ...trajectory, version: 2 })).toBe('advisory');
  });

  it('stays advisory when the scores do not separate, and records a new calibration when the verdict flips', () => {
    const state = initialCalibrationState();
    for (let run = 0; run < 10; run++) evolveCalibration(state, graded(run, 0.7 + (run % 2) * 0.1, run % 2 === 1));
    const first = calibrationDue(state, trajectory, { correlationId: 'c', causationId: 'x' })!;
    expect(first.data).toMatchObject({ gating: false, separation: 0.1, reason: 'a separation of 0.100, under the 0.15 it needs' });
    evolveCalibration(state, createEvent(first) as EventOf<'rubric.calibrated'>);
    for (let run = 10; run < 14; run++) evolveCalibration(state, graded(run, run % 2 ? 1 : 0.2, run % 2 === 1));
    expect(calibrationDue(state, trajectory, { correlationId: 'c', causationId: 'y' })!.data).toMatchObject({ runs: 14, gating: true });
  });

  it('counts each work once, and only rubrics that start advisory', () => {
    const state = initialCalibrationState();
    evolveCalibration(state, graded(1, 0.5, false));
    evolveCalibration(state, graded(1, 0.5, false));
    expect(state.samples.get('engineer.trajectory@1')).toHaveLength(1);
    expect(rubricMode(state, { id: 'implementation', version: 1, activation: 'gating' })).toBe('gating');
    expect(calibrationDue(state, { id: 'implementation', version: 1, activation: 'gating' }, { correlationId: 'c', causationId: 'x' })).toBeNull();
  });
});
