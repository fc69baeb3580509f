import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { BatchOutcome, IllegalStateError, KeyedBatcher, KeyedQueue, RunFold } from '@loopwright/core';
import { createEvent, EventOf, LoopEvent, ReviewResolved } from '@loopwright/events';
import { BatchedSpend, RunFoldLog, type EventLog } from '@loopwright/eventlog';
import { createGradingDecider, GradingActivity, GradingEvent, GradingIntent, GradingState } from '@loopwright/grading';
import type { Rubric } from '@loopwright/rubrics';
import { EVENT_LOG, LOOP_METRICS, LoopMetrics } from '@loopwright/service';
import { CalibrationTracker } from './calibration-tracker';
import { createGradingActivities, GradingActivityDeps } from './grading-activities';
import { GRADER_OPTIONS } from './grader.tokens';

export type { ResidentPredictor } from './grading-activities';

/** How often the grader reads the calibrations and grades other replicas recorded. */
const CALIBRATION_REFRESH_MS = 2_000;
/** Events appended together in a round, their acks awaited at once (the rest one at a time, see appendRound). */
const APPENDED_TOGETHER = new Set<string>(['decision.requested', 'decision.completed', 'review.requested']);
/** How long grading waits, once at start, for the calibrations already in the log. */
const CALIBRATION_STARTUP_WAIT_MS = 10_000;

/** A run as this process folded it: the decider's state, and the events (the activities read the trace). */
interface GraderFold {
  state: GradingState;
  events: LoopEvent[];
  ids: Set<string>;
}

export interface GraderOptions extends Omit<GradingActivityDeps, 'artifacts' | 'reviewResolutions' | 'spend'> {
  rubrics: Rubric[];
  judgeEstimateUsd: number;
}

/**
 * catch the run's fold up with the log → decide → carry out the intents, feeding the appended events
 * back to the decider, round by round. Runs are handled side by side, one run's events one at a time;
 * a run's routed decisions that arrive together are handled as one round (their judge calls side by
 * side, their answers appended at once).
 */
@Injectable()
export class GraderService implements OnModuleDestroy {
  private readonly logger = new Logger('grader');
  private readonly runs = new KeyedQueue();
  private readonly routed = new KeyedBatcher<LoopEvent>((runId, events) => this.handleRoutedTogether(runId, events));
  private readonly folds: RunFoldLog<GraderFold>;
  /** Per run, sequences of its events delivered to this process and not yet folded. */
  private readonly deliveredSeqs = new Map<string, Set<number>>();
  private readonly decider;
  private readonly activities;
  private readonly calibration: CalibrationTracker;
  private readonly calibrated: Promise<void>;
  private spend?: Promise<BatchedSpend>;

  constructor(
    @Inject(EVENT_LOG) private readonly log: EventLog,
    @Inject(LOOP_METRICS) private readonly metrics: LoopMetrics,
    @Inject(GRADER_OPTIONS) options: GraderOptions,
  ) {
    this.calibration = new CalibrationTracker(log, options.rubrics, (error) => this.logger.warn(`reading calibrations: ${error.message}`));
    const started = this.calibration.start(CALIBRATION_REFRESH_MS).catch((error: Error) => this.logger.warn(`reading calibrations: ${error.message}`));
    this.calibrated = Promise.race([started, new Promise<void>((r) => setTimeout(r, CALIBRATION_STARTUP_WAIT_MS).unref())]);
    this.decider = createGradingDecider(options.rubrics, { judgeEstimateUsd: options.judgeEstimateUsd, modeOf: (rubric) => this.calibration.modeOf(rubric) });
    this.activities = createGradingActivities({ ...options, artifacts: () => this.log.artifacts(), spend: () => (this.spend ??= this.log.budgets().then((ledger) => new BatchedSpend(ledger))), reviewResolutions: (reviewId) => this.reviewResolutions(reviewId) });
    const decider = this.decider;
    this.folds = new RunFoldLog<GraderFold>(log, {
      definition: {
        initial: () => ({ state: decider.initialState(), events: [], ids: new Set() }),
        // an event this process appended is folded when appended, and again seen when read back: once only
        evolve(fold, event) {
          if (fold.ids.has(event.id)) return fold;
          fold.ids.add(event.id);
          fold.events.push(event);
          return { ...fold, state: decider.evolve(fold.state, event) };
        },
      },
      onWarning: (message) => this.logger.warn(message),
    });
  }

  /** `seq`: where the log stored the event, when it was delivered from the log. */
  async handle(event: LoopEvent, seq?: number): Promise<void> {
    if (event.type === 'work.produced') this.prefetchSnapshot(event);
    this.delivered(event.aggregateId, seq);
    // Work is graded with the calibrations known when its grade is assembled (read at start, then in the background).
    await this.calibrated;
    await this.runs.run(event.aggregateId, () => this.handleInOrder([event]));
  }

  /**
   * Starts reading the delivered snapshot while the run's fold catches up: the re-run finds it in the
   * artifact cache (or joins the read). A read that fails here is read again, and reported, there.
   */
  private prefetchSnapshot(work: EventOf<'work.produced'>): void {
    this.log.artifacts().then((store) => store.get(work.data.artifactDigest)).catch(() => undefined);
  }

