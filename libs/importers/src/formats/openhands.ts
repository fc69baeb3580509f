import { asRecord, asString, ImportedRun, ImportedStep, parseJsonDocument, TranscriptError } from '../imported-run';
import { clip, fileStep, withShellEdits } from '../step-builders';
import { filesOfDiff } from '../unified-diff';
import { isOpenHandsV1, parseOpenHandsV1 } from './openhands-v1';

/**
 * OpenHands event streams: a JSON list of events `{id, source, action, args}` and
 * `{id, cause, observation, content, extras}`, or an evaluation record `{instance_id, history,
 * test_result: {git_patch}}` holding one.
 */
export function parseOpenHands(text: string, hint: { name: string }): ImportedRun[] {
  const doc = parseJsonDocument(text, 'the OpenHands event stream');
  const record = asRecord(doc);
  const events = (Array.isArray(doc) ? doc : Array.isArray(record?.['history']) ? record['history'] : null)?.map(asRecord);
  if (!events) throw new TranscriptError(1, 'neither a list of events nor a record with "history": is this an OpenHands event stream?');
  if (isOpenHandsV1(events)) return parseOpenHandsV1(events, null, { name: hint.name.replace(/\.json$/, '') });

  const steps: ImportedStep[] = [];
  const byId = new Map<number, ImportedStep>();
  const said: string[] = [];
  let task = '';
  let finalMessage = '';
  let endedBy: ImportedRun['endedBy'] = 'finished';
  // Paths are made relative to the first working directory a command reports, wherever it comes.
  const root = events.map((e) => asString(asRecord(asRecord(e?.['extras'])?.['metadata'])?.['working_dir'])).find((dir) => dir !== '') || undefined;
  let turns = 0;
  const unknown = new Map<string, number>();
  // A command that had not ended when its observation came (exit code -1): later input goes to it.
  let running: ImportedStep | undefined;
  // Cells of Python alone: their `>` is a comparison, not a redirection.
  const pythonCells = new Set<ImportedStep>();
  for (const event of events) {
    if (!event) continue;
    const args = asRecord(event['args']) ?? {};
    const extras = asRecord(event['extras']) ?? {};
    const action = asString(event['action']);
    const observation = asString(event['observation']);
    if (action) {
      if (event['source'] === 'agent' && !NOT_STEPS.has(action)) turns++;
      const step = actionStep(action, event, args, root);
      if (step && action === 'run_ipython' && shellEscapes(asString(args['code'])).length === 0) pythonCells.add(step);
      if (!KNOWN_ACTIONS.has(action) && !NOT_STEPS.has(action)) unknown.set(action, (unknown.get(action) ?? 0) + 1);
      if (action === 'message' && event['source'] === 'user') {
        if (task === '') task = asString(args['content']);
      } else if (action === 'finish') {
        finalMessage = asString(args['final_thought']) || asString(asRecord(args['outputs'])?.['content']) || asString(event['message']);
      } else if (step) {
        steps.push(step);
        if (typeof event['id'] === 'number') byId.set(event['id'], step);
        if (step.kind === 'message' || step.kind === 'question') said.push(step.output ?? '');
      }
    } else if (observation) {
      const step = typeof event['cause'] === 'number' ? byId.get(event['cause']) : undefined;
      const metadata = asRecord(extras['metadata']) ?? {};
      const code = metadata['exit_code'] ?? extras['exit_code'];
      if (step?.tool === STILL_RUNNING_INPUT && running) {
        // Waiting on a running command, or keys sent to it: what comes back is that command's.
        running.output = clip(`${running.output ?? ''}\n${asString(event['content'])}`);
        if (typeof code === 'number' && code !== -1) running.exitCode = code;
      }
      if (step) {
        step.output = clip(asString(event['content']));
        if (step.kind === 'command' && typeof code === 'number') step.exitCode = code === -1 ? null : code;
        // An error answering an action is the tool's: the action did not happen, and the agent goes on.
        if (observation === 'error' && (step.kind === 'command' || step.kind === 'edit')) step.refused = clip(`the tool failed: ${firstLine(asString(event['content']))}`, 300);
        if (observation === 'user_rejected') step.refused = 'rejected by the user';
      }
      if (step?.kind === 'command' && step.tool === 'execute_bash') running = code === -1 ? step : undefined;
      else if (step?.tool === STILL_RUNNING_INPUT && typeof code === 'number' && code !== -1) running = undefined;
      if (observation === 'agent_state_changed') {
        const state = asString(extras['agent_state']);
        if (state === 'error' && endedBy === 'finished') endedBy = 'error';
        if (state === 'stopped' || state === 'paused') endedBy = 'interrupted';
      }
      if (observation === 'error' && !step) endedBy = limitOf(asString(event['content']));
    }
  }
  if (finalMessage === '' && said.length > 0) finalMessage = said.pop() ?? '';
  const patch = asString(asRecord(record?.['test_result'])?.['git_patch']);
  const maxTurns = asRecord(record?.['metadata'])?.['max_iterations'];
  return [{
    format: 'openhands', ids: [asString(record?.['instance_id']) || hint.name.replace(/\.json$/, '')], task,
    steps: withShellEdits(steps, root, pythonCells), finalMessage, messages: said, endedBy, turns,
    maxTurns: typeof maxTurns === 'number' ? maxTurns : undefined, change: filesOfDiff(patch),
    gaps: [
      ...(patch ? [] : ['no git_patch: the delivered change is empty']),
      "a delegated agent's steps are in its own stream: only the delegation shows here",
      ...[...unknown].map(([action, count]) => `actions of type ${action} (${count}) are not known to the importer: kept as note steps`),
    ],
  }];
}

