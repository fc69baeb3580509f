import { createEvent, deterministicId, EventDataInput, GoalSubmitted, LoopEvent, ROLES, stepKindOfTool, TraceStep, WorkProduced } from '@loopwright/events';
import { extractClaims } from '@loopwright/checks';
import type { AgentMessage, ContentBlock, DraftStream, ModelCall, ModelProvider, SimAgentContext } from '@loopwright/models';
import { combineCalls } from '@loopwright/models';
import { createSandboxTools, encodeSnapshot, Workspace } from '@loopwright/sandbox';
import type { ArtifactStore, SpendGuard } from '@loopwright/eventlog';
import type { AgentAssignment } from '../domain/decide';
import { restoreStartingWorkspace } from '../backends/session-workspace';
import { endByBudget } from './budget-stop';
import { systemPromptFor, taskPromptFor } from './role-prompts';

export type Tier = 'frontier' | 'resident';

export interface AgentDeps {
  append(event: LoopEvent): Promise<unknown>;
  artifacts: ArtifactStore;
  /** The model that writes at a tier: the simulation for simulated goals, the configured models otherwise. */
  provider(goal: GoalSubmitted, tier: Tier): ModelProvider;
  commandTimeoutMs: number;
  /** The shared budget: each model call is held before it is made and charged after. */
  spend: SpendGuard;
  /** The most one model call of a session may cost: held before each call. */
  turnEstimateUsd: number;
}

export interface SessionResult {
  workId: string;
  /** `cost_limit`: the budget could not cover another model call, and the session stopped before making it. */
  endedBy: 'finished' | 'turn_limit' | 'error' | 'cost_limit';
  turns: number;
  call: ModelCall;
}

/** One draft as its session left it: the workspace snapshot and what the agent said and did. */
export interface Draft {
  digest: string;
  /** Files the agent wrote with the write tool. */
  written: string[];
  finalMessage: string;
  endedBy: SessionResult['endedBy'];
  turns: number;
  calls: ModelCall[];
  /** The trace steps this session recorded. */
  steps: TraceStep[];
  /** The next free step number of the iteration. */
  nextStep: number;
}

export interface DraftOptions {
  tier: Tier;
  stream: DraftStream;
  /** Where this session's steps start in the iteration's trace (earlier drafts come first). */
  stepOffset: number;
  /** Notes from the lint or the editor, given as feedback. */
  notes: readonly { id: string; delta: string; fixType: 'local' }[];
}

export const ZERO_CALL: Omit<ModelCall, 'simulated'> = {
  usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
  costUsd: 0,
  model: 'none',
  latencyMs: 0,
};

/** The calls added up, or a zero call (labeled simulated as the goal is) when there were none. */
export function totalOf(calls: readonly ModelCall[], goal: GoalSubmitted): ModelCall {
  return calls.length > 0 ? combineCalls(calls) : { ...ZERO_CALL, simulated: goal.backend === 'sim' };
}

function simContext(goal: GoalSubmitted, assignment: AgentAssignment, stream: DraftStream): SimAgentContext | undefined {
  if (goal.backend !== 'sim') return undefined;
  return {
    seed: goal.labels['simSeed'] ?? '0',
    taskId: assignment.taskId,
    iteration: assignment.iteration,
    goal: {
      id: goal.labels['simGoal'] ?? goal.goalId, testCommand: goal.testCommand, allowedPaths: goal.allowedPaths, maxTurns: goal.maxTurns,
      description: goal.description, deployCommand: goal.labels['deployCommand'], verifyCommand: goal.labels['verifyCommand'],
    },
    ...(goal.roles.length > 1 ? { role: assignment.role, handsOnTo: handsOnTo(goal, assignment.role) } : {}),
    feedback: assignment.feedback.map((f) => f.id),
    stream,
  };
}

/** The roles after this one in the goal's pipeline. */
function handsOnTo(goal: GoalSubmitted, role: AgentAssignment['role']): string[] {
  return ROLES.filter((r) => goal.roles.includes(r) && ROLES.indexOf(r) > ROLES.indexOf(role));
}

/**
 * A trace step of an iteration, with the id that deduplicates it when the same attempt appends it
 * again; a new attempt's steps have ids of their own.
 */
