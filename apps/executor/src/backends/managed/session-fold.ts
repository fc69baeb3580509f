import type { WorkProduced } from '@loopwright/events';
import { clip, relativeToRoot, replacementDiff, withShellEdits } from '@loopwright/importers';
import { addUsage, NO_USAGE, Usage } from '@loopwright/models';
import type { StepInput } from '../session-record';
import type { KnownRuntimeEvent, ReadEvent, RuntimeEventOf } from './runtime-events';

/** The session's working directory in the runtime's container: paths under it are the workspace's. */
export const RUNTIME_WORKDIR = '/workspace';

/** How a session ended, and whether trying again could go otherwise. */
export interface SessionEnd {
  endedBy: WorkProduced['endedBy'];
  reason: string;
  retryable: boolean;
}

/** A file change to repeat on the executor's copy of the workspace. */
export type Mirror = { kind: 'write'; path: string; content: string } | { kind: 'edit'; path: string; oldText: string; newText: string; all: boolean };

export interface FoldOutput {
  steps: StepInput[];
  mirrors: Mirror[];
  end?: SessionEnd;
  /** The session was interrupted: by this executor before a restart, or by someone else. */
  interrupted?: boolean;
}

type ToolUse = RuntimeEventOf<'agent.tool_use'> | RuntimeEventOf<'agent.mcp_tool_use'>;

/** Error types after which a new attempt may go otherwise (overload, rate limits, failed requests). */
const RETRYABLE_ERRORS = new Set(['model_overloaded_error', 'model_rate_limited_error', 'model_request_failed_error', 'unknown_error', 'mcp_connection_failed_error']);

/**
 * A Managed Agents session read event by event, in the order the runtime processed them: the trace
 * steps each event makes (a tool call is one step, recorded with its result), the file changes to
 * repeat locally, the turns and tokens spent, and how the session ended. Pure: the same events give
 * the same steps, so a session replayed from its history after a restart numbers its steps the same.
 */
export class SessionFold {
  turns = 0;
  usage: Usage = NO_USAGE;
  /** The runtime's own account of the session's list cost, in USD. */
  runtimeCostUsd = 0;
  finalMessage = '';
  readonly written: string[] = [];
  end?: SessionEnd;
  /** The latest `processed_at` seen: where a reconnect asks the history to start. */
  lastProcessedAt?: string;
  private readonly pending = new Map<string, ToolUse>();

  apply(read: ReadEvent): FoldOutput {
    if (this.end) return { steps: [], mirrors: [] };
    if (read.kind === 'garbage') return this.garbage(read.problem, read.raw);
    if (read.kind === 'other') {
      this.seen(read.processedAt);
      return { steps: [], mirrors: [], ...(read.type === 'user.interrupt' ? { interrupted: true } : {}) };
    }
    this.seen(read.event.processed_at ?? undefined);
    const out = this.known(read.event);
    if (out.end) this.end = out.end;
    return out;
  }

  private known(event: KnownRuntimeEvent): FoldOutput {
    const none: FoldOutput = { steps: [], mirrors: [] };
    const speaker = event.session_thread_id ? { speaker: event.session_thread_id } : {};
    switch (event.type) {
      case 'agent.message': {
        const text = event.content.filter((b) => b.type === 'text').map((b) => b.text ?? '').join('\n');
        if (text.trim() === '') return none;
        if (!event.session_thread_id) this.finalMessage = text;
        return { steps: [{ kind: 'message', output: clip(text), ...speaker }], mirrors: [] };
      }
      case 'agent.tool_use':
      case 'agent.mcp_tool_use':
        this.pending.set(event.id, event);
        return none;
      case 'agent.tool_result':
      case 'agent.mcp_tool_result': {
        const useId = event.type === 'agent.tool_result' ? event.tool_use_id : event.mcp_tool_use_id;
        const use = this.pending.get(useId);
        if (!use) return this.garbage(`a tool result for ${useId}, a tool use the session never announced`, JSON.stringify(event));
        this.pending.delete(useId);
        const output = (event.content ?? []).map((b) => b.text ?? `[${b.type}]`).join('\n');
        return this.toolStep(use, output, event.is_error === true, speaker);
      }
      case 'agent.custom_tool_use':
        return {
          steps: [{ kind: 'question', tool: event.name, input: clip(JSON.stringify(event.input), 500), ...speaker }],
          mirrors: [],
          end: { endedBy: 'error', reason: `the agent called the custom tool "${event.name}", which this executor does not provide`, retryable: false },
        };
      case 'session.status_idle':
        return this.idle(event);
      case 'session.status_terminated':
        return { ...none, end: { endedBy: 'error', reason: 'the runtime terminated the session before it finished its turn', retryable: false } };
      case 'session.deleted':
        return { ...none, end: { endedBy: 'error', reason: 'the session was deleted while it ran', retryable: false } };
      case 'session.error': {
        const { type, message, retry_status: status } = event.error;
        const step: StepInput = { kind: 'thought', tool: 'managed-runtime', output: clip(`the runtime reported ${type} (${status.type}): ${message}`) };
        if (status.type !== 'terminal') return { steps: [step], mirrors: [] };
        return { steps: [step], mirrors: [], end: { endedBy: 'error', reason: `the runtime ended the session on ${type}: ${message}`, retryable: RETRYABLE_ERRORS.has(type) } };
      }
      case 'span.model_request_start':
        this.turns++;
        return none;
      case 'span.model_request_end': {
        const u = event.model_usage;
        this.usage = addUsage(this.usage, { inputTokens: u.input_tokens, outputTokens: u.output_tokens, cacheReadTokens: u.cache_read_input_tokens, cacheWriteTokens: u.cache_creation_input_tokens });
        return none;
      }
      case 'session.usage': {
        const cost = event.usage.list_cost;
        if (cost && cost.currency === 'USD') this.runtimeCostUsd = Math.max(this.runtimeCostUsd, Number(cost.amount) / 100);
        return none;
      }
      default: {
        const unreachable: never = event;
        return this.garbage('an event of no known type', JSON.stringify(unreachable));
      }
    }
  }

