import { asRecord, asString, ChangedFile, ImportedRun, ImportedStep, TranscriptError } from '../imported-run';
import { clip, withShellEdits } from '../step-builders';
import { backgroundReport, commandResult, refusalOf, RequestedEdit, ToolCall, toolCall, toolErrorOf } from './claude-code-tools';
import { ExpandedSession, expandSubAgents, missingSubAgent, SubAgentFiles } from './claude-code-subagents';
import { jsonLines } from './json-lines';

export { jsonLines } from './json-lines';

/**
 * Entry types that record no step of the agent's: titles, file backups, queued prompts, hook and
 * tool progress, notices, the permission mode, attachments given to the model.
 */
const METADATA_TYPES = new Set([
  'summary', 'file-history-snapshot', 'queue-operation', 'progress', 'system', 'custom-title', 'ai-title', 'last-prompt',
  'permission-mode', 'mode', 'attachment', 'pr-link', 'tag', 'agent-name', 'attribution-snapshot', 'bridge-session',
]);
/** A user entry that is Claude Code's own text, not the user's words: a slash command, its output. */
const COMMAND_ECHO = /^\s*<(?:command-name|command-message|command-args|local-command-stdout|local-command-stderr)>/;

/**
 * Claude Code session transcripts (`~/.claude/projects/<project>/<session>.jsonl`): one JSON entry
 * per line, `type` user | assistant and metadata types, `message.content` blocks (`text`,
 * `thinking`, `tool_use`, `tool_result`), one entry per block with the blocks of one message
 * sharing its `message.id`, `isSidechain` for a sub-agent's turns. An entry copied again (a resumed
 * session, a streamed snapshot) is read once; an entry or block of a type not known here is kept
 * as a note step and named in the gaps.
 *
 * Sub-agents started by a Task / Agent call write their own transcripts (`agent-<id>.jsonl`):
 * given those (`subAgents`, by the agent id the call's result names), their steps are merged in
 * time order, each marked with its agent (`speaker: sub-agent <id>`) and the step of the call
 * that started it (`delegatedBy`); a sub-agent whose file is missing is named in the gaps.
 */
