import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ScriptBeat, ScriptedEvent, SessionScript } from './fake-managed-agents-server';

export interface ScriptUsage {
  input?: number;
  output?: number;
}

/**
 * Writes a Managed Agents session's events the way the runtime emits them: each model request
 * between its spans with its token usage, a tool call as `agent.tool_use` then its
 * `agent.tool_result`, the turn ended by `session.status_idle`.
 */
export class ManagedScript {
  private readonly beats: ScriptBeat[] = [];
  private calls = 0;

  constructor(private readonly prefix = 'scripted') {}

  /** A model request whose answer is a message. */
  say(text: string, usage: ScriptUsage = {}): this {
    return this.request([{ type: 'agent.message', content: [{ type: 'text', text }] }], usage);
  }

  /** A model request that calls a built-in tool, then the tool's result. */
  tool(name: string, input: Record<string, unknown>, output: string, options: { isError?: boolean; usage?: ScriptUsage; permission?: string } = {}): this {
    const id = `sevt_${this.prefix}_tool_${++this.calls}`;
    this.request([{ type: 'agent.tool_use', id, name, input, evaluated_permission: options.permission ?? 'allow' }], options.usage ?? {});
    this.beats.push({ events: [{ type: 'agent.tool_result', tool_use_id: id, content: [{ type: 'text', text: output }], is_error: options.isError ?? false }] });
    return this;
  }

  idle(stop = 'end_turn'): this {
    this.beats.push({ events: [{ type: 'session.status_idle', stop_reason: { type: stop }, stop_details: null }] });
    return this;
  }

  event(...events: ScriptedEvent[]): this {
    this.beats.push({ events });
    return this;
  }

  raw(data: string): this {
    this.beats.push({ raw: data });
    return this;
  }

  breakStreams(): this {
    this.beats.push({ breakStreams: true });
    return this;
  }

  build(options: { outputs?: SessionScript['outputs']; beatMs?: number } = {}): SessionScript {
    return { beats: [...this.beats], ...options };
  }

  private request(events: ScriptedEvent[], usage: ScriptUsage): this {
    this.beats.push(
      { events: [{ type: 'span.model_request_start' }] },
      { events },
      {
        events: [{
          type: 'span.model_request_end', is_error: false, model_request_start_id: 'start',
          model_usage: { input_tokens: usage.input ?? 1_000, output_tokens: usage.output ?? 200, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        }],
      },
    );
    return this;
  }
}

/** A tar archive of the files as GNU tar writes it from a directory (`tar -cf - -C dir .`). */
export function tarOf(files: readonly { path: string; content: string }[]): Uint8Array {
  const dir = mkdtempSync(path.join(tmpdir(), 'managed-outputs-'));
  try {
    for (const file of files) {
      mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
      writeFileSync(path.join(dir, file.path), file.content);
    }
    return new Uint8Array(execFileSync('tar', ['-cf', '-', '-C', dir, '.']));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
