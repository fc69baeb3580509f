import { z } from 'zod';
import { createSandboxTools, ToolOutcome, Workspace } from '@loopwright/sandbox';

/** The MCP server name the agent's tools are published under: the model sees `mcp__workspace__<tool>`. */
export const TOOL_SERVER = 'workspace';
export const TOOL_PREFIX = `mcp__${TOOL_SERVER}__`;

/** What the agent SDK module provides that the tools need (loaded lazily: it is an ES module). */
export interface SdkToolFactory {
  tool: typeof import('@anthropic-ai/claude-agent-sdk').tool;
  createSdkMcpServer: typeof import('@anthropic-ai/claude-agent-sdk').createSdkMcpServer;
}

const SHAPES = {
  list_files: { path: z.string().optional() },
  read_file: { path: z.string() },
  write_file: { path: z.string(), content: z.string() },
  run_command: { command: z.string() },
} as const;

/**
 * The task's sandbox tools as an in-process MCP server: the only tools the agent has. Every file
 * action stays inside the workspace and the allowed paths, every command runs in bubblewrap. Each
 * call's outcome is kept by its tool use id, so the trace records what really happened.
 */
export function sandboxToolServer(sdk: SdkToolFactory, workspace: Workspace, options: { allowedPaths: readonly string[]; commandTimeoutMs: number }) {
  const tools = createSandboxTools(workspace, options);
  const outcomes = new Map<string, ToolOutcome>();
  const definitions = tools.specs.map((spec) =>
    sdk.tool(spec.name, spec.description, SHAPES[spec.name], async (args, extra) => {
      const outcome = await tools.execute(spec.name, args as Record<string, unknown>);
      const useId = (extra as { _meta?: Record<string, unknown> } | undefined)?._meta?.['claudecode/toolUseId'];
      if (typeof useId === 'string') outcomes.set(useId, outcome);
      return { content: [{ type: 'text' as const, text: resultText(outcome) }], isError: Boolean(outcome.refused) || (outcome.exitCode ?? 0) !== 0 };
    }),
  );
  return {
    server: sdk.createSdkMcpServer({ name: TOOL_SERVER, version: '1.0.0', tools: definitions, alwaysLoad: true }),
    names: tools.specs.map((s) => `${TOOL_PREFIX}${s.name}`),
    outcomes,
  };
}

/** A tool's outcome as the model reads it, the same way the Messages API tool loop reports it. */
export function resultText(outcome: ToolOutcome): string {
  if (outcome.refused) return `refused: ${outcome.refused}`;
  return outcome.exitCode === undefined ? outcome.output : `exit code ${outcome.exitCode}\n${outcome.output}`;
}
