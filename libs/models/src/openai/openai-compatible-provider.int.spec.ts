import { UpstreamModelError } from '@loopwright/core';
import { z } from 'zod';
import { chatErrorReply, chatReply, FakeChatCompletionsServer, startFakeChatCompletionsServer } from '../testing/fake-chat-completions-server';
import { UnusableAnswerError } from '../unusable-answer-error';
import { createOpenAICompatibleProvider, OpenAICompatibleProviderOptions } from './openai-compatible-provider';

const Dimension = z.object({ score: z.number().int().min(1).max(5), evidence: z.string(), reasoning: z.string() });

describe('openai-compatible provider against a local chat-completions server', () => {
  let server: FakeChatCompletionsServer;
  let sleeps: number[];

  beforeEach(async () => {
    server = await startFakeChatCompletionsServer();
    sleeps = [];
  });
  afterEach(() => server.close());

  const provider = (overrides: Partial<OpenAICompatibleProviderOptions> = {}) =>
    createOpenAICompatibleProvider({
      baseURL: server.url,
      model: 'qwen2.5:3b',
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0,
      retry: { maxRetries: 1, baseDelayMs: 50 },
      ...overrides,
    });

  const request = {
    purpose: 'grader:engineer:dimension:correctness',
    system: 'Score correctness 1-5.',
    prompt: 'Re-run exit code: 0.',
    schema: Dimension,
  };

  it('asks for a json_schema response, validates the answer, and costs nothing by default', async () => {
    server.reply(chatReply({ content: '{"score": 5, "evidence": "exit 0", "reasoning": "tests pass"}' }));

    const result = await provider().answer(request);

    expect(result.answer).toEqual({ score: 5, evidence: 'exit 0', reasoning: 'tests pass' });
    expect(result.costUsd).toBe(0);
    expect(result.model).toBe('resident-small');
    expect(result.usage).toEqual({ inputTokens: 100, outputTokens: 20, cacheReadTokens: 0, cacheWriteTokens: 0 });
    const body = server.requests[0].body;
    expect(server.requests[0].path).toBe('/v1/chat/completions');
    expect(body.model).toBe('qwen2.5:3b');
    expect(body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'grader_engineer_dimension_correctness', schema: { type: 'object', required: ['score', 'evidence', 'reasoning'] } },
    });
    expect(body.messages[0].role).toBe('system');
    expect(body.messages[0].content).toContain('Score correctness 1-5.');
    expect(body.messages[0].content).toContain('"required":["score","evidence","reasoning"]');
    expect(body.messages[1]).toEqual({ role: 'user', content: request.prompt });
  });

  it('reads JSON wrapped in prose from a server that ignores response_format, and prices configured tokens', async () => {
    server.reply(
      chatReply({
        content: 'Sure! Here is my verdict:\n{"score": 2, "evidence": "exit 1", "reasoning": "fails"}\nHope that helps.',
        usage: { prompt_tokens: 1_000, completion_tokens: 100, cached_tokens: 400 },
      }),
    );

    const result = await provider({ price: { input: 0.2, output: 0.6, cacheWrite: 0, cacheRead: 0.05 } }).answer(request);

    expect(result.answer.score).toBe(2);
    expect(result.usage).toEqual({ inputTokens: 600, outputTokens: 100, cacheReadTokens: 400, cacheWriteTokens: 0 });
    expect(result.costUsd).toBeCloseTo((600 * 0.2 + 100 * 0.6 + 400 * 0.05) / 1e6, 12);
  });

  it('retries a bad answer once with the issues, then throws UnusableAnswerError', async () => {
    server.reply(chatReply({ content: '{"score": 9}' }), chatReply({ content: 'I cannot decide.' }));

    const error = (await provider().answer(request).catch((e: unknown) => e)) as UnusableAnswerError;

    expect(error).toBeInstanceOf(UnusableAnswerError);
    expect(error.rawAnswers).toEqual(['{"score": 9}', 'I cannot decide.']);
    expect(error.issues).toEqual([{ path: '(root)', message: 'the answer is not JSON' }]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].body.messages[1].content).toContain('- score:');
  });

  it('accepts the retry when it is good', async () => {
    server.reply(chatReply({ content: 'nope' }), chatReply({ content: '{"score": 3, "evidence": "e", "reasoning": "r"}' }));
    const result = await provider().answer(request);
    expect(result.attempts).toBe(2);
    expect(result.answer.score).toBe(3);
  });

  it('honours retry-after on 429 and gives up on repeated 503 with the status in a retryable error', async () => {
    server.reply(
      chatErrorReply(429, 'busy', { 'retry-after': '2' }),
      chatReply({ content: '{"score": 4, "evidence": "e", "reasoning": "r"}' }),
    );
    await provider().answer(request);
    expect(sleeps).toEqual([2000]);

    server.setHandler(() => chatErrorReply(503, 'loading model'));
    const error = (await provider().answer(request).catch((e: unknown) => e)) as UpstreamModelError;
    expect(error).toBeInstanceOf(UpstreamModelError);
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(503);
    expect(error.message).toContain('loading model');
    expect(server.requests).toHaveLength(4);
  });

  it('maps a tool-use turn to OpenAI tool calls and back', async () => {
    server.reply(
      chatReply({ content: null, toolCalls: [{ id: 'call_9', name: 'write_file', arguments: '{"path":"src/a.js","content":"x"}' }] }),
    );

    const result = await provider().turn({
      purpose: 'executor:engineer:draft',
      system: 'You are an engineer.',
      tools: [{ name: 'write_file', description: 'Write a file', inputSchema: { type: 'object' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Go.' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Listing.' },
            { type: 'tool_use', id: 'call_1', name: 'list_files', input: { path: '.' } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'denied', is_error: true }] },
      ],
    });

    expect(result.stopReason).toBe('tool_use');
    expect(result.content).toEqual([{ type: 'tool_use', id: 'call_9', name: 'write_file', input: { path: 'src/a.js', content: 'x' } }]);
    expect(server.requests[0].body.tools).toEqual([
      { type: 'function', function: { name: 'write_file', description: 'Write a file', parameters: { type: 'object' } } },
    ]);
    expect(server.requests[0].body.messages).toEqual([
      { role: 'system', content: 'You are an engineer.' },
      { role: 'user', content: 'Go.' },
      {
        role: 'assistant',
        content: 'Listing.',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'list_files', arguments: '{"path":"."}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'ERROR: denied' },
    ]);
  });

  it('ends a turn with text as end_turn and a cut-off as max_tokens', async () => {
    server.reply(chatReply({ content: 'Done.' }), chatReply({ content: 'Half', finishReason: 'length' }));
    const turn = { purpose: 'p', system: '', tools: [], messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }] };
    expect(await provider().turn(turn)).toMatchObject({ stopReason: 'end_turn', content: [{ type: 'text', text: 'Done.' }] });
    expect(await provider().turn(turn)).toMatchObject({ stopReason: 'max_tokens' });
    expect(server.requests[0].body.tools).toBeUndefined();
  });
});
