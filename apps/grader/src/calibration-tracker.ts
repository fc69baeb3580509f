import type { EventOf, NewEvent } from '@loopwright/events';
import type { EventLog } from '@loopwright/eventlog';
import { calibrationDue, CalibrationState, evolveCalibration, initialCalibrationState, rubricMode } from '@loopwright/grading';
import type { Rubric } from '@loopwright/rubrics';

/**
 * The grader's view across runs of its behavior rubrics: every grade it (or another replica)
 * recorded and every calibration, read from the log incrementally. The decisions are pure
 * (libs/grading); this only keeps the state current. Reading runs beside grading, never in its
 * way: a grade takes the modes known when it is assembled, and records them.
 */
export class CalibrationTracker {
  private state: CalibrationState = initialCalibrationState();
  private readonly seen = { grades: 0, calibrations: 0 };
  private inFlight: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly log: EventLog,
    private readonly rubrics: readonly Rubric[],
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  /** Reads the log now, then again every `everyMs`, in the background. */
  start(everyMs: number): Promise<void> {
    this.timer = setInterval(() => void this.refresh().catch(this.onError), everyMs);
    this.timer.unref();
    return this.refresh();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Whether a rubric gates now: its activation, or its version's latest calibration. */
  modeOf(rubric: Rubric): 'gating' | 'advisory' {
    return rubricMode(this.state, rubric);
  }

  /** Reads what the log gained since the last refresh (one refresh at a time). */
  refresh(): Promise<void> {
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Folds a grade this process appended, and returns the calibrations it makes due. */
  recorded(grade: EventOf<'grade.recorded'>): NewEvent<'rubric.calibrated'>[] {
    evolveCalibration(this.state, grade);
    const touched = new Set(grade.data.rubrics.filter((r) => r.surface === 'trace').map((r) => r.rubricId));
    return this.rubrics
      .filter((r) => touched.has(r.id))
      .map((r) => calibrationDue(this.state, r, { correlationId: grade.correlationId, causationId: grade.id }))
      .filter((e): e is NewEvent<'rubric.calibrated'> => e !== null);
  }

  /** Folds a calibration this process appended. */
  calibrated(event: EventOf<'rubric.calibrated'>): void {
    evolveCalibration(this.state, event);
  }

  private async read(): Promise<void> {
    const root = this.log.config.subjectRoot;
    for await (const stored of this.log.replay({ filter: `${root}.run.*.grader.grade.recorded`, fromSeq: this.seen.grades + 1 })) {
      this.seen.grades = stored.seq;
      if (stored.event?.type === 'grade.recorded') evolveCalibration(this.state, stored.event);
    }
    for await (const stored of this.log.replay({ filter: `${root}.rule.*.grader.rubric.calibrated`, fromSeq: this.seen.calibrations + 1 })) {
      this.seen.calibrations = stored.seq;
      if (stored.event?.type === 'rubric.calibrated') evolveCalibration(this.state, stored.event);
    }
  }
}
