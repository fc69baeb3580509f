import { z } from 'zod';

/**
 * The Managed Agents session events this executor reads, checked before use. The runtime's union is
 * open (new types appear), so an unknown type is let through and skipped; an event of a known type
 * that does not have its shape, or one without an id and a type, is garbage.
 */

const Base = z.object({ id: z.string().min(1), type: z.string().min(1), processed_at: z.string().nullish(), session_thread_id: z.string().nullish() });
const Block = z.looseObject({ type: z.string(), text: z.string().optional() });
const Input = z.record(z.string(), z.unknown());
const Tokens = z.number().int().nonnegative();

export const RUNTIME_EVENT_SCHEMAS = {
  'agent.message': Base.extend({ content: z.array(Block) }),
  'agent.tool_use': Base.extend({ name: z.string().min(1), input: Input, evaluated_permission: z.string().nullish() }),
  'agent.tool_result': Base.extend({ tool_use_id: z.string().min(1), content: z.array(Block).nullish(), is_error: z.boolean().nullish() }),
  'agent.mcp_tool_use': Base.extend({ name: z.string().min(1), mcp_server_name: z.string(), input: Input }),
  'agent.mcp_tool_result': Base.extend({ mcp_tool_use_id: z.string().min(1), content: z.array(Block).nullish(), is_error: z.boolean().nullish() }),
  'agent.custom_tool_use': Base.extend({ name: z.string().min(1), input: Input }),
  'session.status_idle': Base.extend({ stop_reason: z.looseObject({ type: z.string(), event_ids: z.array(z.string()).optional() }) }),
  'session.status_terminated': Base,
  'session.deleted': Base,
  'session.error': Base.extend({
    error: z.looseObject({ type: z.string(), message: z.string(), retry_status: z.looseObject({ type: z.string() }) }),
  }),
  'span.model_request_start': Base,
  'span.model_request_end': Base.extend({
    model_usage: z.looseObject({ input_tokens: Tokens, output_tokens: Tokens, cache_creation_input_tokens: Tokens, cache_read_input_tokens: Tokens }),
  }),
  'session.usage': Base.extend({
    usage: z.looseObject({ list_cost: z.object({ amount: z.string().regex(/^\d+$/), currency: z.string() }).nullish() }),
  }),
} as const;

export type KnownType = keyof typeof RUNTIME_EVENT_SCHEMAS;
export type RuntimeEventOf<T extends KnownType> = z.infer<(typeof RUNTIME_EVENT_SCHEMAS)[T]> & { type: T };
export type KnownRuntimeEvent = { [T in KnownType]: RuntimeEventOf<T> }[KnownType];

export type ReadEvent =
  | { kind: 'known'; event: KnownRuntimeEvent }
  /** A type this executor does not act on (status changes, thinking, echoes of what it sent, new types). */
  | { kind: 'other'; id: string; type: string; processedAt?: string }
  | { kind: 'garbage'; id?: string; problem: string; raw: string };

/** Checks one event as the stream or the history delivered it. */
export function readRuntimeEvent(value: unknown): ReadEvent {
  const raw = clipRaw(value);
  const base = Base.safeParse(value);
  if (!base.success) return { kind: 'garbage', problem: 'an event must be an object with a string "id" and "type"', raw };
  const { id, type } = base.data;
  if (!(type in RUNTIME_EVENT_SCHEMAS)) return { kind: 'other', id, type, processedAt: base.data.processed_at ?? undefined };
  const parsed = RUNTIME_EVENT_SCHEMAS[type as KnownType].safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
    return { kind: 'garbage', id, problem: `a ${type} event without its shape (${issues})`, raw };
  }
  return { kind: 'known', event: parsed.data as KnownRuntimeEvent };
}

function clipRaw(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 2_000 ? `${text.slice(0, 2_000)}… (${text.length - 2_000} more characters)` : text;
}
