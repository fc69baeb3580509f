import { stepKindOfTool, ToolName, WorkProduced } from '@loopwright/events';
import { clip } from '@loopwright/importers';
import { addUsage, NO_USAGE, Usage } from '@loopwright/models';
import type { ToolOutcome } from '@loopwright/sandbox';
import type { StepInput } from '../session-record';
import { TOOL_PREFIX } from './sdk-tools';

export interface SdkEnd {
  endedBy: WorkProduced['endedBy'];
  reason: string;
  retryable: boolean;
}

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
const TOOL_NAMES: readonly ToolName[] = ['read_file', 'write_file', 'list_files', 'run_command'];
const RETRYABLE = /overloaded|rate.?limit|\b429\b|\b5\d\d\b|timed? ?out|ECONNRE|socket hang up/i;

/**
 * The Claude Agent SDK's message stream read message by message: assistant text and thinking as
 * steps, each tool call as one step recorded with its result (the sandbox's own outcome when the
 * call was one of the task's tools), the turns and tokens, and how the query ended.
 */
export class SdkFold {
  turns = 0;
  finalMessage = '';
  /** The CLI's own account of what the query cost, in USD. */
  reportedCostUsd = 0;
  readonly written: string[] = [];
  sessionId?: string;
  end?: SdkEnd;
  private readonly usageByMessage = new Map<string, Usage>();
  private readonly pending = new Map<string, { name: string; input: Record<string, unknown> }>();
  private apiError?: { kind: string; text: string };

  constructor(private readonly outcomes: ReadonlyMap<string, ToolOutcome>) {}

  get usage(): Usage {
    return [...this.usageByMessage.values()].reduce(addUsage, NO_USAGE);
  }

  apply(message: unknown): StepInput[] {
    const m = asRecord(message);
    if (!m || typeof m['type'] !== 'string') return this.garbage('a message that is not an object with a "type"', message);
    if (this.end) return [];
    switch (m['type']) {
      case 'system':
        if (m['subtype'] === 'init' && typeof m['session_id'] === 'string') this.sessionId = m['session_id'];
        return [];
      case 'assistant':
        return this.assistant(m);
      case 'user':
        return this.user(m);
      case 'result':
        return this.result(m);
      default:
        return [];
    }
  }

  private assistant(m: Record<string, unknown>): StepInput[] {
    const message = asRecord(m['message']);
    const content = message?.['content'];
    if (!message || !Array.isArray(content)) return this.garbage('an assistant message without content blocks', m);
    const speaker = typeof m['parent_tool_use_id'] === 'string' ? { speaker: 'sub-agent' } : {};
    const id = typeof message['id'] === 'string' ? message['id'] : `turn-${this.usageByMessage.size}`;
    if (!this.usageByMessage.has(id)) this.turns++;
    const usage = asRecord(message['usage']);
    const tokens = (field: string) => (typeof usage?.[field] === 'number' ? (usage[field] as number) : 0);
    this.usageByMessage.set(id, {
      inputTokens: tokens('input_tokens'), outputTokens: tokens('output_tokens'),
      cacheReadTokens: tokens('cache_read_input_tokens'), cacheWriteTokens: tokens('cache_creation_input_tokens'),
    });
    const steps: StepInput[] = [];
    if (typeof m['error'] === 'string') {
      // The CLI's own message about a failed model request, not the model's words.
      const text = content.map((b) => String(asRecord(b)?.['text'] ?? '')).join('\n');
      this.apiError = { kind: m['error'], text };
      return [{ kind: 'thought', tool: 'claude-agent-sdk', refused: `the model API failed (${m['error']})`, output: clip(text) }];
    }
    for (const raw of content) {
      const block = asRecord(raw);
      if (block?.['type'] === 'text' && typeof block['text'] === 'string' && block['text'].trim() !== '') {
        if (!speaker.speaker) this.finalMessage = block['text'];
        steps.push({ kind: 'message', output: clip(block['text']), ...speaker });
      } else if (block?.['type'] === 'thinking' && typeof block['thinking'] === 'string') {
        steps.push({ kind: 'thought', output: clip(block['thinking']), ...speaker });
      } else if (block?.['type'] === 'tool_use' && typeof block['id'] === 'string') {
        this.pending.set(block['id'], { name: String(block['name'] ?? ''), input: asRecord(block['input']) ?? {} });
      }
    }
    return steps;
  }