  private idle(event: RuntimeEventOf<'session.status_idle'>): FoldOutput {
    const stop = event.stop_reason;
    const end = (endedBy: WorkProduced['endedBy'], reason: string, retryable = false): FoldOutput => ({ steps: [], mirrors: [], end: { endedBy, reason, retryable } });
    switch (stop.type) {
      case 'end_turn':
        // A session is idle before its first turn too: only an idle after work ends it.
        return this.turns === 0 && this.finalMessage === '' ? { steps: [], mirrors: [] } : end('finished', 'the agent ended its turn');
      case 'requires_action':
        return {
          steps: [{ kind: 'question', tool: 'managed-runtime', output: `the session waits for input on ${(stop.event_ids ?? []).join(', ') || 'an event'}` }],
          mirrors: [],
          end: { endedBy: 'error', reason: 'the session waits for a confirmation or a tool result, which this executor never gives', retryable: false },
        };
      case 'retries_exhausted':
        return end('error', 'the runtime gave up on the turn after repeated errors', true);
      case 'budget_reached':
        return end('cost_limit', "the session reached the runtime's own budget");
      case 'refusal':
        return end('error', 'the model refused to continue');
      default:
        return end('error', `the session stopped for a reason this executor does not know: ${stop.type}`);
    }
  }

  private toolStep(use: ToolUse, output: string, failed: boolean, speaker: { speaker?: string }): FoldOutput {
    const input = use.input;
    const text = (field: string) => (typeof input[field] === 'string' ? (input[field] as string) : '');
    const refused = use.type === 'agent.tool_use' && use.evaluated_permission === 'deny' ? { refused: "denied by the runtime's permission policy" } : {};
    const base = { tool: use.name, output: clip(output), ...refused, ...speaker };
    if (use.type === 'agent.mcp_tool_use') {
      return { steps: [{ ...base, kind: 'thought', tool: `${use.mcp_server_name}/${use.name}`, input: clip(JSON.stringify(input), 500) }], mirrors: [] };
    }
    const applied = !failed && !('refused' in refused);
    const path = relativeToRoot(text('file_path'), RUNTIME_WORKDIR);
    const inside = path !== '' && !path.startsWith('/');
    switch (use.name) {
      case 'bash': {
        const command = input['restart'] === true ? '(restart the shell)' : text('command');
        const exitCode = failed ? Number(/exit(?:ed with)? code:? *(\d+)/i.exec(output)?.[1] ?? 1) : 0;
        return { steps: withShellEdits([{ ...base, kind: 'command', input: command, exitCode }], RUNTIME_WORKDIR), mirrors: [] };
      }
      case 'read':
        return { steps: [{ ...base, kind: 'read', input: path, path }], mirrors: [] };
      case 'write': {
        if (applied) this.written.push(path);
        const mirrors: Mirror[] = applied && inside ? [{ kind: 'write', path, content: text('content') }] : [];
        return { steps: [{ ...base, kind: 'edit', input: path, path, editedBy: 'tool', diff: replacementDiff(path, '', text('content')) }], mirrors };
      }
      case 'edit': {
        if (applied) this.written.push(path);
        const mirrors: Mirror[] = applied && inside ? [{ kind: 'edit', path, oldText: text('old_string'), newText: text('new_string'), all: input['replace_all'] === true }] : [];
        return { steps: [{ ...base, kind: 'edit', input: path, path, editedBy: 'tool', diff: replacementDiff(path, text('old_string'), text('new_string')) }], mirrors };
      }
      case 'glob':
      case 'grep':
        return { steps: [{ ...base, kind: 'search', input: [text('pattern'), text('path')].filter((s) => s !== '').join(' in ') }], mirrors: [] };
      case 'web_fetch':
        return { steps: [{ ...base, kind: 'web', input: text('url') }], mirrors: [] };
      case 'web_search':
        return { steps: [{ ...base, kind: 'web', input: text('query') }], mirrors: [] };
      default:
        return { steps: [{ ...base, kind: 'thought', input: clip(JSON.stringify(input), 500) }], mirrors: [] };
    }
  }

  private garbage(problem: string, raw: string): FoldOutput {
    const end: SessionEnd = { endedBy: 'error', reason: `the runtime sent an event this executor cannot read: ${problem}`, retryable: false };
    this.end = end;
    return { steps: [{ kind: 'thought', tool: 'managed-runtime', refused: clip(problem, 500), output: raw }], mirrors: [], end };
  }

  private seen(processedAt: string | undefined): void {
    if (processedAt && (!this.lastProcessedAt || processedAt > this.lastProcessedAt)) this.lastProcessedAt = processedAt;
  }
}
