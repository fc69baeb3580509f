import { Inject, Injectable, Logger } from '@nestjs/common';
import { IllegalStateError, KeyedQueue, Limiter } from '@loopwright/core';
import { createEvent, deterministicId, EventOf, GoalSubmitted } from '@loopwright/events';
import { readReviews } from '@loopwright/actions';
import { EventLog, RunFoldLog, withFullDescription } from '@loopwright/eventlog';
import { EVENT_LOG, LOOP_METRICS, LoopMetrics } from '@loopwright/service';
import type { ModelProvider } from '@loopwright/models';
import type { Tier } from './agent/agent-session';
import { ResidentEditor, runEditorialPass, runResidentDraft } from './agent/draft-lint-edit';
import { backendFor, ExecutorBackends } from './backends/executor-backend';
import { roleScopedGoal } from './backends/session-workspace';
import { AgentAssignment, decideExecutor, ExecutorPolicy } from './domain/decide';
import { decideOnQuarantine, runIdOfSubject } from './domain/quarantined';
import { ExecutorFold, executorFold, executorFoldCodec, nextAttemptOf } from './domain/run-fold';
import { EXECUTOR_OPTIONS } from './executor.tokens';

/** Events of different runs the executor handles at once when nothing says otherwise. */
export const DEFAULT_EXECUTOR_CONCURRENCY = 4;

export interface ExecutorOptions {
  policy: ExecutorPolicy;
  commandTimeoutMs: number;
  /** The most one model call of a session may cost: held against the budget before each call (LOOP_AGENT_TURN_ESTIMATE_USD). */
  turnEstimateUsd: number;
  /** What runs a role's agent, per the goal's `backend`: the tool loop, the simulation, Managed Agents, the Claude Agent SDK. */
  backends: ExecutorBackends;
  /** The tool loop's model at a tier (drafts and editorial passes): the sim for simulated goals, the configured frontier and resident models otherwise. */
  provider(goal: GoalSubmitted, tier: Tier): ModelProvider;
  /** A resident editor promoted for an editorial key, by model id. */
  residentEditor(modelId: string): Promise<ResidentEditor | undefined>;
  /** Events of different runs handled at once, agent sessions among them (LOOP_EXECUTOR_CONCURRENCY; default 4). */
  concurrency?: number;
}

/**
 * catch the run's fold up with the log → decide → carry out the intents. Runs are handled side by
 * side, one run's events one at a time.
 */
@Injectable()
export class ExecutorService {
  private readonly logger = new Logger('executor');
  private readonly runs = new KeyedQueue();
  private readonly handling: Limiter;
  private readonly folds: RunFoldLog<ExecutorFold>;

  constructor(
    @Inject(EVENT_LOG) private readonly log: EventLog,
    @Inject(LOOP_METRICS) private readonly metrics: LoopMetrics,
    @Inject(EXECUTOR_OPTIONS) private readonly options: ExecutorOptions,
  ) {
    this.handling = new Limiter(options.concurrency ?? DEFAULT_EXECUTOR_CONCURRENCY);
    this.folds = new RunFoldLog(log, {
      definition: executorFold,
      snapshots: { service: 'executor', codec: executorFoldCodec },
      onWarning: (message) => this.logger.warn(message),
    });
  }

  /**
   * A person resolved a review: find the run it belongs to and let the decider answer. A review is
   * answered once: the first resolution in the log stands (as the console and the CLI read it), and
   * one for a review never requested, or a later one, is refused, so its message is quarantined
   * with the reason instead of acting twice.
   */
  async onReviewResolved(resolved: EventOf<'review.resolved'>): Promise<void> {
    const { reviewId, resolution, by } = resolved.data;
    const view = (await readReviews(this.log, reviewId)).get(reviewId);
    if (!view) throw new IllegalStateError(`review.resolved ${resolved.id} (${resolution} by ${by}) answers review ${reviewId}, which no review.requested opened`);
    const first = view.resolved;
    if (first?.id !== resolved.id) {
      const standing = first ? `${first.data.resolution} by ${first.data.by}, event ${first.id}` : 'its resolution is not under its own subject';
      throw new IllegalStateError(`review ${reviewId} was resolved already (${standing}): this resolution (${resolution} by ${by}, event ${resolved.id}) is not acted on`);
    }
    const requested = view.requested;
    if (!requested.data.runId || !requested.data.taskId) return;
    await this.handle({ type: 'review.resolved', resolved, requested }, requested.data.runId);
  }

