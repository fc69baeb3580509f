import type Anthropic from '@anthropic-ai/sdk';
import type { AgentMessage, ContentBlock, ToolSpec, TurnResult, Usage } from '../provider';

type MessageParam = Anthropic.Messages.MessageParam;
type ContentBlockParam = Anthropic.Messages.ContentBlockParam;

const EPHEMERAL = { type: 'ephemeral' } as const;

/** The static prompt as one cached text block; the API rejects an empty text block, so none is sent then. */
export function cachedSystem(system: string): Anthropic.Messages.TextBlockParam[] | undefined {
  return system === '' ? undefined : [{ type: 'text', text: system, cache_control: EPHEMERAL }];
}

/**
 * Maps the conversation to Messages API params. The last block carries a cache breakpoint, so
 * each turn of a tool-use loop reads the previous turns from the cache instead of paying for them again.
 */
export function toMessageParams(messages: readonly AgentMessage[]): MessageParam[] {
  return messages.map((message, m) => ({
    role: message.role,
    content: message.content.map((block, b): ContentBlockParam => {
      const last = m === messages.length - 1 && b === message.content.length - 1;
      return { ...toBlockParam(block), ...(last ? { cache_control: EPHEMERAL } : {}) } as ContentBlockParam;
    }),
  }));
}

function toBlockParam(block: ContentBlock): ContentBlockParam {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
    case 'tool_result':
      return {
        type: 'tool_result',
        tool_use_id: block.tool_use_id,
        content: block.content,
        ...(block.is_error === undefined ? {} : { is_error: block.is_error }),
      };
    default: {
      const unknownBlock: never = block;
      throw new TypeError(`unknown content block ${JSON.stringify(unknownBlock)}`);
    }
  }
}

export function toTools(tools: readonly ToolSpec[]): Anthropic.Messages.Tool[] {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: tool.inputSchema as Anthropic.Messages.Tool.InputSchema,
  }));
}

/** Keeps text and tool calls; thinking and server-tool blocks are not part of the loop's contract. */
export function fromContent(content: readonly Anthropic.Messages.ContentBlock[]): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  for (const block of content) {
    if (block.type === 'text') blocks.push({ type: 'text', text: block.text });
    if (block.type === 'tool_use') {
      blocks.push({ type: 'tool_use', id: block.id, name: block.name, input: asRecord(block.input) });
    }
  }
  return blocks;
}

export function fromStopReason(reason: Anthropic.Messages.StopReason | null): TurnResult['stopReason'] {
  if (reason === 'tool_use') return 'tool_use';
  if (reason === 'max_tokens' || reason === 'model_context_window_exceeded') return 'max_tokens';
  return 'end_turn';
}

export function fromUsage(usage: Anthropic.Messages.Usage): Usage {
  return {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
    cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
  };
}

function asRecord(input: unknown): Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
}