export function traceStepEvent(assignment: Pick<AgentAssignment, 'runId' | 'taskId' | 'iteration' | 'causationId'>, data: TraceStep): LoopEvent {
  const attempt = data.attempt ?? 1;
  return createEvent({
    type: 'trace.step',
    id: attempt === 1 ? deterministicId('trace.step', assignment.taskId, assignment.iteration, data.step) : deterministicId('trace.step', assignment.taskId, assignment.iteration, attempt, data.step),
    aggregateId: assignment.runId,
    producer: 'executor',
    correlationId: assignment.runId,
    causationId: assignment.causationId,
    data,
  });
}

/**
 * One agent session in its own workspace: a tool-use loop up to the turn limit. Every model turn
 * and every tool call is appended as a trace.step as it happens; the final workspace goes to the
 * artifact store. What becomes of the draft is the caller's to decide.
 */
export async function draftSession(goal: GoalSubmitted, assignment: AgentAssignment, deps: AgentDeps, options: DraftOptions): Promise<Draft> {
  const workspace = await Workspace.create(`${assignment.taskId}-${assignment.iteration}-${options.stream}`);
  const steps: TraceStep[] = [];
  let step = options.stepOffset;
  const trace = async (data: Omit<TraceStep, 'taskId' | 'iteration' | 'step' | 'durationMs' | 'input' | 'output'> & Partial<TraceStep>) => {
    const attempt = (assignment.attempt ?? 1) > 1 ? { attempt: assignment.attempt } : {};
    const full: TraceStep = { taskId: assignment.taskId, iteration: assignment.iteration, step: step++, ...attempt, input: '', output: '', durationMs: 0, ...data };
    steps.push(full);
    await deps.append(traceStepEvent(assignment, full));
  };

  try {
    await restoreStartingWorkspace(workspace, goal, assignment, deps.artifacts);
    const tools = createSandboxTools(workspace, { allowedPaths: goal.allowedPaths, commandTimeoutMs: deps.commandTimeoutMs });
    const provider = deps.provider(goal, options.tier);
    const feedback = [...assignment.feedback, ...options.notes];
    const messages: AgentMessage[] = [{ role: 'user', content: [{ type: 'text', text: taskPromptFor(goal, feedback, assignment) }] }];
    const calls: ModelCall[] = [];
    const written = new Set<string>();
    let finalMessage = '';
    let endedBy: SessionResult['endedBy'] = 'turn_limit';
    let turns = 0;

    while (turns < goal.maxTurns) {
      if (!(await deps.spend.hold(assignment.runId, assignment.decisionId, deps.turnEstimateUsd, new Date().toISOString().slice(0, 10)))) {
        await trace({ kind: 'thought', output: `the budget cannot cover another model call ($${deps.turnEstimateUsd.toFixed(4)}): the session stops`, decisionId: assignment.decisionId });
        endedBy = 'cost_limit';
        break;
      }
      turns++;
      let result;
      try {
        result = await provider.turn({
          purpose: assignment.key,
          system: systemPromptFor(assignment.role),
          messages,
          tools: tools.specs.map((s) => ({ name: s.name, description: s.description, inputSchema: s.inputSchema })),
          sim: simContext(goal, assignment, options.stream),
        });
      } catch (error) {
        await trace({ kind: 'thought', output: `model call failed: ${(error as Error).message}`, decisionId: assignment.decisionId });
        endedBy = 'error';
        break;
      }
      calls.push(result);
      await deps.spend.charge(assignment.runId, assignment.decisionId, result.costUsd);
      const text = result.content.filter((b): b is Extract<ContentBlock, { type: 'text' }> => b.type === 'text').map((b) => b.text).join('\n');
      await trace({ kind: 'thought', output: text, durationMs: result.latencyMs, decisionId: assignment.decisionId });
      messages.push({ role: 'assistant', content: result.content });
      const uses = result.content.filter((b): b is Extract<ContentBlock, { type: 'tool_use' }> => b.type === 'tool_use');
      if (uses.length === 0 || result.stopReason === 'end_turn') {
        finalMessage = text;
        endedBy = 'finished';
        if (text) await trace({ kind: 'message', output: text });
        break;
      }
      const results: ContentBlock[] = [];
      for (const use of uses) {
        const outcome = await tools.execute(use.name, use.input);
        if (outcome.tool === 'write_file' && !outcome.refused) written.add(outcome.input);
        await trace({
          kind: stepKindOfTool(outcome.tool),
          tool: outcome.tool,
          input: outcome.input,
          ...(outcome.tool === 'read_file' || outcome.tool === 'write_file' ? { path: outcome.input } : {}),
          ...(outcome.tool === 'write_file' ? { editedBy: 'tool' as const } : {}),
          output: outcome.output.slice(0, 4_000),
          exitCode: outcome.exitCode,
          refused: outcome.refused,
          durationMs: outcome.durationMs,
        });
        const content = outcome.refused
          ? `refused: ${outcome.refused}`
          : outcome.exitCode === undefined
            ? outcome.output
            : `exit code ${outcome.exitCode}\n${outcome.output}`;
        results.push({ type: 'tool_result', tool_use_id: use.id, content, is_error: Boolean(outcome.refused) || (outcome.exitCode ?? 0) !== 0 });
      }
      messages.push({ role: 'user', content: results });
    }

    const { files, irregular } = await workspace.scan();
    const digest = await deps.artifacts.put(encodeSnapshot(files, irregular));
    return { digest, written: [...written].sort(), finalMessage, endedBy, turns, calls, steps, nextStep: step };
  } finally {
    await workspace.dispose();
  }
}