  /** An event of a run was quarantined (by any service): the run ends, failed, with a review for a person. */
  async onQuarantined(notice: EventOf<'system.event.quarantined'>): Promise<void> {
    const runId = runIdOfSubject(notice.data.originalSubject);
    if (!runId) return;
    await this.runs.run(runId, async () => {
      const { state } = await this.folds.caughtUp(runId);
      for (const event of decideOnQuarantine(state.run, notice)) await this.log.append(createEvent({ ...event, occurredAt: new Date() }));
    });
  }

  private async agentDeps() {
    return {
      append: (e: Parameters<EventLog['append']>[0]) => this.log.append(e),
      artifacts: await this.log.artifacts(),
      provider: this.options.provider,
      residentEditor: this.options.residentEditor,
      commandTimeoutMs: this.options.commandTimeoutMs,
      spend: await this.log.budgets(),
      turnEstimateUsd: this.options.turnEstimateUsd,
      editEstimateUsd: this.options.policy.editEstimateUsd,
    };
  }

  /**
   * A tool-loop session that finds steps of an earlier attempt at its iteration in the log runs as a
   * new attempt (the earlier process died mid-session), and marks the earlier ones abandoned.
   */
  private async attemptFor(fold: ExecutorFold, assignment: AgentAssignment): Promise<AgentAssignment> {
    const { attempt, abandon } = nextAttemptOf(fold, assignment.taskId, assignment.iteration);
    for (const abandoned of abandon) {
      await this.log.append(
        createEvent({
          type: 'trace.abandoned',
          id: deterministicId('trace.abandoned', assignment.taskId, assignment.iteration, abandoned),
          aggregateId: assignment.runId,
          producer: 'executor',
          correlationId: assignment.runId,
          causationId: assignment.causationId,
          data: {
            taskId: assignment.taskId, iteration: assignment.iteration, attempt: abandoned, nextAttempt: attempt, decisionId: assignment.decisionId,
            reason: 'the session was interrupted before it finished; it starts over',
          },
        }),
      );
    }
    return { ...assignment, attempt };
  }

  handle(event: Parameters<typeof decideExecutor>[1], runId: string): Promise<void> {
    return this.runs.run(runId, () => this.handling.run(() => this.handleInOrder(event, runId)));
  }

  private async handleInOrder(event: Parameters<typeof decideExecutor>[1], runId: string): Promise<void> {
    const fold = (await this.folds.caughtUp(runId)).state;
    const state = fold.run;
    if (!state.goal) return;
    for (const intent of decideExecutor(state, event, this.options.policy)) {
      switch (intent.kind) {
        case 'emit':
        {
          const appended = createEvent({ ...intent.event, occurredAt: new Date() });
          await this.log.append(appended);
          if (appended.type === 'task.completed' || appended.type === 'task.failed') {
            this.metrics.innerLoopIterations.observe(appended.data.iterations);
          }
          break;
        }
        case 'runAgent': {
          // The role's session sees the paths it may write and its own turn budget.
          const goal = roleScopedGoal(await withFullDescription(state.goal, () => this.log.artifacts()), intent.assignment);
          // managed and Agent SDK sessions reattach to the runtime's own session instead (agent.session.opened)
          const toolLoop = intent.assignment.tier === 'resident' || goal.backend === 'local' || goal.backend === 'sim';
          const assignment = toolLoop ? await this.attemptFor(fold, intent.assignment) : intent.assignment;
          if (assignment.tier === 'resident') await runResidentDraft(goal, assignment, await this.agentDeps());
          else
            await backendFor(this.options.backends, goal).runSession(goal, assignment, {
              append: (e) => this.log.append(e),
              artifacts: await this.log.artifacts(),
              readRun: (id) => this.log.readRun(id),
              commandTimeoutMs: this.options.commandTimeoutMs,
              spend: await this.log.budgets(),
              turnEstimateUsd: this.options.turnEstimateUsd,
            });
          break;
        }
        case 'runEdit':
          await runEditorialPass(roleScopedGoal(await withFullDescription(state.goal, () => this.log.artifacts()), intent.assignment), intent.assignment, await this.agentDeps());
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
