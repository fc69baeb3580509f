import { asRecord, asString, ChangedFile, ImportedRun, ImportedStep } from '../imported-run';
import { replacementDiff } from '../unified-diff';
import { relativeToRoot } from '../repo-paths';
import { clip, fileStep, withShellEdits } from '../step-builders';

/** Event kinds of the OpenHands SDK (V1) that record no step of the agent's work. */
const NOT_STEPS = new Set([
  'SystemPromptEvent', 'Condensation', 'CondensationRequest', 'CondensationSummaryEvent', 'PauseEvent', 'TokenEvent',
  'ConversationStateUpdateEvent', 'ConversationErrorEvent', 'ConversationIterationLimitEvent', 'StreamingDeltaEvent',
]);
const KNOWN = new Set([...NOT_STEPS, 'MessageEvent', 'ActionEvent', 'ObservationEvent', 'UserRejectObservation', 'AgentErrorEvent']);

/** True when a list of events is the SDK's (V1): events name their class in `kind`, and none is a V0 action or observation (named by a string). */
export function isOpenHandsV1(events: readonly unknown[]): boolean {
  const records = events.map(asRecord);
  return records.some((e) => asString(e?.['kind']) !== '') && !records.some((e) => typeof e?.['action'] === 'string' || typeof e?.['observation'] === 'string');
}

const textOf = (content: unknown): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((b) => asString(asRecord(b)?.['text'])).filter((t) => t !== '').join('\n') : '';

/**
 * An OpenHands SDK (V1) conversation: the events of its `events/` folder in order (one JSON file
 * each, `event-<index>-<id>.json`), `kind` naming each one's class (`MessageEvent`, `ActionEvent`
 * with its `action`, `ObservationEvent` with its `observation`, …), and its `base_state.json` (id,
 * workspace, `max_iterations`, `execution_status`). Pure: the reader gathers the files.
 */
export function parseOpenHandsV1(events: readonly unknown[], baseState: Record<string, unknown> | null, hint: { name: string }): ImportedRun[] {
  const workspace = asRecord(baseState?.['workspace']);
  const root = asString(workspace?.['working_dir']) || events.map((e) => asString(asRecord(asRecord(asRecord(e)?.['observation'])?.['metadata'])?.['working_dir'])).find((d) => d !== '') || undefined;
  const steps: ImportedStep[] = [];
  const byAction = new Map<string, { step: ImportedStep; edit?: ChangedFile }>();
  const said: string[] = [];
  const responses = new Set<string>();
  const unknown = new Map<string, number>();
  const change: ChangedFile[] = [];
  let task = '';
  let finalMessage = '';
  let endedBy: ImportedRun['endedBy'] = 'finished';

  for (const raw of events) {
    const event = asRecord(raw);
    if (!event) continue;
    const kind = asString(event['kind']);
    if (!KNOWN.has(kind)) unknown.set(kind || '(no kind)', (unknown.get(kind || '(no kind)') ?? 0) + 1);
    if (kind === 'MessageEvent') {
      const said_ = textOf(asRecord(event['llm_message'])?.['content']);
      if (event['source'] === 'user') {
        if (task === '') task = said_;
      } else if (said_.trim() !== '') {
        responses.add(asString(event['llm_response_id']) || asString(event['id']));
        steps.push({ kind: 'message', output: said_ });
        said.push(said_);
      }
    } else if (kind === 'ActionEvent') {
      responses.add(asString(event['llm_response_id']) || asString(event['id']));
      const thought = textOf(event['thought']);
      if (thought.trim() !== '') steps.push({ kind: 'thought', output: thought });
      const action = asRecord(event['action']);
      const tool = asString(event['tool_name']) || asString(asRecord(event['tool_call'])?.['name']);
      if (asString(action?.['kind']) === 'FinishAction' || tool === 'finish') {
        finalMessage = asString(action?.['message']);
        continue;
      }
      const made = actionStep(tool, action, root);
      steps.push(made.step);
      for (const key of [asString(event['id']), asString(event['tool_call_id'])]) if (key !== '') byAction.set(key, made);
    } else if (kind === 'ObservationEvent' || kind === 'UserRejectObservation' || kind === 'AgentErrorEvent') {
      const made = byAction.get(asString(event['action_id'])) ?? byAction.get(asString(event['tool_call_id']));
      if (!made) continue;
      observe(made, kind, event, change);
    } else if (kind === 'ConversationIterationLimitEvent') {
      endedBy = 'turn_limit';
    } else if (kind === 'ConversationErrorEvent') {
      endedBy = 'error';
    } else if (!NOT_STEPS.has(kind)) {
      steps.push({ kind: 'thought', tool: kind || '(no kind)', input: JSON.stringify(event).slice(0, 500) });
    }
  }
  if (finalMessage === '' && said.length > 0) finalMessage = said.pop() ?? '';
  else if (said.at(-1) === finalMessage) said.pop();
  const status = asString(baseState?.['execution_status']);
  if (endedBy === 'finished') endedBy = status === 'error' || status === 'stuck' ? 'error' : ['paused', 'running', 'waiting_for_confirmation'].includes(status) ? 'interrupted' : 'finished';
  const maxTurns = baseState?.['max_iterations'];
  const all = withShellEdits(steps, root);
  return [{
    format: 'openhands', ids: [asString(baseState?.['id']) || hint.name], task, steps: all, finalMessage, messages: said,
    endedBy, turns: responses.size, maxTurns: typeof maxTurns === 'number' ? maxTurns : undefined, change: [...change, ...shellWritten(all, change)],
    gaps: [
      'the delivered change is rebuilt from file_editor calls: a file written through the shell is in it by name, its content unknown',
      ...(baseState ? [] : ['no base_state.json: no turn limit, no final status']),
      ...(all.some((step) => step.tool === 'delegate') ? ["a delegated agent's steps are in its own conversation: only the delegation shows here"] : []),
      ...[...unknown].map(([what, count]) => `events of kind ${what} (${count}) are not known to the importer: kept as note steps`),
    ],
  }];
}

