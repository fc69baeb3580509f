import { extractClaims } from '@loopwright/checks';
import { createEvent, deterministicId, GoalSubmitted, WorkProduced } from '@loopwright/events';
import type { ModelCall } from '@loopwright/models';
import { encodeSnapshot, IrregularEntry, WorkspaceFile } from '@loopwright/sandbox';
import type { AgentAssignment } from '../domain/decide';
import type { BackendDeps, BackendResult } from './executor-backend';

/** How a session ended, as its backend read it. */
export interface SessionOutcome {
  endedBy: WorkProduced['endedBy'];
  turns: number;
  finalMessage: string;
  /** The files the agent wrote through a file tool. */
  written: readonly string[];
  call: ModelCall;
}

/** The delivered workspace, as regular files and what else was there. */
export interface DeliveredWorkspace {
  files: readonly WorkspaceFile[];
  irregular: readonly IrregularEntry[];
}

/** The delivered workspace to the artifact store, then decision.completed and work.produced close the iteration. */
export async function closeSession(
  goal: GoalSubmitted,
  assignment: AgentAssignment,
  deps: BackendDeps,
  { files, irregular }: DeliveredWorkspace,
  outcome: SessionOutcome,
): Promise<BackendResult> {
  const { runId, taskId, iteration } = assignment;
  const digest = await deps.artifacts.put(encodeSnapshot(files, irregular));
  const { call } = outcome;
  const workId = `${taskId}-w${iteration}`;
  const common = { aggregateId: runId, producer: 'executor' as const, correlationId: runId, causationId: assignment.causationId };
  await deps.append(
    createEvent({
      ...common,
      type: 'decision.completed',
      id: deterministicId('decision.completed', assignment.decisionId),
      data: {
        decisionId: assignment.decisionId, key: assignment.key, tier: assignment.tier, verdict: outcome.endedBy, confidence: 1,
        costUsd: call.costUsd,
        tokens: { input: call.usage.inputTokens + call.usage.cacheReadTokens + call.usage.cacheWriteTokens, output: call.usage.outputTokens },
        latencyMs: call.latencyMs, simulated: false,
      },
    }),
  );
  await deps.append(
    createEvent({
      ...common,
      type: 'work.produced',
      id: deterministicId('work.produced', taskId, iteration),
      data: {
        workId, taskId, role: assignment.role, iteration, artifactDigest: digest, files: [...new Set(outcome.written)].sort(),
        claims: extractClaims(outcome.finalMessage), finalMessage: outcome.finalMessage, testCommand: goal.testCommand,
        allowedPaths: goal.allowedPaths, endedBy: outcome.endedBy, turnsUsed: Math.min(outcome.turns, goal.maxTurns), maxTurns: goal.maxTurns,
        scratchPaths: goal.scratchPaths,
        ...(assignment.startedFrom ? { startedFrom: { workId: assignment.startedFrom.workId } } : {}),
      },
    }),
  );
  return { workId, endedBy: outcome.endedBy, turns: outcome.turns, call };
}
