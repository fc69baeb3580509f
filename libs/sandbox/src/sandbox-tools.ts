import { pathAllowed, SCOPE_REFUSAL } from '@loopwright/checks';
import type { ToolName } from '@loopwright/events';
import { runSandboxedCommand } from './run-command';

/** The first line of a command's output when it ran without a sandbox. */
export const UNSAFE_LABEL =
  '[UNSAFE: this command ran without a sandbox: it could read and write whatever its host user may, reach the network and see other processes; only its time, output, workspace disk and total memory were limited]';
import type { Workspace } from './workspace';

/** What one tool call did, as the trace records it. */
export interface ToolOutcome {
  tool: ToolName;
  /** The command line or the path. */
  input: string;
  output: string;
  exitCode?: number | null;
  refused?: string;
  durationMs: number;
}

export interface ToolSpecification {
  name: ToolName;
  description: string;
  inputSchema: Record<string, unknown>;
}

export const SANDBOX_TOOL_SPECS: readonly ToolSpecification[] = [
  {
    name: 'list_files',
    description: 'List the files under a directory of the workspace (default: the whole workspace).',
    inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
  },
  {
    name: 'read_file',
    description: 'Read a file of the workspace.',
    inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  },
  {
    name: 'write_file',
    description: 'Write a file of the workspace. Only the allowed paths may be written.',
    inputSchema: { type: 'object', properties: { path: { type: 'string' }, content: { type: 'string' } }, required: ['path', 'content'] },
  },
  {
    name: 'run_command',
    description: 'Run a shell command in the workspace (no network, time-limited).',
    inputSchema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
  },
];

function text(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  return typeof value === 'string' ? value : '';
}

/**
 * The agent's tools over one workspace, with the task's write scope enforced. Calls run one at a
 * time, in the order made: a file tool checks a path and then opens it, and a command running
 * meanwhile (an agent may call tools in parallel) could swap a checked directory for a link to
 * the host's files between the two.
 */
export function createSandboxTools(workspace: Workspace, options: { allowedPaths: readonly string[]; commandTimeoutMs: number }) {
  let previous: Promise<unknown> = Promise.resolve();
  return {
    specs: SANDBOX_TOOL_SPECS,
    execute(name: string, input: Record<string, unknown>): Promise<ToolOutcome> {
      const turn = previous.then(() => execute(name, input));
      previous = turn.catch(() => undefined);
      return turn;
    },
  };

  async function execute(name: string, input: Record<string, unknown>): Promise<ToolOutcome> {
    const started = Date.now();
    const done = (outcome: Omit<ToolOutcome, 'durationMs'>): ToolOutcome => ({ ...outcome, durationMs: Date.now() - started });
    try {
      switch (name) {
        case 'list_files': {
          const dir = text(input, 'path') || '.';
          return done({ tool: 'list_files', input: dir, output: (await workspace.list(dir)).join('\n') });
        }
        case 'read_file': {
          const file = text(input, 'path');
          return done({ tool: 'read_file', input: file, output: await workspace.read(file) });
        }
        case 'write_file': {
          const file = text(input, 'path');
          if (!pathAllowed(file, options.allowedPaths)) {
            return done({ tool: 'write_file', input: file, output: '', refused: `${file} is ${SCOPE_REFUSAL}` });
          }
          await workspace.write(file, text(input, 'content'));
          return done({ tool: 'write_file', input: file, output: 'written' });
        }
        case 'run_command': {
          const command = text(input, 'command');
          const result = await runSandboxedCommand(command, workspace.root, options.commandTimeoutMs);
          return done({
            tool: 'run_command',
            input: command,
            // An operator allowed unsandboxed commands: every such step says so in the trace.
            output: result.isolation === 'none' ? `${UNSAFE_LABEL}\n${result.output}` : result.output,
            exitCode: result.exitCode,
            ...(result.timedOut ? { refused: `time limit of ${options.commandTimeoutMs} ms` } : {}),
          });
        }
        default:
          return done({ tool: 'run_command', input: name, output: '', refused: `unknown tool "${name}"` });
      }
    } catch (error) {
      const tool = (['list_files', 'read_file', 'write_file'] as const).find((t) => t === name) ?? 'run_command';
      return done({ tool, input: text(input, 'path') || text(input, 'command'), output: (error as Error).message, refused: (error as Error).message });
    }
  }
}

export type SandboxTools = ReturnType<typeof createSandboxTools>;