function actionStep(tool: string, action: Record<string, unknown> | null, root: string | undefined): { step: ImportedStep; edit?: ChangedFile } {
  const kind = asString(action?.['kind']);
  const command = asString(action?.['command']);
  const path = asString(action?.['path']);
  if (!action) return { step: { kind: 'thought', tool, input: 'a tool call that was not carried out' } };
  if (/^(?:Terminal|ExecuteBash|Bash)Action$/.test(kind)) {
    // Keys sent to a command still running, or the empty command that waits on it, are no command of their own.
    return action['is_input'] === true || command.trim() === ''
      ? { step: { kind: 'thought', tool: `${tool} input`, input: command } }
      : { step: { kind: 'command', tool, input: command } };
  }
  if (/^(?:FileEditor|StrReplaceEditor)Action$/.test(kind)) {
    const relative = relativeToRoot(path, root);
    const diff = command === 'create' ? replacementDiff(relative, '', asString(action['file_text']))
      : command === 'str_replace' ? replacementDiff(relative, asString(action['old_str']), asString(action['new_str']))
      : command === 'insert' ? replacementDiff(relative, '', asString(action['new_str']))
      : undefined;
    if (command === 'view') return { step: fileStep('read', tool, path, root) };
    return { step: fileStep('edit', tool, path, root, diff ? { diff } : {}), ...(diff && !relative.startsWith('/') ? { edit: { path: relative, content: diff } } : {}) };
  }
  if (kind === 'ThinkAction') return { step: { kind: 'thought', tool, output: asString(action['thought']) } };
  if (/^Browser/.test(kind)) return { step: { kind: 'web', tool, input: asString(action['url']) || kind } };
  return { step: { kind: 'thought', tool: tool || kind, input: JSON.stringify(action).slice(0, 500) } };
}

/** What an observation says of the action it answers: its output, exit code, or why it never ran. */
function observe(made: { step: ImportedStep; edit?: ChangedFile }, kind: string, event: Record<string, unknown>, change: ChangedFile[]) {
  const { step } = made;
  if (kind === 'UserRejectObservation') {
    step.refused = event['rejection_source'] === 'hook' ? clip(`blocked by a hook: ${asString(event['rejection_reason'])}`, 300) : 'rejected by the user';
    return;
  }
  if (kind === 'AgentErrorEvent') {
    step.refused = clip(`the tool failed: ${asString(event['error']).split('\n')[0]}`, 300);
    return;
  }
  const observation = asRecord(event['observation']) ?? {};
  step.output = clip(textOf(observation['content']));
  const failed = observation['is_error'] === true;
  if (step.kind === 'command') {
    const code = observation['exit_code'] ?? asRecord(observation['metadata'])?.['exit_code'];
    // -1: the command had not ended when the observation came (timed out, still running).
    step.exitCode = typeof code === 'number' ? (code === -1 ? null : code) : observation['timeout'] === true ? null : failed ? 1 : undefined;
  } else if (step.kind === 'edit' && failed) {
    step.refused = clip(`the tool failed: ${step.output.split('\n')[0]}`, 300);
  } else if (step.kind === 'edit' && made.edit) {
    const same = change.find((f) => f.path === made.edit?.path);
    if (same) same.content += made.edit.content;
    else change.push({ ...made.edit });
  }
}

/** Files shell commands wrote inside the repository and no file_editor call did, each with the command as its content. */
function shellWritten(steps: readonly ImportedStep[], change: readonly ChangedFile[]): ChangedFile[] {
  let command = '';
  const written = new Map<string, string>();
  for (const step of steps) {
    if (step.kind === 'command') command = step.input ?? '';
    if (step.editedBy === 'shell' && step.path && !step.path.startsWith('/') && !change.some((f) => f.path === step.path)) {
      written.set(step.path, `${written.get(step.path) ?? ''}# written through the shell: ${command}\n`);
    }
  }
  return [...written].map(([path, content]) => ({ path, content }));
}
