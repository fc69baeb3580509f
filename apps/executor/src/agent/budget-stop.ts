import { createEvent, deterministicId, LoopEvent } from '@loopwright/events';
import { reservedMicros, toUsd, type SpendGuard } from '@loopwright/eventlog';
import type { AgentAssignment } from '../domain/decide';

/**
 * A session stopped because the budget could not cover its next model call: the run ends by budget,
 * loudly (budget.exhausted for the goal, and the task fails saying so), and its partial work is not
 * handed on to be graded.
 */
export async function endByBudget(
  assignment: Pick<AgentAssignment, 'runId' | 'taskId' | 'role' | 'iteration' | 'decisionId' | 'causationId'>,
  deps: { append(event: LoopEvent): Promise<unknown>; spend: SpendGuard },
): Promise<void> {
  const account = await deps.spend.goal(assignment.runId);
  const limitUsd = toUsd(account?.limitMicros ?? 0);
  const spentUsd = toUsd(account?.spentMicros ?? 0);
  const common = { producer: 'executor' as const, correlationId: assignment.runId, causationId: assignment.causationId };
  await deps.append(
    createEvent({
      ...common,
      type: 'budget.exhausted',
      id: deterministicId('budget.exhausted', assignment.decisionId, 'session'),
      aggregateId: `goal-${assignment.runId}`,
      data: {
        scope: 'goal', scopeId: assignment.runId, limitUsd, spentUsd, reservedUsd: toUsd(account ? reservedMicros(account) : 0), decisionId: assignment.decisionId,
      },
    }),
  );
  const reason = `the goal budget cannot cover another model call of the session (limit $${limitUsd.toFixed(2)}, spent $${spentUsd.toFixed(4)})`;
  const failed = createEvent({
    ...common,
    type: 'task.failed',
    id: deterministicId('task.failed', assignment.taskId, assignment.iteration),
    aggregateId: assignment.runId,
    data: { taskId: assignment.taskId, role: assignment.role, iterations: assignment.iteration, reason },
  });
  await deps.append(failed);
  await deps.append(
    createEvent({
      ...common,
      type: 'run.ended',
      id: deterministicId('run.ended', assignment.runId, 'stuck', failed.id),
      aggregateId: assignment.runId,
      causationId: failed.id,
      data: { runId: assignment.runId, status: 'stuck', reason, tasks: [{ role: assignment.role, status: 'failed' }] },
    }),
  );
}
