import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { foldEvents, IllegalStateError } from '@loopwright/core';
import { createEvent, EventOf, LoopEvent, ReviewResolved } from '@loopwright/events';
import type { EventLog } from '@loopwright/eventlog';
import { createGradingDecider, GradingActivity, GradingEvent, GradingState } from '@loopwright/grading';
import type { Rubric } from '@loopwright/rubrics';
import { EVENT_LOG, LOOP_METRICS, LoopMetrics } from '@loopwright/service';
import { CalibrationTracker } from './calibration-tracker';
import { createGradingActivities, GradingActivityDeps } from './grading-activities';
import { GRADER_OPTIONS } from './grader.tokens';

export type { ResidentPredictor } from './grading-activities';

const MAX_CACHED_RUNS = 256;
/** How often the grader reads the calibrations and grades other replicas recorded. */
const CALIBRATION_REFRESH_MS = 2_000;
/** How long grading waits, once at start, for the calibrations already in the log. */
const CALIBRATION_STARTUP_WAIT_MS = 10_000;

/** A run as this process last read it, with what it folded and appended since. */
interface RememberedRun {
  events: LoopEvent[];
  state: GradingState;
  ids: Set<string>;
}

export interface GraderOptions extends Omit<GradingActivityDeps, 'artifacts' | 'reviewResolutions' | 'spend'> {
  rubrics: Rubric[];
  judgeEstimateUsd: number;
}

/** read the run → fold → decide → carry out the intents, feeding each appended event back to the decider. */
@Injectable()
export class GraderService implements OnModuleDestroy {
  private readonly logger = new Logger('grader');
  private readonly runs = new Map<string, RememberedRun>();
  private readonly decider;
  private readonly activities;
  private readonly calibration: CalibrationTracker;
  private readonly calibrated: Promise<void>;

  constructor(
    @Inject(EVENT_LOG) private readonly log: EventLog,
    @Inject(LOOP_METRICS) private readonly metrics: LoopMetrics,
    @Inject(GRADER_OPTIONS) options: GraderOptions,
  ) {
    this.calibration = new CalibrationTracker(log, options.rubrics, (error) => this.logger.warn(`reading calibrations: ${error.message}`));
    const started = this.calibration.start(CALIBRATION_REFRESH_MS).catch((error: Error) => this.logger.warn(`reading calibrations: ${error.message}`));
    this.calibrated = Promise.race([started, new Promise<void>((r) => setTimeout(r, CALIBRATION_STARTUP_WAIT_MS).unref())]);
    this.decider = createGradingDecider(options.rubrics, { judgeEstimateUsd: options.judgeEstimateUsd, modeOf: (rubric) => this.calibration.modeOf(rubric) });
    this.activities = createGradingActivities({ ...options, artifacts: () => this.log.artifacts(), spend: () => this.log.budgets(), reviewResolutions: (reviewId) => this.reviewResolutions(reviewId) });
  }

  async handle(event: LoopEvent): Promise<void> {
    // Work is graded with the calibrations known when its grade is assembled (read at start, then in the background).
    await this.calibrated;
    let run = await this.runOf(event);
    let runEvents = run.events;
    let state = run.state;
    const queue: LoopEvent[] = [event];
    /** Folds an event this process appended into the state and into the run it remembers. */
    const fold = (e: LoopEvent) => {
      state = this.decider.evolve(state, e);
      run.state = state;
      if (!run.ids.has(e.id)) {
        run.ids.add(e.id);
        run.events.push(e);
      }
    };
    while (queue.length > 0) {
      const next = queue.shift()!;
      for (const intent of this.decider.decide(state, next)) {
        switch (intent.kind) {
          case 'emit': {
            const stored = await this.append(intent.event, fold);
            if (stored) queue.push(stored);
            break;
          }
          case 'activity':
            for (const produced of await this.carryOut(intent.activity, state, runEvents)) {
              const stored = await this.append(produced, fold);
              if (stored === null) {
                // Another replica recorded this first: the log's version is the one that counts.
                run = this.remember(event.aggregateId, [...(await this.log.readRun(event.aggregateId))]);
                runEvents = run.events;
                state = run.state;
                const recorded = runEvents.find((e) => e.id === produced.id);
                if (recorded) queue.push(recorded);
              } else {
                queue.push(stored);
              }
            }
            break;
          case 'ignore':
            break;
          case 'refuse':
            this.logger.warn(`refused: ${intent.reason}`);
            throw new IllegalStateError(intent.reason);
          default: {
            const unreachable: never = intent;
            throw new Error(`unhandled intent ${JSON.stringify(unreachable)}`);
          }
        }
      }
    }
  }