  /** A routed decision, handled with the run's other routed decisions that arrive meanwhile. */
  async handleRouted(event: LoopEvent, seq?: number): Promise<void> {
    this.delivered(event.aggregateId, seq);
    await this.calibrated;
    await this.routed.add(event.aggregateId, event);
  }

  /**
   * One round for the batch; when it fails, each of its events is handled again on its own, so only
   * the one that fails is retried (and counted towards its quarantine).
   */
  private async handleRoutedTogether(runId: string, events: LoopEvent[]): Promise<BatchOutcome> {
    try {
      await this.runs.run(runId, () => this.handleInOrder(events));
      return events.map(() => undefined);
    } catch (error) {
      if (events.length === 1) return [error instanceof Error ? error : new Error(String(error))];
      const outcomes: BatchOutcome = [];
      for (const event of events) {
        outcomes.push(await this.runs.run(runId, () => this.handleInOrder([event])).then(() => undefined, (e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
      }
      return outcomes;
    }
  }

  /** Notes a delivered event's sequence, so the run's next catch-up asks for it with the others at once. */
  private delivered(runId: string, seq: number | undefined): void {
    if (seq === undefined) return;
    const seqs = this.deliveredSeqs.get(runId) ?? new Set<number>();
    this.deliveredSeqs.set(runId, seqs.add(seq));
  }

  private async handleInOrder(events: LoopEvent[]): Promise<void> {
    const runId = events[0].aggregateId;
    const fold = await this.folds.caughtUp(runId, [...(this.deliveredSeqs.get(runId) ?? [])]);
    // what was delivered meanwhile is after the fold's last sequence, and kept for the next catch-up
    const later = [...(this.deliveredSeqs.get(runId) ?? [])].filter((seq) => seq > fold.lastSeq);
    if (later.length > 0) this.deliveredSeqs.set(runId, new Set(later));
    else this.deliveredSeqs.delete(runId);
    for (const event of events) this.folds.folds.applyOwn(fold, event);
    let round = events;
    while (round.length > 0) {
      const intents = round.flatMap((event) => this.decider.decide(fold.state.state, event));
      round = await this.carryOutRound(intents, fold);
    }
  }

  /**
   * A round's intents: its activities carried out side by side, then what they and its emits produced
   * appended in order (an event two intents produce, such as a grade, once). Returns the recorded events.
   */
  private async carryOutRound(intents: GradingIntent[], fold: RunFold<GraderFold>): Promise<LoopEvent[]> {
    const refused = intents.find((intent) => intent.kind === 'refuse');
    if (refused?.kind === 'refuse') {
      this.logger.warn(`refused: ${refused.reason}`);
      throw new IllegalStateError(refused.reason);
    }
    const { state, events } = fold.state;
    const produced = await Promise.all(intents.map(async (intent): Promise<GradingEvent[]> => {
      switch (intent.kind) {
        case 'emit':
          return [intent.event];
        case 'activity':
          return this.carryOut(intent.activity, state, events);
        case 'ignore':
        case 'refuse':
          return [];
        default: {
          const unreachable: never = intent;
          throw new Error(`unhandled intent ${JSON.stringify(unreachable)}`);
        }
      }
    }));
    const seen = new Set<string>();
    const inputs = produced.flat().filter((input) => !input.id || (!seen.has(input.id) && !!seen.add(input.id)));
    return this.appendRound(inputs, fold);
  }

  /**
   * Appends a round's events in order: runs of events that need nothing but their append go together
   * (acks awaited at once, one catch-up through them after); the others one at a time (see append).
   */
  private async appendRound(inputs: GradingEvent[], fold: RunFold<GraderFold>): Promise<LoopEvent[]> {
    const recorded: LoopEvent[] = [];
    for (let i = 0; i < inputs.length; ) {
      let j = i;
      while (j < inputs.length && APPENDED_TOGETHER.has(inputs[j].type)) j++;
      if (j > i) {
        const together = inputs.slice(i, j).map((input) => createEvent({ ...input, occurredAt: new Date() }) as LoopEvent);
        const appended = await this.log.appendMany(together);
        for (const event of together) this.folds.folds.applyOwn(fold, event);
        await this.folds.catchUpThrough(fold, appended.map((a) => a.seq));
        recorded.push(...together);
        i = j;
        continue;
      }
      const produced = inputs[i++];
      const stored = await this.append(produced, fold);
      // null: another replica recorded this first, and the log's version is the one that counts
      const event = stored ?? fold.state.events.find((e) => e.id === produced.id);
      if (event) recorded.push(event);
    }
    return recorded;
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

  /**
   * Appends and folds, then catches the fold up through the appended event: another replica may have
   * answered the run's other decisions before it, and what this one decides next (is every item
   * answered?) must see them. One that answers after sees this answer when it catches up in turn.
   * Returns the stored event, or null when the log already had a work.verified with its id.
   */
  private async append(input: GradingEvent, fold: RunFold<GraderFold>): Promise<LoopEvent | null> {
    const event = createEvent({ ...input, occurredAt: new Date() }) as LoopEvent;
    const { duplicate, seq } = await this.log.append(event);
    if (!(duplicate && event.type === 'work.verified')) this.folds.folds.applyOwn(fold, event);
    await this.folds.catchUpThrough(fold, [seq]);
    if (duplicate && event.type === 'work.verified') return null;
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
