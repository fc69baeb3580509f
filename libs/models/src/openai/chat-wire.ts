import { UpstreamModelError } from '@loopwright/core';
import type { AgentMessage, ContentBlock, ToolSpec, TurnResult, Usage } from '../provider';

/** The subset of the chat-completions wire format this provider speaks. */
export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface ChatToolCall {
  id?: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatCompletion {
  model?: string;
  choices: { message: { content?: string | null; tool_calls?: ChatToolCall[] | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } | null };
}

export function toChatMessages(system: string, messages: readonly AgentMessage[]): ChatMessage[] {
  const out: ChatMessage[] = system === '' ? [] : [{ role: 'system', content: system }];
  for (const message of messages) {
    const text = message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
    if (message.role === 'assistant') {
      const calls = message.content.flatMap((b): ChatToolCall[] =>
        b.type === 'tool_use'
          ? [{ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input) } }]
          : [],
      );
      out.push({ role: 'assistant', content: text === '' ? null : text, ...(calls.length ? { tool_calls: calls } : {}) });
      continue;
    }
    // Tool results must directly follow the assistant message that made the calls.
    for (const block of message.content) {
      if (block.type !== 'tool_result') continue;
      out.push({ role: 'tool', tool_call_id: block.tool_use_id, content: block.is_error ? `ERROR: ${block.content}` : block.content });
    }
    if (text !== '') out.push({ role: 'user', content: text });
  }
  return out;
}

export function toChatTools(tools: readonly ToolSpec[]) {
  return tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.inputSchema } }));
}

export function fromChoice(completion: ChatCompletion, label: string): Pick<TurnResult, 'content' | 'stopReason'> {
  const choice = completion.choices[0];
  const content: ContentBlock[] = [];
  if (choice.message.content) content.push({ type: 'text', text: choice.message.content });
  (choice.message.tool_calls ?? []).forEach((call, i) => {
    content.push({ type: 'tool_use', id: call.id ?? `call_${i}`, name: call.function.name, input: parseArguments(call, label) });
  });
  const calledTools = content.some((b) => b.type === 'tool_use');
  const stopReason = calledTools || choice.finish_reason === 'tool_calls' ? 'tool_use' : choice.finish_reason === 'length' ? 'max_tokens' : 'end_turn';
  return { content, stopReason };
}

/** Small models do emit broken tool arguments; sampling again can fix that, so it is retryable. */
function parseArguments(call: ChatToolCall, label: string): Record<string, unknown> {
  try {
    const input: unknown = JSON.parse(call.function.arguments || '{}');
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) return input as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new UpstreamModelError(
    `${label}: the arguments of tool call ${call.function.name} are not a JSON object: ${call.function.arguments.slice(0, 200)}`,
    true,
  );
}

export function fromChatUsage(usage: ChatCompletion['usage']): Usage {
  const prompt = usage?.prompt_tokens ?? 0;
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  return { inputTokens: prompt - cached, outputTokens: usage?.completion_tokens ?? 0, cacheReadTokens: cached, cacheWriteTokens: 0 };
}

/** A json_schema `name` allows letters, digits, `_` and `-`, up to 64. */
export function schemaName(purpose: string): string {
  return purpose.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'answer';
}