/** Actions that are no step of the agent's work: its prompt, memory recall and condensation, state changes. */
const NOT_STEPS = new Set(['system', 'recall', 'change_agent_state', 'condensation', 'condensation_request', 'null']);

/** The shell escapes of an IPython cell (`!pytest`, `%cd dir`): the shell command lines it runs. */
function shellEscapes(code: string): string[] {
  return code.split('\n').flatMap((line) => {
    const escape = /^\s*!(.*)$/.exec(line)?.[1] ?? /^\s*%(cd\s.*)$/.exec(line)?.[1];
    return escape === undefined ? [] : [escape.trim()];
  });
}

/** A cell with shell escapes is the shell command they run; a cell of Python alone runs code, but no command line. */
function cellStep(code: string): ImportedStep {
  const shell = shellEscapes(code);
  return { kind: 'command', tool: 'execute_ipython_cell', input: shell.length > 0 ? shell.join('\n') : code };
}

const STILL_RUNNING_INPUT = 'execute_bash input';

const KNOWN_ACTIONS = new Set(['run', 'run_ipython', 'read', 'edit', 'write', 'browse', 'browse_interactive', 'think', 'delegate', 'message', 'finish']);

const firstLine = (text: string) => text.split('\n').map((l) => l.trim()).find((l) => l !== '' && !/^ERROR:?$/.test(l)) ?? text.trim();

function actionStep(action: string, event: Record<string, unknown>, args: Record<string, unknown>, root: string | undefined): ImportedStep | null {
  switch (action) {
    case 'run':
      // Keys sent to a command still running (`C-c`, an answer to a prompt) and the empty command that
      // waits for more of its output are input to it, not commands.
      return args['is_input'] === true || asString(args['command']).trim() === ''
        ? { kind: 'thought', tool: STILL_RUNNING_INPUT, input: asString(args['command']) }
        : { kind: 'command', tool: 'execute_bash', input: asString(args['command']) };
    case 'run_ipython':
      return cellStep(asString(args['code']));
    case 'read':
      return fileStep('read', 'read', asString(args['path']), root);
    case 'edit':
    case 'write':
      return asString(args['command']) === 'view'
        ? fileStep('read', action, asString(args['path']), root)
        : fileStep('edit', action, asString(args['path']), root);
    case 'browse':
    case 'browse_interactive':
      return { kind: 'web', tool: action, input: asString(args['url']) || asString(args['browser_actions']) };
    case 'think':
      return { kind: 'thought', tool: 'think', output: asString(args['thought']) };
    case 'delegate':
      return { kind: 'thought', tool: 'delegate', input: `delegated to ${asString(args['agent'])}`, speaker: asString(args['agent']) || undefined };
    case 'message':
      return event['source'] === 'agent'
        ? { kind: args['wait_for_response'] === true ? 'question' : 'message', output: asString(args['content']) }
        : null;
    case 'finish':
      return null;
    default:
      return NOT_STEPS.has(action) ? null : { kind: 'thought', tool: action, input: JSON.stringify(args).slice(0, 500) };
  }
}

/** OpenHands reports its limits as error observations. */
function limitOf(content: string): ImportedRun['endedBy'] {
  if (/maximum iteration|max_iterations|iteration limit/i.test(content)) return 'turn_limit';
  if (/budget|cost/i.test(content)) return 'cost_limit';
  if (/timeout|timed out/i.test(content)) return 'time_limit';
  return 'error';
}
