import { FakeJsonServer, FakeReply, RecordedRequest, startFakeJsonServer } from './fake-json-server';

/** A content block as the Messages API sends it. */
export type WireContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

export interface WireUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface MessageReplyOptions {
  stopReason?: 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'refusal';
  usage?: Partial<WireUsage>;
  /** Default: the model the request named. */
  model?: string;
}

/**
 * A local server speaking the Messages API wire format on `POST /v1/messages`: JSON, or server-sent
 * events when the request asks for a stream (as Claude Code does). Point the SDK's `baseURL`, or
 * `ANTHROPIC_BASE_URL`, at `url`.
 */
export type FakeMessagesServer = FakeJsonServer;

export function startFakeMessagesServer(): Promise<FakeMessagesServer> {
  return startFakeJsonServer(
    '/v1/messages',
    () => apiErrorReply(400, 'invalid_request_error', 'fake messages server: no reply queued for this request'),
    (reply, request) => asStreamWhenAsked(withRequestedModel(reply, request), request),
  );
}

/** A message reply as the event stream the API sends for `stream: true`: message_start, each block's start, delta and stop, message_delta, message_stop. */
export function messageEventStream(message: { content: WireContentBlock[]; stop_reason: string; usage: WireUsage } & Record<string, unknown>): string {
  const events: [string, unknown][] = [['message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } } }]];
  message.content.forEach((block, index) => {
    const start = block.type === 'text' ? { type: 'text', text: '' } : { type: 'tool_use', id: block.id, name: block.name, input: {} };
    const delta = block.type === 'text' ? { type: 'text_delta', text: block.text } : { type: 'input_json_delta', partial_json: JSON.stringify(block.input) };
    events.push(
      ['content_block_start', { type: 'content_block_start', index, content_block: start }],
      ['content_block_delta', { type: 'content_block_delta', index, delta }],
      ['content_block_stop', { type: 'content_block_stop', index }],
    );
  });
  events.push(
    ['message_delta', { type: 'message_delta', delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: message.usage.output_tokens } }],
    ['message_stop', { type: 'message_stop' }],
  );
  return events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('');
}

function asStreamWhenAsked(reply: FakeReply, request: RecordedRequest): FakeReply {
  const body = reply.body as { type?: string } | undefined;
  if (request.body?.stream !== true || reply.raw !== undefined || body?.type !== 'message') return reply;
  return { ...reply, headers: { ...reply.headers, 'content-type': 'text/event-stream' }, raw: messageEventStream(reply.body as Parameters<typeof messageEventStream>[0]) };
}

let nextId = 0;

export function messageReply(content: WireContentBlock[], options: MessageReplyOptions = {}): FakeReply {
  return {
    headers: { 'request-id': `req_fake_${++nextId}` },
    body: {
      id: `msg_fake_${nextId}`,
      type: 'message',
      role: 'assistant',
      model: options.model,
      content,
      stop_reason: options.stopReason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn'),
      stop_sequence: null,
      usage: {
        input_tokens: 100,
        output_tokens: 20,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        ...options.usage,
      },
    },
  };
}

export function textReply(text: string, options: MessageReplyOptions = {}): FakeReply {
  return messageReply([{ type: 'text', text }], options);
}

export function toolUseReply(name: string, input: unknown, id = `toolu_fake_${nextId + 1}`, options: MessageReplyOptions = {}): FakeReply {
  return messageReply([{ type: 'tool_use', id, name, input }], options);
}

/** The forced `answer` tool call the anthropic provider asks for. */
export function answerToolReply(input: unknown, options: MessageReplyOptions = {}): FakeReply {
  return toolUseReply('answer', input, undefined, options);
}

export function apiErrorReply(status: number, type: string, message: string, headers: Record<string, string> = {}): FakeReply {
  return { status, headers, body: { type: 'error', error: { type, message } } };
}

/** A reply built without a model answers with the model the request named, as the API does. */
function withRequestedModel(reply: FakeReply, request: RecordedRequest): FakeReply {
  const body = reply.body as { type?: string; model?: string };
  if (body?.type !== 'message' || body.model !== undefined) return reply;
  return { ...reply, body: { ...body, model: request.body?.model } };
}

export type { FakeReply, RecordedRequest };
