import { posix } from 'node:path';
import { simpleCommands } from '@loopwright/checks';
import type { ImportedStep } from './imported-run';
import { relativeToRoot } from './repo-paths';
import { filesWrittenBy } from './shell-edits';

/**
 * After each command that writes files by its words (`sed -i`, `> file`), an edit step per file,
 * marked as inferred from the shell: an agent that edits this way still shows its edits. Commands
 * in `notShell` are code of another language (a Python cell), whose `>` is no redirection.
 */
export function withShellEdits(
  steps: readonly ImportedStep[],
  root: string | undefined,
  notShell: ReadonlySet<ImportedStep> = new Set(),
): ImportedStep[] {
  return steps.flatMap((step) => {
    if (step.kind !== 'command' || step.refused || notShell.has(step)) return [step];
    const dir = leadingDirectory(step.input ?? '');
    const edits = filesWrittenBy(step.input ?? '').map((file): ImportedStep => {
      const path = relativeToRoot(file.startsWith('/') || !dir ? file : posix.normalize(posix.join(dir, file)), root);
      return { kind: 'edit', input: path, path, editedBy: 'shell', ...(step.speaker ? { speaker: step.speaker } : {}) };
    });
    return [step, ...edits];
  });
}

/**
 * The directory a command line changes to before it writes (`cd src && sed -i … x.py` writes
 * src/x.py): its leading `cd`. A line that changes directory again later is left as it is.
 */
function leadingDirectory(commandLine: string): string | undefined {
  const commands = simpleCommands(commandLine);
  const changes = commands.filter((tokens) => tokens[0] === 'cd');
  const [first] = commands;
  const dir = changes.length === 1 && first?.[0] === 'cd' && first.length === 2 ? first[1] : undefined;
  // A home or variable directory (`cd ~/app`, `cd $REPO`) cannot be placed without the shell's environment.
  return dir && !/^~|\$/.test(dir) ? dir : undefined;
}

/** A file step (read or edit) with its path relative to the repository root when it lies inside. */
export function fileStep(kind: 'read' | 'edit', tool: string, path: string, root: string | undefined, extra: Partial<ImportedStep> = {}): ImportedStep {
  const relative = relativeToRoot(path, root);
  return { kind, tool, input: relative, path: relative, ...(kind === 'edit' ? { editedBy: 'tool' as const } : {}), ...extra };
}

/**
 * Keeps a step's recorded output bounded: the log holds steps, not whole build logs. The end is
 * kept with the beginning: test runners and compilers print their verdict last.
 */
export function clip(text: string, limit = 8_000): string {
  if (text.length <= limit) return text;
  const tail = Math.floor(limit / 2);
  return `${text.slice(0, limit - tail)}\n… (${text.length - limit} characters left out) …\n${text.slice(text.length - tail)}`;
}
