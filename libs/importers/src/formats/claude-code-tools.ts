import { replacementDiff } from '../unified-diff';
import { asRecord, asString, ImportedStep } from '../imported-run';
import { clip, fileStep } from '../step-builders';
import { relativeToRoot } from '../repo-paths';

/** A file change a tool call asks for: part of the delivered change only if the call succeeded. */
export interface RequestedEdit {
  path: string;
  diff: string;
}

/** One Claude Code tool call as a step, the file change it asks for, and the background shell it reads or stops. */
export interface ToolCall {
  step: ImportedStep;
  edit?: RequestedEdit;
  /** BashOutput / TaskOutput read a background command's report; KillShell / TaskStop end it. */
  shell?: { id: string; action: 'read' | 'stop' };
}

export function toolCall(name: string, input: Record<string, unknown>, root: string | undefined): ToolCall {
  const path = asString(input['file_path']) || asString(input['notebook_path']);
  const relative = relativeToRoot(path, root);
  const edit = (diff: string): ToolCall => ({ step: fileStep('edit', name, path, root, { diff }), edit: { path: relative, diff } });
  const shellId = asString(input['bash_id']) || asString(input['shell_id']) || asString(input['task_id']);
  switch (name) {
    case 'Bash':
      return { step: { kind: 'command', tool: name, input: asString(input['command']) } };
    case 'BashOutput':
    case 'TaskOutput':
      return { step: { kind: 'thought', tool: name, input: `read the background command ${shellId}` }, shell: { id: shellId, action: 'read' } };
    case 'KillShell':
    case 'KillBash':
    case 'TaskStop':
      return { step: { kind: 'thought', tool: name, input: `stopped the background command ${shellId}` }, shell: { id: shellId, action: 'stop' } };
    case 'Read':
      return { step: fileStep('read', name, path, root) };
    case 'Edit':
      return edit(replacementDiff(relative, asString(input['old_string']), asString(input['new_string'])));
    case 'MultiEdit': {
      const edits = Array.isArray(input['edits']) ? input['edits'].map(asRecord).filter((e) => e !== null) : [];
      return edit(edits.map((e) => replacementDiff(relative, asString(e['old_string']), asString(e['new_string']))).join(''));
    }
    case 'Write':
      return edit(replacementDiff(relative, '', asString(input['content'])));
    case 'NotebookEdit':
      return edit(replacementDiff(relative, '', asString(input['new_source'])));
    case 'Grep':
    case 'Glob':
    case 'LS':
      return { step: { kind: 'search', tool: name, input: [asString(input['pattern']), asString(input['path'])].filter((s) => s !== '').join(' in ') } };
    case 'WebFetch':
    case 'web_fetch':
      return { step: { kind: 'web', tool: name, input: asString(input['url']) } };
    case 'WebSearch':
    case 'web_search':
      return { step: { kind: 'web', tool: name, input: asString(input['query']) } };
    case 'AskUserQuestion':
      return { step: { kind: 'question', tool: name, output: JSON.stringify(input['questions'] ?? input) } };
    case 'Task':
    case 'Agent':
      return { step: { kind: 'thought', tool: name, input: `delegated to a sub-agent: ${asString(input['description'])}`, output: asString(input['prompt']) } };
    default:
      return { step: { kind: 'thought', tool: name, input: JSON.stringify(input).slice(0, 500) } };
  }
}

/** What a Bash result says of its command: its exit code (null: killed), or the shell it went on in. */
export function commandResult(output: string, isError: boolean, meta: Record<string, unknown> | null): { exitCode?: number | null; backgroundId?: string } {
  // Claude Code moves a command to the background when asked to (`run_in_background`) or when it runs long.
  const background = /^Command running in background with ID: ([\w-]+)/m.exec(output);
  if (background) return { backgroundId: background[1] };
  if (meta?.['interrupted'] === true || /^Command timed out after\b/m.test(output)) return { exitCode: null };
  if (!isError) return { exitCode: 0 };
  const code = /^Exit code (\d+)/m.exec(output);
  return { exitCode: code ? Number(code[1]) : 1 };
}

/** A background command's report (BashOutput, TaskOutput): its status, exit code when it ended, and its output. */
export function backgroundReport(output: string): { exitCode?: number | null; output: string } {
  const status = /<status>(\w+)<\/status>/.exec(output)?.[1] ?? '';
  const code = /<exit_code>(-?\d+)<\/exit_code>/.exec(output);
  const printed = [...output.matchAll(/<(stdout|stderr|output)>\n?([\s\S]*?)<\/\1>/g)].map((m) => m[2].trimEnd()).join('\n');
  const exitCode = code ? Number(code[1]) : status === 'killed' ? null : status === 'failed' ? 1 : undefined;
  return { ...(exitCode !== undefined ? { exitCode } : {}), output: printed };
}

/** Answers of Claude Code's permission settings: the call was never carried out. */
const PERMISSION_REFUSALS = /requested permissions to use \S+, but you haven't granted it|^Permission to use .* has been denied|^Permission for this action was denied|is in a directory that is denied by your permission settings/m;

/** Why a call was never carried out: the user rejected it, or the permission settings refused it. */
export function refusalOf(output: string, isError: boolean): string | undefined {
  if (/doesn't want to proceed with this tool use|tool use was rejected/i.test(output)) return 'rejected by the user';
  if (isError && PERMISSION_REFUSALS.test(output)) return clip(`refused by the permission settings: ${output.trim().split('\n')[0]}`, 300);
  return undefined;
}

/** The tool's own error, from an error result (an edit whose old text was not found). */
export function toolErrorOf(output: string): string {
  const reason = output.replace(/<\/?tool_use_error>/g, '').trim().split('\n')[0] ?? '';
  return clip(`the tool failed: ${reason || 'an error'}`, 300);
}