  /**
   * The run as this replica knows it. A new piece of work is always read from the log in full (the
   * goal and the trace come from other producers); the routed decisions that follow are folded into
   * what this process already holds, so a run is read once per work, not once per decision. What
   * another replica did meanwhile only costs a duplicate append, which the log drops by id.
   */
  private async runOf(event: LoopEvent): Promise<RememberedRun> {
    const cached = event.type === 'work.produced' || event.type === 'task.completed' || event.type === 'task.failed' ? undefined : this.runs.get(event.aggregateId);
    if (cached) {
      this.runs.delete(event.aggregateId);
      this.runs.set(event.aggregateId, cached);
      if (!cached.ids.has(event.id)) {
        cached.ids.add(event.id);
        cached.events.push(event);
        cached.state = this.decider.evolve(cached.state, event);
      }
      return cached;
    }
    return this.remember(event.aggregateId, [...(await this.log.readRun(event.aggregateId))]);
  }

  private remember(runId: string, events: LoopEvent[]): RememberedRun {
    const entry: RememberedRun = { events, state: foldEvents(this.decider, events), ids: new Set(events.map((e) => e.id)) };
    this.runs.delete(runId);
    this.runs.set(runId, entry);
    if (this.runs.size > MAX_CACHED_RUNS) this.runs.delete(this.runs.keys().next().value!);
    return entry;
  }

  private carryOut(activity: GradingActivity, state: GradingState, runEvents: readonly LoopEvent[]): Promise<GradingEvent[]> {
    switch (activity.kind) {
      case 'verify':
        return this.activities.verify(state, runEvents, activity.work);
      case 'judge':
        return this.activities.judge(state, activity, runEvents);
      case 'grade-run':
        return this.activities.gradeRun(state);
      default: {
        const unreachable: never = activity;
        throw new Error(`unhandled activity ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** Appends and folds; returns the stored event, or null when the log already had one with its id. */
  private async append(input: GradingEvent, evolve: (e: LoopEvent) => void): Promise<LoopEvent | null> {
    const event = createEvent({ ...input, occurredAt: new Date() }) as LoopEvent;
    const { duplicate } = await this.log.append(event);
    if (duplicate && event.type === 'work.verified') return null;
    evolve(event);
    if (!duplicate && event.type === 'grade.recorded') {
      for (const rubric of event.data.rubrics) this.metrics.grades.inc({ role: event.data.role, rubric: rubric.rubricId, passed: String(rubric.passed) });
    }
    if (event.type === 'grade.recorded') {
      for (const input of this.calibration.recorded(event)) {
        const calibrated = createEvent({ ...input, occurredAt: new Date() }) as EventOf<'rubric.calibrated'>;
        await this.log.append(calibrated);
        this.calibration.calibrated(calibrated);
        this.logger.log(`${calibrated.data.rubricId} v${calibrated.data.rubricVersion}: ${calibrated.data.gating ? 'gating' : 'advisory'} (${calibrated.data.reason})`);
      }
    }
    return event;
  }

  onModuleDestroy(): void {
    this.calibration.stop();
  }

  /** How people resolved a review: its review.resolved events, read from the review's own subject. */
  private async reviewResolutions(reviewId: string): Promise<ReviewResolved[]> {
    const resolved: ReviewResolved[] = [];
    for await (const stored of this.log.replay({ filter: `${this.log.config.subjectRoot}.review.${reviewId}.submitter.review.resolved` })) {
      if (stored.event?.type === 'review.resolved') resolved.push(stored.event.data);
    }
    return resolved;
  }
}
