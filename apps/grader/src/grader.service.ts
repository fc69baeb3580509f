import { Inject, Injectable, Logger } from '@nestjs/common';
import { IllegalStateError } from '@loopwright/core';
import { createEvent, LoopEvent } from '@loopwright/events';
import type { EventLog } from '@loopwright/eventlog';
import { createGradingDecider, GradingActivity, GradingEvent, GradingState } from '@loopwright/grading';
import type { Rubric } from '@loopwright/rubrics';
import { EVENT_LOG, LOOP_METRICS, LoopMetrics } from '@loopwright/service';
import { createGradingActivities, GradingActivityDeps } from './grading-activities';
import { GRADER_OPTIONS } from './grader.tokens';

export type { ResidentPredictor } from './grading-activities';

export interface GraderOptions extends Omit<GradingActivityDeps, 'artifacts'> {
  rubrics: Rubric[];
  judgeEstimateUsd: number;
}

/** read the run → fold → decide → carry out the intents, feeding each appended event back to the decider. */
@Injectable()
export class GraderService {
  private readonly logger = new Logger('grader');
  private readonly decider;
  private readonly activities;

  constructor(
    @Inject(EVENT_LOG) private readonly log: EventLog,
    @Inject(LOOP_METRICS) private readonly metrics: LoopMetrics,
    @Inject(GRADER_OPTIONS) options: GraderOptions,
  ) {
    this.decider = createGradingDecider(options.rubrics, { judgeEstimateUsd: options.judgeEstimateUsd });
    this.activities = createGradingActivities({ ...options, artifacts: () => this.log.artifacts() });
  }

  async handle(event: LoopEvent): Promise<void> {
    let runEvents = await this.log.readRun(event.aggregateId);
    let state = this.fold(runEvents);
    const queue: LoopEvent[] = [event];
    while (queue.length > 0) {
      const next = queue.shift()!;
      for (const intent of this.decider.decide(state, next)) {
        switch (intent.kind) {
          case 'emit': {
            const stored = await this.append(intent.event, (e) => (state = this.decider.evolve(state, e)));
            if (stored) queue.push(stored);
            break;
          }
          case 'activity':
            for (const produced of await this.carryOut(intent.activity, state, runEvents)) {
              const stored = await this.append(produced, (e) => (state = this.decider.evolve(state, e)));
              if (stored === null) {
                // Another replica recorded this first: the log's version is the one that counts.
                runEvents = await this.log.readRun(event.aggregateId);
                state = this.fold(runEvents);
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

  private fold(events: readonly LoopEvent[]): GradingState {
    let state = this.decider.initialState();
    for (const e of events) state = this.decider.evolve(state, e);
    return state;
  }

  private carryOut(activity: GradingActivity, state: GradingState, runEvents: readonly LoopEvent[]): Promise<GradingEvent[]> {
    switch (activity.kind) {
      case 'verify':
        return this.activities.verify(state, runEvents, activity.work);
      case 'judge':
        return this.activities.judge(state, activity, runEvents);
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
    return event;
  }
}
