import { asRecord, asString, ImportedRun, ImportedStep, parseJsonDocument, TranscriptError } from '../imported-run';
import { clip, withShellEdits } from '../step-builders';
import { repoRootOfPrompt, taskOfPrompt, textOf } from '../task-statement';
import { filesOfDiff } from '../unified-diff';

/** mini-swe-agent's answer to a command it killed at its timeout (older versions wrap a notice in a tag). */
const TIMED_OUT = /^The last command <command>[\s\S]*?<\/command> timed out and has been killed|<(timeout|warning)>[^<]*timed out[^<]*<\/\1>|has timed out/m;

/** The submitting command starts with the echo; a command that runs something before it is kept. */
const SUBMIT = /^\s*echo\s+['"]?(?:COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT|MINI_SWE_AGENT_FINAL_OUTPUT)/;

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
  // The commands of the last reply waiting for their output, by tool call id (or in order).
  let pending: { id: string; step: ImportedStep }[] = [];
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
      pending = commandsOf(content, message).filter(({ step }) => !SUBMIT.test(step.input ?? ''));
      steps.push(...pending.map((p) => p.step));
      pending = pending.filter((p) => !p.step.refused);
    } else if ((message['role'] === 'user' || message['role'] === 'tool') && pending.length > 0) {
      const callId = asString(message['tool_call_id']);
      const at = Math.max(0, pending.findIndex((p) => p.id === callId));
      const [{ step }] = pending.splice(at, 1);
      const code = /<returncode>(-?\d+)<\/returncode>/.exec(content);
      if (code) step.exitCode = Number(code[1]);
      if (TIMED_OUT.test(content)) step.exitCode = null;
      step.output = clip((/<output>\n?([\s\S]*?)<\/output>/.exec(content)?.[1] ?? content).trimEnd());
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

/**
 * The commands of one reply: its bash block, or its tool calls (trajectory format 1.1). mini-swe-agent
 * runs exactly one block: a reply with more is answered with a format error and none of them runs.
 */
function commandsOf(content: string, message: Record<string, unknown>): { id: string; step: ImportedStep }[] {
  const blocks = [...content.matchAll(/```(?:bash|mswea_bash_command)\s*\n([\s\S]*?)```/g)].map((m) => m[1].trim());
  if (blocks.length > 1) {
    const refused = `not run: the reply held ${blocks.length} actions and mini-swe-agent runs exactly one`;
    return [{ id: '', step: { kind: 'command', tool: 'bash', input: blocks.join('\n'), refused } }];
  }
  if (blocks.length === 1) return [{ id: '', step: { kind: 'command', tool: 'bash', input: blocks[0] } }];
  const calls = Array.isArray(message['tool_calls']) ? message['tool_calls'].map(asRecord).filter((c) => c !== null) : [];
  return calls.flatMap((call) => {
    const command = toolCallCommand(asString(asRecord(call['function'])?.['arguments']));
    return command ? [{ id: asString(call['id']), step: { kind: 'command' as const, tool: 'bash', input: command } }] : [];
  });
}

function toolCallCommand(args: string): string | undefined {
  if (!args) return undefined;
  try {
    return asString(asRecord(JSON.parse(args))?.['command']).trim() || undefined;
  } catch {
    return undefined;
  }
}
