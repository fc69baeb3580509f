import { replacementDiff } from '../unified-diff';
import { asRecord, asString, ChangedFile, ImportedRun, ImportedStep, TranscriptError } from '../imported-run';
import { clip, fileStep, withShellEdits } from '../step-builders';
import { relativeToRoot } from '../repo-paths';

/**
 * Claude Code session transcripts (`~/.claude/projects/<project>/<session>.jsonl`): one JSON entry
 * per line, `type` user | assistant | summary | system, `message.content` blocks with `tool_use`
 * and `tool_result`, `uuid` / `parentUuid` / `sessionId`, `isSidechain` for a sub-agent's turns.
 */
export function parseClaudeCode(text: string): ImportedRun[] {
  const entries = jsonLines(text);
  const ids = [...new Set(entries.map((e) => asString(e.value['sessionId'])).filter((id) => id !== ''))];
  if (ids.length === 0) throw new TranscriptError(1, 'no entry has a sessionId: is this a Claude Code session transcript?');
  const root = entries.map((e) => asString(e.value['cwd'])).find((cwd) => cwd !== '') || undefined;

  const steps: ImportedStep[] = [];
  const byToolUse = new Map<string, ImportedStep>();
  const texts: string[] = [];
  const change = new Map<string, string>();
  const turns = new Set<string>();
  let task = '';
  let endedBy: ImportedRun['endedBy'] = 'finished';
  let sawExitCode = false;

  for (const { value: entry, line } of entries) {
    const type = asString(entry['type']);
    const message = asRecord(entry['message']);
    if ((type !== 'user' && type !== 'assistant') || !message) continue;
    const speaker = entry['isSidechain'] === true ? 'sub-agent' : undefined;
    const content = typeof message['content'] === 'string' ? [{ type: 'text', text: message['content'] }] : message['content'];
    if (!Array.isArray(content)) throw new TranscriptError(line, `a ${type} entry's message.content is neither text nor a list of blocks`);
    if (type === 'assistant') {
      turns.add(asString(message['id']) || `line-${line}`);
      if (entry['isApiErrorMessage'] === true) endedBy = 'error';
    }
    for (const raw of content) {
      const block = asRecord(raw);
      if (!block) continue;
      const blockType = asString(block['type']);
      if (type === 'user' && blockType === 'text') {
        const said = asString(block['text']);
        if (/^\[Request interrupted by user/.test(said)) endedBy = 'interrupted';
        else if (task === '' && entry['isMeta'] !== true && !speaker) task = said;
        else if (said.trim() !== '' && entry['isMeta'] !== true) endedBy = 'finished';
      } else if (type === 'user' && blockType === 'tool_result') {
        const step = byToolUse.get(asString(block['tool_use_id']));
        if (!step) continue;
        const output = resultText(block['content']);
        step.output = clip(output);
        if (/doesn't want to proceed with this tool use|tool use was rejected/i.test(output)) step.refused = 'rejected by the user';
        else if (step.kind === 'command') {
          const code = /^Exit code (\d+)/m.exec(output);
          if (code) sawExitCode = true;
          step.exitCode = block['is_error'] === true ? Number(code?.[1] ?? 1) : 0;
        }
      } else if (type === 'assistant' && blockType === 'text') {
        const said = asString(block['text']);
        if (said.trim() === '') continue;
        steps.push({ kind: 'message', output: said, ...(speaker ? { speaker } : {}) });
        if (!speaker) texts.push(said);
      } else if (type === 'assistant' && blockType === 'thinking') {
        steps.push({ kind: 'thought', output: asString(block['thinking']), ...(speaker ? { speaker } : {}) });
      } else if (type === 'assistant' && blockType === 'tool_use') {
        const step = toolStep(asString(block['name']), asRecord(block['input']) ?? {}, root, change);
        if (speaker) step.speaker = speaker;
        steps.push(step);
        byToolUse.set(asString(block['id']), step);
      }
    }
  }
  const finalMessage = texts.at(-1) ?? '';
  const files: ChangedFile[] = [...change].map(([path, content]) => ({ path, content }));
  return [{
    format: 'claude-code', ids, task, steps: withShellEdits(steps, root), finalMessage, messages: texts.slice(0, -1), endedBy,
    turns: turns.size, change: files,
    gaps: [
      ...(sawExitCode ? [] : ['exit codes: only failed or not (Claude Code records is_error, not the code)']),
      'the delivered change is rebuilt from Edit/Write calls: edits made through the shell are not in it',
      'no turn, time or cost limit is recorded',
    ],
  }];
}

function toolStep(name: string, input: Record<string, unknown>, root: string | undefined, change: Map<string, string>): ImportedStep {
  const path = asString(input['file_path']) || asString(input['notebook_path']);
  const record = (diff: string) => {
    const relative = relativeToRoot(path, root);
    if (!relative.startsWith('/')) change.set(relative, (change.get(relative) ?? '') + diff);
    return diff;
  };
  switch (name) {
    case 'Bash':
      return { kind: 'command', tool: name, input: asString(input['command']) };
    case 'Read':
      return fileStep('read', name, path, root);
    case 'Edit':
      return fileStep('edit', name, path, root, { diff: record(replacementDiff(relativeToRoot(path, root), asString(input['old_string']), asString(input['new_string']))) });
    case 'MultiEdit': {
      const edits = Array.isArray(input['edits']) ? input['edits'].map(asRecord).filter((e) => e !== null) : [];
      const diff = edits.map((e) => replacementDiff(relativeToRoot(path, root), asString(e['old_string']), asString(e['new_string']))).join('');
      return fileStep('edit', name, path, root, { diff: record(diff) });
    }
    case 'Write':
      return fileStep('edit', name, path, root, { diff: record(replacementDiff(relativeToRoot(path, root), '', asString(input['content']))) });
    case 'NotebookEdit':
      return fileStep('edit', name, path, root);
    case 'Grep':
    case 'Glob':
    case 'LS':
      return { kind: 'search', tool: name, input: [asString(input['pattern']), asString(input['path'])].filter((s) => s !== '').join(' in ') };
    case 'WebFetch':
      return { kind: 'web', tool: name, input: asString(input['url']) };
    case 'WebSearch':
      return { kind: 'web', tool: name, input: asString(input['query']) };
    case 'AskUserQuestion':
      return { kind: 'question', tool: name, output: JSON.stringify(input['questions'] ?? input) };
    case 'Task':
      return { kind: 'thought', tool: name, input: `delegated to a sub-agent: ${asString(input['description'])}`, output: asString(input['prompt']) };
    default:
      return { kind: 'thought', tool: name, input: JSON.stringify(input).slice(0, 500) };
  }
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((b) => asString(asRecord(b)?.['text'])).join('\n');
}

/** Every non-blank line as a JSON object, with its line number; a broken line is named. */
export function jsonLines(text: string): { value: Record<string, unknown>; line: number }[] {
  const lines = text.split('\n');
  const entries: { value: Record<string, unknown>; line: number }[] = [];
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      const last = i === lines.length - 1 || lines.slice(i + 1).every((l) => l.trim() === '');
      throw new TranscriptError(
        i + 1,
        last && !raw.trimEnd().endsWith('}')
          ? 'the last line is cut off (the transcript is truncated): import it again once the session has ended'
          : `not a JSON object (${(error as Error).message}); fix or delete this line`,
      );
    }
    const record = asRecord(value);
    if (!record) throw new TranscriptError(i + 1, 'a line is JSON but not an object; every line of a JSONL transcript is one entry');
    entries.push({ value: record, line: i + 1 });
  });
  return entries;
}