export function parseClaudeCode(text: string, subAgents?: SubAgentFiles): ImportedRun[] {
  const ownEntries = jsonLines(text);
  const ids = [...new Set(ownEntries.map((e) => asString(e.value['sessionId'])).filter((id) => id !== ''))];
  if (ids.length === 0) throw new TranscriptError(1, 'no entry has a sessionId: is this a Claude Code session transcript?');
  const root = ownEntries.map((e) => asString(e.value['cwd'])).find((cwd) => cwd !== '') || undefined;
  // A sub-agent's own transcript (`agent-<id>.jsonl`) is all sidechain: that agent is the one read.
  const turnsOf = ownEntries.filter((e) => e.value['type'] === 'user' || e.value['type'] === 'assistant');
  const ownFile = turnsOf.length > 0 && turnsOf.every((e) => e.value['isSidechain'] === true);
  const { entries, delegations, merged } = expandSubAgents(ownEntries, ids, ownFile ? undefined : subAgents);
  const session = new SessionSteps(root);
  let task = '';
  let endedBy: ImportedRun['endedBy'] = 'finished';

  for (const { value: entry, line, agent } of entries) {
    // A sub-agent's turns copied inline into the session, when its own file was merged: read from that file once.
    if (!agent && entry['isSidechain'] === true && typeof entry['agentId'] === 'string' && merged.has(entry['agentId'])) continue;
    const type = asString(entry['type']);
    // Each agent's entries and calls are its own: a sub-agent's file cannot stand in for the main agent's entries or results.
    const speaker = agent ? `sub-agent ${agent}` : entry['isSidechain'] === true && !ownFile ? 'sub-agent' : undefined;
    // A copy of an entry already read has its uuid and its message; entries differing in either are both read.
    const uuid = asString(entry['uuid']);
    if (uuid !== '' && !session.firstSight(`entry:${agent ?? ''}:${uuid}:${JSON.stringify(entry['message'] ?? type)}`)) continue;
    if (METADATA_TYPES.has(type)) continue;
    const message = asRecord(entry['message']);
    if ((type !== 'user' && type !== 'assistant') || !message) {
      session.unknown(type || '(no type)', JSON.stringify(entry).slice(0, 500), speaker);
      continue;
    }
    const content = typeof message['content'] === 'string' ? [{ type: 'text', text: message['content'] }] : message['content'];
    if (!Array.isArray(content)) throw new TranscriptError(line, `a ${type} entry's message.content is neither text nor a list of blocks`);
    const messageId = `${agent ?? ''}:${asString(message['id']) || `line-${line}`}`;
    if (type === 'assistant') {
      session.turns.add(messageId);
      if (entry['isApiErrorMessage'] === true && !speaker) endedBy = 'error';
    }
    for (const raw of content) {
      const block = asRecord(raw);
      if (!block) continue;
      const blockType = asString(block['type']);
      if (type === 'user' && blockType === 'text') {
        const said = asString(block['text']);
        const own = entry['isMeta'] !== true && entry['isCompactSummary'] !== true && !COMMAND_ECHO.test(said);
        if (speaker) continue; // the caller's prompt to a sub-agent: its Task call shows it
        if (/^\[Request interrupted by user/.test(said)) endedBy = 'interrupted';
        else if (task === '' && own && said.trim() !== '') task = said;
        else if (said.trim() !== '' && entry['isMeta'] !== true) endedBy = 'finished';
      } else if (blockType === 'tool_result' || (type === 'assistant' && blockType.endsWith('_tool_result'))) {
        session.result(block, asRecord(entry['toolUseResult']), speaker);
      } else if (type === 'user' && (blockType === 'image' || blockType === 'document')) {
        continue; // the user's attachments to a prompt
      } else if (type === 'assistant' && blockType === 'text') {
        session.said(messageId, 'message', asString(block['text']), speaker);
      } else if (type === 'assistant' && blockType === 'thinking') {
        session.said(messageId, 'thought', asString(block['thinking']), speaker);
      } else if (type === 'assistant' && (blockType === 'tool_use' || blockType === 'server_tool_use')) {
        session.call(block, speaker);
      } else {
        session.unknownBlock(blockType, speaker);
      }
    }
  }
  const texts = session.steps.filter((s) => s.kind === 'message' && !s.speaker).map((s) => s.output ?? '');
  const steps = session.linkDelegations(withShellEdits(session.steps, root), delegations);
  if (endedBy === 'finished' && session.cutOff()) endedBy = 'interrupted';
  return [{
    format: 'claude-code', ids, task, steps, finalMessage: texts.at(-1) ?? '', messages: texts.slice(0, -1), endedBy,
    turns: session.turns.size, change: session.delivered(shellChanges(steps)),
    gaps: [
      ...(session.sawExitCode ? [] : ['exit codes: only failed or not (Claude Code records is_error, not the code)']),
      'the delivered change is rebuilt from Edit/Write calls: a file written through the shell is in it by name, its content unknown',
      'no turn, time or cost limit is recorded',
      ...(session.delegated && !session.sawSidechain && !ownFile && !subAgents ? ["sub-agents' steps are in their own transcripts (agent-*.jsonl): only the delegation shows here"] : []),
      ...delegations.flatMap(({ delegation }) => missingSubAgent(delegation, ownFile ? undefined : subAgents) ?? []),
      ...session.unknownKinds(),
    ],
  }];
}

/** The steps of one session as its entries are read: calls paired with their results, copies read once. */
class SessionSteps {
  readonly steps: ImportedStep[] = [];
  readonly turns = new Set<string>();
  sawExitCode = false;
  delegated = false;
  sawSidechain = false;
  private readonly seen = new Set<string>();
  private readonly calls = new Map<string, ToolCall>();
  private readonly edits: { id: string; edit: RequestedEdit }[] = [];
  private readonly failedEdits = new Set<string>();
  private readonly background = new Map<string, ImportedStep>();
  private readonly textsByMessage = new Map<string, ImportedStep[]>();
  private readonly unknowns = new Map<string, number>();
  private readonly unanswered = new Set<ImportedStep>();

  constructor(private readonly root: string | undefined) {}

  /** True the first time a key is seen. */
  firstSight(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  /** A text or thinking block; a streamed snapshot of one already read (the same text, or more of it) replaces it. */
  said(messageId: string, kind: 'message' | 'thought', text: string, speaker: string | undefined) {
    if (text.trim() === '') return;
    const earlier = this.textsByMessage.get(messageId) ?? [];
    const copy = earlier.find((s) => s.kind === kind && s.speaker === speaker && text.startsWith(s.output ?? ''));
    if (copy) {
      copy.output = text;
      return;
    }
    const step: ImportedStep = { kind, output: text, ...(speaker ? { speaker } : {}) };
    this.textsByMessage.set(messageId, [...earlier, step]);
    this.push(step);
  }

  call(block: Record<string, unknown>, speaker: string | undefined) {
    const id = `${speaker ?? ''}:${asString(block['id'])}`;
    if (!id.endsWith(':') && !this.firstSight(`call:${id}`)) return;
    const call = toolCall(asString(block['name']), asRecord(block['input']) ?? {}, this.root);
    if (speaker) call.step.speaker = speaker;
    if (call.step.tool === 'Task' || call.step.tool === 'Agent') this.delegated = true;
    this.push(call.step);
    this.unanswered.add(call.step);
    this.calls.set(id, call);
    if (call.edit) this.edits.push({ id, edit: call.edit });
  }

  result(block: Record<string, unknown>, meta: Record<string, unknown> | null, speaker: string | undefined) {
    const id = `${speaker ?? ''}:${asString(block['tool_use_id'])}`;
    const output = resultText(block['content']);
    const isError = block['is_error'] === true;
    const call = this.calls.get(id);
    if (!call) {
      // The call is not in this file (a session resumed from another one): the result still shows.
      this.push({ kind: 'thought', tool: 'tool_result', output: clip(output), ...(speaker ? { speaker } : {}) });
      return;
    }
    const { step } = call;
    this.unanswered.delete(step);
    step.output = clip(output);
    const refused = refusalOf(output, isError) ?? (isError && call.edit ? toolErrorOf(output) : undefined);
    if (refused) {
      step.refused = refused;
      if (call.edit) this.failedEdits.add(id);
    } else if (step.kind === 'command') {
      const { exitCode, backgroundId } = commandResult(output, isError, meta);
      if (backgroundId) this.background.set(backgroundId, step);
      else step.exitCode = exitCode;
      if (/^Exit code \d+/m.test(output)) this.sawExitCode = true;
    } else if (call.shell && !isError) {
      this.shellReport(call.shell, output);
    }
  }

  private shellReport(shell: NonNullable<ToolCall['shell']>, output: string) {
    const command = this.background.get(shell.id);
    if (!command) return;
    if (shell.action === 'stop') {
      if (command.exitCode === undefined) command.exitCode = null;
      return;
    }
    const report = backgroundReport(output);
    if (report.output !== '') command.output = clip(`${command.output ?? ''}\n${report.output}`);
    if (report.exitCode !== undefined) command.exitCode = report.exitCode;
  }

  unknown(type: string, input: string, speaker: string | undefined) {
    this.unknowns.set(`entries of type ${type}`, (this.unknowns.get(`entries of type ${type}`) ?? 0) + 1);
    this.push({ kind: 'thought', tool: type, input, ...(speaker ? { speaker } : {}) });
  }

  /** Marks each sub-agent's steps with the step of the call that started it, once the steps are in their final order. */
  linkDelegations(steps: ImportedStep[], delegations: ExpandedSession['delegations']): ImportedStep[] {
    const startedBy = new Map<string, number>();
    const place = new Map(steps.map((step, i) => [step, i]));
    for (const { delegation, caller } of delegations) {
      const call = this.calls.get(`${caller ? `sub-agent ${caller}` : ''}:${delegation.callId}`);
      const at = call ? place.get(call.step) : undefined;
      if (delegation.agentId && at !== undefined && !startedBy.has(delegation.agentId)) startedBy.set(delegation.agentId, at);
    }
    return steps.map((step) => {
      const at = step.speaker?.startsWith('sub-agent ') ? startedBy.get(step.speaker.slice('sub-agent '.length)) : undefined;
      return at === undefined ? step : { ...step, delegatedBy: at };
    });
  }

  unknownBlock(type: string, speaker: string | undefined) {
    const name = type || '(no type)';
    if (name !== 'redacted_thinking') this.unknowns.set(`blocks of type ${name}`, (this.unknowns.get(`blocks of type ${name}`) ?? 0) + 1);
    this.push({ kind: 'thought', tool: name, ...(speaker ? { speaker } : {}) });
  }

  unknownKinds(): string[] {
    return [...this.unknowns].map(([what, count]) => `${what} (${count}) are not known to the importer: kept as note steps`);
  }

  /** The session stopped while the main agent's last tool call ran: no result ever came back. */
  cutOff(): boolean {
    const last = this.steps.filter((s) => !s.speaker).at(-1);
    return last !== undefined && this.unanswered.has(last);
  }

  /** The delivered change: the edits of the calls that succeeded and the files the shell wrote, inside the repository, per file. */
  delivered(shell: readonly RequestedEdit[]): ChangedFile[] {
    const change = new Map<string, string>();
    const made = this.edits.filter(({ id }) => !this.failedEdits.has(id)).map(({ edit }) => edit);
    for (const edit of [...made, ...shell.filter((e) => !made.some((m) => m.path === e.path))]) {
      if (edit.path.startsWith('/')) continue;
      change.set(edit.path, (change.get(edit.path) ?? '') + edit.diff);
    }
    return [...change].map(([path, content]) => ({ path, content }));
  }

  private push(step: ImportedStep) {
    if (step.speaker) this.sawSidechain = true;
    this.steps.push(step);
  }
}

/** The files shell commands wrote, each with the command as its content: the shell records no diff. */
function shellChanges(steps: readonly ImportedStep[]): RequestedEdit[] {
  let command = '';
  return steps.flatMap((step) => {
    if (step.kind === 'command') command = step.input ?? '';
    return step.editedBy === 'shell' && step.path ? [{ path: step.path, diff: `# written through the shell: ${command}\n` }] : [];
  });
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((b) => asString(asRecord(b)?.['text'])).join('\n');
}
