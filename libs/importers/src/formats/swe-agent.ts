import { asRecord, asString, ImportedRun, ImportedStep, parseJsonDocument, TranscriptError } from '../imported-run';
import { clip, fileStep, withShellEdits } from '../step-builders';
import { repoRootOfPrompt, taskOfPrompt, textOf } from '../task-statement';
import { filesOfDiff } from '../unified-diff';

/**
 * SWE-agent trajectories (`<instance>.traj`): a JSON document with `trajectory[]` of
 * `{action, observation, thought, response, state}`, the chat `history[]`, and `info` with
 * `exit_status` and the `submission` diff.
 */
export function parseSweAgent(text: string, hint: { name: string }): ImportedRun[] {
  const doc = asRecord(parseJsonDocument(text, 'the SWE-agent trajectory'));
  if (!doc || !Array.isArray(doc['trajectory'])) throw new TranscriptError(1, 'no "trajectory" list: is this a SWE-agent .traj file?');
  const info = asRecord(doc['info']) ?? {};
  const history = Array.isArray(doc['history']) ? doc['history'].map(asRecord).filter((m) => m !== null) : [];
  const prompt = textOf(history.find((m) => m['role'] === 'user')?.['content']);
  const root = repoRootOfPrompt(prompt) ?? workingDir(doc['trajectory']);

  const steps: ImportedStep[] = [];
  const thoughts: string[] = [];
  let openFile: string | undefined;
  for (const raw of doc['trajectory']) {
    const entry = asRecord(raw);
    if (!entry) continue;
    const thought = asString(entry['thought']).trim();
    if (thought) {
      steps.push({ kind: 'thought', output: thought });
      thoughts.push(thought);
    }
    const action = asString(entry['action']).trim();
    const observation = clip(asString(entry['observation']));
    const state = asRecord(typeof entry['state'] === 'string' ? safeJson(entry['state']) : entry['state']);
    // The state names the open file ("n/a" when none is); an `open` action opens one too.
    const stateFile = asString(state?.['open_file']);
    if (stateFile && stateFile !== 'n/a') openFile = stateFile;
    if (action === '' || action === 'submit') continue;
    if (/^open\s/.test(action)) openFile = action.split(/\s+/)[1]?.replace(/^"|"$/g, '') || openFile;
    const step: ImportedStep = { ...actionStep(action, root, openFile), output: observation };
    const refusal = step.kind === 'edit' ? editRefusal(observation) : undefined;
    steps.push(refusal ? { ...step, refused: refusal } : step);
  }
  const submission = asString(info['submission']);
  const change = filesOfDiff(submission);
  return [{
    format: 'swe-agent', ids: [instanceId(doc, hint.name)], task: taskOfPrompt(prompt), steps: withShellEdits(steps, root),
    finalMessage: thoughts.at(-1) ?? '', messages: thoughts.slice(0, -1), endedBy: endOf(asString(info['exit_status'])),
    turns: doc['trajectory'].length, change,
    gaps: [
      'exit codes: SWE-agent records none; test runs are judged by their summary lines',
      'no final message to the user: the last thought stands for it',
      ...(submission ? [] : ['no submission: the delivered change is empty']),
    ],
  }];
}

function actionStep(action: string, root: string | undefined, openFile: string | undefined): ImportedStep {
  const [first = '', second = '', third = ''] = action.split(/\s+/);
  if (first === 'str_replace_editor') {
    if (second === 'view') return fileStep('read', `${first} ${second}`, third, root);
    return fileStep('edit', `${first} ${second}`, third, root);
  }
  if (first === 'open' || first === 'goto' || first === 'scroll_up' || first === 'scroll_down') {
    return fileStep('read', first, first === 'open' ? second.replace(/^"|"$/g, '') : openFile ?? '', root);
  }
  if (first === 'edit' || first === 'insert' || first === 'append') return fileStep('edit', first, openFile ?? '', root);
  if (first === 'create') return fileStep('edit', first, second, root);
  if (first === 'find_file' || first === 'search_dir' || first === 'search_file') return { kind: 'search', tool: first, input: action };
  return { kind: 'command', tool: 'bash', input: action };
}

/** The editor's answer to an edit it did not make: nothing replaced, a bad path, a lint error that kept the file as it was. */
const EDIT_REFUSALS = /^(?:No replacement was performed|No edit was performed|Invalid `?\w+`? parameter|The path \S+ does not exist|File already exists at|ERROR:)|have NOT been applied/m;

function editRefusal(observation: string): string | undefined {
  const found = EDIT_REFUSALS.exec(observation.trimStart());
  if (!found) return undefined;
  const line = observation.trimStart().slice(found.index).split('\n')[0];
  return clip(`the tool failed: ${line}`, 300);
}

/** SWE-agent's exit statuses, read the way its own runs report them. */
export function endOf(status: string): ImportedRun['endedBy'] {
  if (/cost/i.test(status)) return 'cost_limit';
  if (/time/i.test(status)) return 'time_limit';
  if (/step|api_calls|turn|LimitsExceeded/i.test(status)) return 'turn_limit';
  if (/interrupt/i.test(status)) return 'interrupted';
  if (/^submitted$|^Submitted$/.test(status)) return 'finished';
  return 'error';
}

function instanceId(doc: Record<string, unknown>, name: string): string {
  const replay = asRecord(typeof doc['replay_config'] === 'string' ? safeJson(doc['replay_config']) : doc['replay_config']);
  const fromReplay = asString(asRecord(replay?.['problem_statement'])?.['id']);
  return fromReplay || name.replace(/\.traj(?:\.json)?$/, '');
}

function workingDir(trajectory: unknown[]): string | undefined {
  for (const raw of trajectory) {
    const state = asRecord(raw)?.['state'];
    const dir = asString(asRecord(typeof state === 'string' ? safeJson(state) : state)?.['working_dir']);
    if (dir) return dir;
  }
  return undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
