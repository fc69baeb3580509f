import { createEvent, deterministicId, GoalSubmitted, LoopEvent, stepKindOfTool, TraceStep } from '@loopwright/events';
import { extractClaims } from '@loopwright/checks';
import type { AgentMessage, ContentBlock, ModelCall, ModelProvider } from '@loopwright/models';
import { combineCalls } from '@loopwright/models';
import { createSandboxTools, decodeSnapshot, encodeSnapshot, Workspace } from '@loopwright/sandbox';
import type { ArtifactStore } from '@loopwright/eventlog';
import type { AgentAssignment } from '../domain/decide';
import { systemPromptFor, taskPromptFor } from './role-prompts';

export interface AgentDeps {
  append(event: LoopEvent): Promise<unknown>;
  artifacts: ArtifactStore;
  provider(goal: GoalSubmitted, assignment: AgentAssignment): ModelProvider;
  commandTimeoutMs: number;
}

export interface SessionResult {
  workId: string;
  endedBy: 'finished' | 'turn_limit' | 'error';
  turns: number;
  call: ModelCall;
}

/**
 * One agent session in its own workspace: a tool-use loop up to the turn limit. Every model turn
 * and every tool call is appended as a trace.step as it happens; the final workspace goes to the
 * artifact store; decision.completed and work.produced close the session.
 */
export async function runAgentSession(goal: GoalSubmitted, assignment: AgentAssignment, deps: AgentDeps): Promise<SessionResult> {
  const workspace = await Workspace.create(`${assignment.taskId}-${assignment.iteration}`);
  const { runId, taskId, iteration } = assignment;
  let step = 0;
  const trace = (data: Omit<TraceStep, 'taskId' | 'iteration' | 'step' | 'durationMs' | 'input' | 'output'> & Partial<TraceStep>) =>
    deps.append(
      createEvent({
        type: 'trace.step',
        id: deterministicId('trace.step', taskId, iteration, step),
        aggregateId: runId,
        producer: 'executor',
        correlationId: runId,
        causationId: assignment.causationId,
        data: { taskId, iteration, step: step++, input: '', output: '', durationMs: 0, ...data },
      }),
    );

  try {
    await workspace.restore(goal.seedFiles);
    if (assignment.previousArtifact) await workspace.restore(decodeSnapshot(await deps.artifacts.get(assignment.previousArtifact)));
    const tools = createSandboxTools(workspace, { allowedPaths: goal.allowedPaths, commandTimeoutMs: deps.commandTimeoutMs });
    const provider = deps.provider(goal, assignment);
    const messages: AgentMessage[] = [{ role: 'user', content: [{ type: 'text', text: taskPromptFor(goal, assignment.feedback) }] }];
    const calls: ModelCall[] = [];
    const written = new Set<string>();
    let finalMessage = '';
    let endedBy: SessionResult['endedBy'] = 'turn_limit';
    let turns = 0;

    while (turns < goal.maxTurns) {
      turns++;
      let result;
      try {
        result = await provider.turn({
          purpose: assignment.key,
          system: systemPromptFor(assignment.role),
          messages,
          tools: tools.specs.map((s) => ({ name: s.name, description: s.description, inputSchema: s.inputSchema })),
        });
      } catch (error) {
        await trace({ kind: 'thought', output: `model call failed: ${(error as Error).message}`, decisionId: assignment.decisionId });
        endedBy = 'error';
        break;
      }
      calls.push(result);
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
    const call = calls.length > 0 ? combineCalls(calls) : { usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, costUsd: 0, model: 'none', latencyMs: 0, simulated: provider.name === 'sim' };
    const workId = `${taskId}-w${iteration}`;
    const common = { aggregateId: runId, producer: 'executor' as const, correlationId: runId, causationId: assignment.causationId };
    await deps.append(
      createEvent({
        ...common,
        type: 'decision.completed',
        id: deterministicId('decision.completed', assignment.decisionId),
        data: {
          decisionId: assignment.decisionId,
          key: assignment.key,
          tier: assignment.tier,
          verdict: endedBy,
          confidence: 1,
          costUsd: call.costUsd,
          tokens: { input: call.usage.inputTokens + call.usage.cacheReadTokens + call.usage.cacheWriteTokens, output: call.usage.outputTokens },
          latencyMs: call.latencyMs,
          simulated: call.simulated,
        },
      }),
    );
    await deps.append(
      createEvent({
        ...common,
        type: 'work.produced',
        id: deterministicId('work.produced', taskId, iteration),
        data: {
          workId,
          taskId,
          role: assignment.role,
          iteration,
          artifactDigest: digest,
          files: [...written].sort(),
          claims: extractClaims(finalMessage),
          finalMessage,
          testCommand: goal.testCommand,
          allowedPaths: goal.allowedPaths,
          endedBy,
          turnsUsed: turns,
          maxTurns: goal.maxTurns,
        },
      }),
    );
    return { workId, endedBy, turns, call };
  } finally {
    await workspace.dispose();
  }
}
