import { asRecord, asString, ImportedRun, ImportedStep, parseJsonDocument, TranscriptError } from '../imported-run';
import { clip, withShellEdits } from '../step-builders';
import { repoRootOfPrompt, taskOfPrompt, textOf } from '../task-statement';
import { filesOfDiff } from '../unified-diff';

const SUBMIT = /\becho\s+['"]?(?:COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT|MINI_SWE_AGENT_FINAL_OUTPUT)/;

/**
 * mini-swe-agent trajectories (`<instance>.traj.json`): `messages[]` in the chat format (the
 * agent's one ```bash block per turn, the environment's `<returncode>` and `<output>`), and
 * `info` with `exit_status`, `submission` and `config`.
 */
export function parseMiniSweAgent(text: string, hint: { name: string }): ImportedRun[] {
  const doc = asRecord(parseJsonDocument(text, 'the mini-swe-agent trajectory'));
  if (!doc || !Array.isArray(doc['messages'])) throw new TranscriptError(1, 'no "messages" list: is this a mini-swe-agent trajectory?');
  const info = asRecord(doc['info']) ?? {};
  const messages = doc['messages'].map(asRecord).filter((m) => m !== null);
  const prompt = textOf(messages.find((m) => m['role'] === 'user')?.['content']);
  const root = asString(asRecord(asRecord(info['config'])?.['environment'])?.['cwd']) || repoRootOfPrompt(prompt) || undefined;

  const steps: ImportedStep[] = [];
  const thoughts: string[] = [];
  let pending: ImportedStep | null = null;
  let turns = 0;
  for (const message of messages) {
    const content = textOf(message['content']);
    if (message['role'] === 'assistant') {
      turns++;
      const thought = content.replace(/```[\s\S]*?```/g, '').replace(/^THOUGHT:\s*/m, '').trim();
      if (thought) {
        steps.push({ kind: 'thought', output: thought });
        thoughts.push(thought);
      }
      const command = /```(?:bash|mswea_bash_command)\s*\n([\s\S]*?)```/.exec(content)?.[1]?.trim() ?? toolCallCommand(message);
      pending = command && !SUBMIT.test(command) ? { kind: 'command', tool: 'bash', input: command } : null;
      if (pending) steps.push(pending);
    } else if ((message['role'] === 'user' || message['role'] === 'tool') && pending) {
      const code = /<returncode>(-?\d+)<\/returncode>/.exec(content);
      if (code) pending.exitCode = Number(code[1]);
      if (/<(?:timeout|warning)>[\s\S]*timed out/i.test(content) || /has timed out/i.test(content)) pending.exitCode = null;
      pending.output = clip((/<output>\n?([\s\S]*?)<\/output>/.exec(content)?.[1] ?? content).trimEnd());
      pending = null;
    }
  }
  const submission = asString(info['submission']);
  return [{
    format: 'mini-swe-agent', ids: [asString(doc['instance_id']) || asString(info['instance_id']) || hint.name.replace(/\.traj(?:\.json)?$/, '')],
    task: taskOfPrompt(prompt), steps: withShellEdits(steps, root), finalMessage: thoughts.at(-1) ?? '', messages: thoughts.slice(0, -1),
    endedBy: endOf(asString(info['exit_status']), info), turns, maxTurns: stepLimit(info), change: filesOfDiff(submission),
    gaps: [
      'no final message to the user: the last thought stands for it',
      'edits are made through the shell: they are inferred from the command lines',
    ],
  }];
}

function agentConfig(info: Record<string, unknown>) {
  return asRecord(asRecord(info['config'])?.['agent']) ?? {};
}

function stepLimit(info: Record<string, unknown>): number | undefined {
  const limit = agentConfig(info)['step_limit'];
  return typeof limit === 'number' && limit > 0 ? limit : undefined;
}

/** `LimitsExceeded` covers both the step and the cost limit: the recorded stats say which it was. */
function endOf(status: string, info: Record<string, unknown>): ImportedRun['endedBy'] {
  if (status === 'Submitted') return 'finished';
  if (status === 'LimitsExceeded') {
    const stats = asRecord(info['model_stats']) ?? {};
    const costLimit = Number(agentConfig(info)['cost_limit'] ?? 0);
    const cost = Number(stats['instance_cost'] ?? 0);
    return costLimit > 0 && cost >= costLimit ? 'cost_limit' : 'turn_limit';
  }
  if (/timeout/i.test(status)) return 'time_limit';
  if (/interrupt/i.test(status)) return 'interrupted';
  return 'error';
}

/** Tool-calling models (trajectory format 1.1) put the command in the first tool call's arguments. */
function toolCallCommand(message: Record<string, unknown>): string | undefined {
  const calls = Array.isArray(message['tool_calls']) ? message['tool_calls'] : [];
  const args = asString(asRecord(asRecord(calls[0])?.['function'])?.['arguments']);
  if (!args) return undefined;
  try {
    return asString(asRecord(JSON.parse(args))?.['command']).trim() || undefined;
  } catch {
    return undefined;
  }
}