  private user(m: Record<string, unknown>): StepInput[] {
    const content = asRecord(m['message'])?.['content'];
    if (!Array.isArray(content)) return [];
    const steps: StepInput[] = [];
    for (const raw of content) {
      const block = asRecord(raw);
      if (block?.['type'] !== 'tool_result' || typeof block['tool_use_id'] !== 'string') continue;
      const use = this.pending.get(block['tool_use_id']);
      if (!use) continue;
      this.pending.delete(block['tool_use_id']);
      steps.push(this.toolStep(block['tool_use_id'], use, resultOf(block['content']), block['is_error'] === true));
    }
    return steps;
  }

  private toolStep(useId: string, use: { name: string; input: Record<string, unknown> }, output: string, failed: boolean): StepInput {
    const short = use.name.startsWith(TOOL_PREFIX) ? use.name.slice(TOOL_PREFIX.length) : undefined;
    const tool = TOOL_NAMES.find((t) => t === short);
    const outcome = this.outcomes.get(useId);
    if (!tool || !outcome) {
      // Not one of the task's tools: the CLI has no others, so it refused the call.
      return { kind: 'thought', tool: use.name, input: clip(JSON.stringify(use.input), 500), output: clip(output), ...(failed ? { refused: clip(output, 500) } : {}) };
    }
    if (tool === 'write_file' && !outcome.refused) this.written.push(outcome.input);
    return {
      kind: stepKindOfTool(tool), tool, input: outcome.input,
      ...(tool === 'read_file' || tool === 'write_file' ? { path: outcome.input } : {}),
      ...(tool === 'write_file' ? { editedBy: 'tool' as const } : {}),
      output: clip(outcome.output, 4_000), exitCode: outcome.exitCode, refused: outcome.refused, durationMs: outcome.durationMs,
    };
  }

  private result(m: Record<string, unknown>): StepInput[] {
    if (typeof m['total_cost_usd'] === 'number') this.reportedCostUsd = m['total_cost_usd'];
    const errors = Array.isArray(m['errors']) ? m['errors'].map(String).join('; ') : '';
    if (m['subtype'] === 'success' && (m['is_error'] === true || this.apiError)) {
      const text = typeof m['result'] === 'string' ? m['result'] : this.apiError?.text ?? '';
      const kind = this.apiError?.kind ?? '';
      this.end = { endedBy: 'error', reason: `the query ended on an error: ${clip(text, 500)}`, retryable: /^(rate_limit|overloaded|server_error)$/.test(kind) || RETRYABLE.test(text) };
      return [];
    }
    switch (m['subtype']) {
      case 'success':
        this.end = { endedBy: 'finished', reason: 'the agent ended its turn', retryable: false };
        if (typeof m['result'] === 'string' && m['result'].trim() !== '' && this.finalMessage === '') this.finalMessage = m['result'];
        return [];
      case 'error_max_turns':
        this.end = { endedBy: 'turn_limit', reason: `the query used its ${m['num_turns'] ?? ''} turns`.replace('  ', ' '), retryable: false };
        return [];
      case 'error_max_budget_usd':
        this.end = { endedBy: 'cost_limit', reason: 'the query reached its budget', retryable: false };
        return [];
      default:
        this.end = { endedBy: 'error', reason: `the query failed (${String(m['subtype'])}): ${errors || 'no error given'}`, retryable: RETRYABLE.test(errors) };
        return [];
    }
  }

  private garbage(problem: string, value: unknown): StepInput[] {
    this.end = { endedBy: 'error', reason: `the agent SDK sent a message this executor cannot read: ${problem}`, retryable: false };
    let raw: string;
    try {
      raw = JSON.stringify(value) ?? String(value);
    } catch {
      raw = String(value);
    }
    return [{ kind: 'thought', tool: 'claude-agent-sdk', refused: problem, output: clip(raw, 2_000) }];
  }
}

function resultOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((b) => (typeof asRecord(b)?.['text'] === 'string' ? (asRecord(b)!['text'] as string) : '')).join('\n');
}
