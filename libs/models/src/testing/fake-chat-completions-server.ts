import { FakeJsonServer, FakeReply, startFakeJsonServer } from './fake-json-server';

/** A local server speaking the chat-completions wire format on `POST /v1/chat/completions`. */
export type FakeChatCompletionsServer = FakeJsonServer;

export function startFakeChatCompletionsServer(): Promise<FakeChatCompletionsServer> {
  return startFakeJsonServer('/v1/chat/completions', () =>
    chatErrorReply(400, 'fake chat-completions server: no reply queued for this request'),
  );
}

export interface ChatReplyOptions {
  content?: string | null;
  toolCalls?: { id?: string; name: string; arguments: string }[];
  finishReason?: 'stop' | 'tool_calls' | 'length';
  usage?: { prompt_tokens: number; completion_tokens: number; cached_tokens?: number };
  model?: string;
}

let nextId = 0;

export function chatReply(options: ChatReplyOptions): FakeReply {
  const toolCalls = options.toolCalls?.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  const usage = options.usage ?? { prompt_tokens: 100, completion_tokens: 20 };
  return {
    body: {
      id: `chatcmpl-fake-${++nextId}`,
      object: 'chat.completion',
      created: 1_700_000_000,
      model: options.model ?? 'resident-small',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: options.content ?? null, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
          finish_reason: options.finishReason ?? (toolCalls ? 'tool_calls' : 'stop'),
        },
      ],
      usage: {
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        total_tokens: usage.prompt_tokens + usage.completion_tokens,
        ...(usage.cached_tokens === undefined ? {} : { prompt_tokens_details: { cached_tokens: usage.cached_tokens } }),
      },
    },
  };
}

export function chatErrorReply(status: number, message: string, headers: Record<string, string> = {}): FakeReply {
  return { status, headers, body: { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'server_error' } } };
}
