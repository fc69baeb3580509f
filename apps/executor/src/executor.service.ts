import { Inject, Injectable } from '@nestjs/common';
import { createEvent, EventOf, GoalSubmitted } from '@loopwright/events';
import type { EventLog } from '@loopwright/eventlog';
import { EVENT_LOG, LOOP_METRICS, LoopMetrics } from '@loopwright/service';
import type { ModelProvider } from '@loopwright/models';
import { runAgentSession } from './agent/agent-session';
import { AgentAssignment, decideExecutor, ExecutorPolicy } from './domain/decide';
import { foldRun } from './domain/run-state';
import { EXECUTOR_OPTIONS } from './executor.tokens';

export interface ExecutorOptions {
  policy: ExecutorPolicy;
  commandTimeoutMs: number;
  /** The model behind an agent session: the sim for simulated goals, the executor's own Anthropic key otherwise. */
  provider(goal: GoalSubmitted, assignment: AgentAssignment): ModelProvider;
}

/** read the run → fold → decide → carry out the intents. */
@Injectable()
export class ExecutorService {
  constructor(
    @Inject(EVENT_LOG) private readonly log: EventLog,
    @Inject(LOOP_METRICS) private readonly metrics: LoopMetrics,
    @Inject(EXECUTOR_OPTIONS) private readonly options: ExecutorOptions,
  ) {}

  async handle(event: EventOf<'goal.submitted'> | EventOf<'decision.routed'> | EventOf<'grade.recorded'>): Promise<void> {
    const runId = event.aggregateId;
    const state = foldRun(runId, await this.log.readRun(runId));
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
        case 'runAgent':
          await runAgentSession(state.goal, intent.assignment, {
            append: (e) => this.log.append(e),
            artifacts: await this.log.artifacts(),
            provider: this.options.provider,
            commandTimeoutMs: this.options.commandTimeoutMs,
          });
          break;
        case 'ignore':
          break;
        default: {
          const unreachable: never = intent;
          throw new Error(`unhandled intent ${JSON.stringify(unreachable)}`);
        }
      }
    }
  }
}