/** The work.produced that closes an iteration: the draft kept (patched or regenerated as its drafting says). */
export function workProducedEvent(
  goal: GoalSubmitted,
  assignment: Pick<AgentAssignment, 'runId' | 'taskId' | 'role' | 'iteration' | 'causationId' | 'startedFrom'>,
  work: Pick<Draft, 'digest' | 'written' | 'finalMessage' | 'endedBy' | 'turns'>,
  drafting?: WorkProduced['drafting'],
): LoopEvent {
  return createEvent({
    type: 'work.produced',
    id: deterministicId('work.produced', assignment.taskId, assignment.iteration),
    aggregateId: assignment.runId,
    producer: 'executor',
    correlationId: assignment.runId,
    causationId: assignment.causationId,
    data: {
      workId: `${assignment.taskId}-w${assignment.iteration}`,
      taskId: assignment.taskId,
      role: assignment.role,
      iteration: assignment.iteration,
      artifactDigest: work.digest,
      files: [...work.written].sort(),
      claims: extractClaims(work.finalMessage),
      finalMessage: work.finalMessage,
      testCommand: goal.testCommand,
      allowedPaths: goal.allowedPaths,
      endedBy: work.endedBy,
      turnsUsed: work.turns,
      maxTurns: goal.maxTurns,
      ...(assignment.startedFrom ? { startedFrom: { workId: assignment.startedFrom.workId } } : {}),
      ...(drafting ? { drafting } : {}),
    },
  });
}

/** decision.completed for an executor decision, its id derived from the decision (and `shadow` for a spot-check). */
export function executorCompletion(
  assignment: Pick<AgentAssignment, 'runId' | 'causationId'>,
  data: EventDataInput<'decision.completed'>,
): LoopEvent {
  return createEvent({
    type: 'decision.completed',
    id: deterministicId('decision.completed', data.decisionId, ...(data.shadow ? ['shadow'] : [])),
    aggregateId: assignment.runId,
    producer: 'executor',
    correlationId: assignment.runId,
    causationId: assignment.causationId,
    data,
  });
}

export function tokensOf(call: ModelCall): { input: number; output: number } {
  return { input: call.usage.inputTokens + call.usage.cacheReadTokens + call.usage.cacheWriteTokens, output: call.usage.outputTokens };
}

/** A frontier agent session: the draft is the work, produced as it is. */
export async function runAgentSession(goal: GoalSubmitted, assignment: AgentAssignment, deps: AgentDeps): Promise<SessionResult> {
  const draft = await draftSession(goal, assignment, deps, { tier: 'frontier', stream: 'draft', stepOffset: 0, notes: [] });
  const call = totalOf(draft.calls, goal);
  await deps.append(
    executorCompletion(assignment, {
      decisionId: assignment.decisionId,
      key: assignment.key,
      tier: assignment.tier,
      verdict: draft.endedBy,
      confidence: 1,
      costUsd: call.costUsd,
      tokens: tokensOf(call),
      latencyMs: call.latencyMs,
      simulated: call.simulated,
    }),
  );
  if (draft.endedBy === 'cost_limit') await endByBudget(assignment, deps);
  else await deps.append(workProducedEvent(goal, assignment, draft));
  return { workId: `${assignment.taskId}-w${assignment.iteration}`, endedBy: draft.endedBy, turns: draft.turns, call };
}
