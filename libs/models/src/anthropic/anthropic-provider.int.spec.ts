import { UpstreamModelError, ValidationError } from '@loopwright/core';
import { z } from 'zod';
import { UnusableAnswerError } from '../unusable-answer-error';
import {
  answerToolReply,
  apiErrorReply,
  FakeMessagesServer,
  messageReply,
  startFakeMessagesServer,
  textReply,
} from '../testing/fake-messages-server';
import { createAnthropicProvider } from './anthropic-provider';

const Gate = z.object({ passed: z.boolean(), evidence: z.string().min(1) });

describe('anthropic provider against a local Messages API server', () => {
  let server: FakeMessagesServer;
  let sleeps: number[];

  beforeEach(async () => {
    server = await startFakeMessagesServer();
    sleeps = [];
  });
  afterEach(() => server.close());

  const provider = (overrides: Partial<Parameters<typeof createAnthropicProvider>[0]> = {}) =>
    createAnthropicProvider({
      apiKey: 'sk-test',
      model: 'claude-sonnet-4-6',
      baseURL: server.url,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0,
      retry: { maxRetries: 2, baseDelayMs: 100 },
      ...overrides,
    });

  const gateRequest = {
    purpose: 'grader:engineer:gate:claims_match_evidence',
    system: 'RUBRIC: the claims must match the evidence.',
    prompt: 'Final message: "All tests pass." Re-run exit code: 1.',
    schema: Gate,
  };

  it('returns a validated answer, prices its usage and sends the system block cached and the schema as the answer tool', async () => {
    server.reply(
      answerToolReply(
        { passed: false, evidence: 'claims pass, the re-run failed' },
        { usage: { input_tokens: 1000, output_tokens: 200, cache_creation_input_tokens: 2000, cache_read_input_tokens: 10000 } },
      ),
    );

    const result = await provider().answer(gateRequest);

    expect(result.answer).toEqual({ passed: false, evidence: 'claims pass, the re-run failed' });
    expect(result.attempts).toBe(1);
    expect(result.simulated).toBe(false);
    expect(result.model).toBe('claude-sonnet-4-6');
    expect(result.usage).toEqual({ inputTokens: 1000, outputTokens: 200, cacheWriteTokens: 2000, cacheReadTokens: 10000 });
    // sonnet: $3 in, $15 out, $3.75 cache write, $0.30 cache read per million
    expect(result.costUsd).toBeCloseTo((1000 * 3 + 200 * 15 + 2000 * 3.75 + 10000 * 0.3) / 1e6, 10);

    const body = server.requests[0].body;
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].headers.authorization ?? server.requests[0].headers['x-api-key']).toContain('sk-test');
    expect(body.model).toBe('claude-sonnet-4-6');
    expect(body.system).toEqual([{ type: 'text', text: gateRequest.system, cache_control: { type: 'ephemeral' } }]);
    expect(body.messages).toEqual([{ role: 'user', content: gateRequest.prompt }]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'answer' });
    expect(body.tools).toHaveLength(1);
    expect(body.tools[0].input_schema).toMatchObject({
      type: 'object',
      properties: { passed: { type: 'boolean' }, evidence: { type: 'string', minLength: 1 } },
      required: ['passed', 'evidence'],
    });
  });

  it('accepts JSON in text when the model answers without the tool', async () => {
    server.reply(textReply('```json\n{"passed": true, "evidence": "ran the tests"}\n```'));
    const result = await provider().answer(gateRequest);
    expect(result.answer).toEqual({ passed: true, evidence: 'ran the tests' });
  });

  it('waits out retry-after on a 429 and then succeeds, with exactly two requests', async () => {
    server.reply(
      apiErrorReply(429, 'rate_limit_error', 'slow down', { 'retry-after': '1' }),
      answerToolReply({ passed: true, evidence: 'ok' }),
    );

    const result = await provider().answer(gateRequest);

    expect(result.answer.passed).toBe(true);
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([1000]);
  });

  it('retries a 529 overloaded with exponential backoff when there is no retry-after', async () => {
    server.reply(
      apiErrorReply(529, 'overloaded_error', 'Overloaded'),
      apiErrorReply(529, 'overloaded_error', 'Overloaded'),
      answerToolReply({ passed: true, evidence: 'ok' }),
    );

    await provider().answer(gateRequest);

    expect(server.requests).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it('retries a schema-breaking answer once with the validation error in the prompt, then gives up', async () => {
    server.reply(answerToolReply({ passed: 'yes' }), answerToolReply({ verdict: 'pass' }));

    const error = await provider().answer(gateRequest).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnusableAnswerError);
    expect(error).toBeInstanceOf(UpstreamModelError);
    const unusable = error as UnusableAnswerError;
    expect(unusable.retryable).toBe(false);
    expect(unusable.rawAnswers).toEqual([JSON.stringify({ passed: 'yes' }), JSON.stringify({ verdict: 'pass' })]);
    expect(unusable.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['passed', 'evidence']));
    expect(unusable.spent.usage.inputTokens).toBe(200);
    expect(server.requests).toHaveLength(2);
    const retryPrompt: string = server.requests[1].body.messages[0].content;
    expect(retryPrompt.startsWith(gateRequest.prompt)).toBe(true);
    expect(retryPrompt).toContain('passed:');
    expect(retryPrompt).toContain('evidence:');
  });

  it('accepts a good answer on the retry, reporting two attempts and both calls’ usage', async () => {
    server.reply(answerToolReply({ passed: 'yes' }), answerToolReply({ passed: true, evidence: 'ran them' }));

    const result = await provider().answer(gateRequest);

    expect(result.answer).toEqual({ passed: true, evidence: 'ran them' });
    expect(result.attempts).toBe(2);
    expect(result.usage.inputTokens).toBe(200);
    expect(server.requests).toHaveLength(2);
  });

  it('fails with a retryable error naming the status after the configured retries of a 500', async () => {
    server.setHandler(() => apiErrorReply(500, 'api_error', 'Internal server error'));

    const error = await provider().answer(gateRequest).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpstreamModelError);
    expect(error).not.toBeInstanceOf(UnusableAnswerError);
    const upstream = error as UpstreamModelError;
    expect(upstream.retryable).toBe(true);
    expect(upstream.status).toBe(500);
    expect(upstream.message).toContain('HTTP 500');
    expect(upstream.message).toContain('after 3 attempts');
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry an authentication error and marks it not retryable', async () => {
    server.setHandler(() => apiErrorReply(401, 'authentication_error', 'invalid x-api-key'));

    const error = (await provider().answer(gateRequest).catch((e: unknown) => e)) as UpstreamModelError;

    expect(error).toBeInstanceOf(UpstreamModelError);
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(401);
    expect(error.message).toContain('authentication_error');
    expect(server.requests).toHaveLength(1);
  });

  it('round-trips a tool-use turn', async () => {
    server.reply(
      messageReply(
        [
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: 'toolu_2', name: 'read_file', input: { path: 'src/sum.js' } },
        ],
        { usage: { input_tokens: 50, output_tokens: 10 } },
      ),
    );

    const result = await provider().turn({
      purpose: 'executor:engineer:draft',
      system: 'You are an engineer.',
      tools: [
        {
          name: 'read_file',
          description: 'Read a file',
          inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
        },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Write sum.' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'list_files', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'src/\ntest/', is_error: false }] },
      ],
    });

    expect(result.stopReason).toBe('tool_use');
    expect(result.content).toEqual([
      { type: 'text', text: 'Let me look.' },
      { type: 'tool_use', id: 'toolu_2', name: 'read_file', input: { path: 'src/sum.js' } },
    ]);
    expect(result.usage).toEqual({ inputTokens: 50, outputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0 });

    const body = server.requests[0].body;
    expect(body.system[0].cache_control).toEqual({ type: 'ephemeral' });
    expect(body.tools).toEqual([
      {
        name: 'read_file',
        description: 'Read a file',
        input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
      },
    ]);
    expect(body.messages[1]).toEqual({
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_1', name: 'list_files', input: {} }],
    });
    expect(body.messages[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: 'src/\ntest/', is_error: false, cache_control: { type: 'ephemeral' } },
      ],
    });
    expect(body.tool_choice).toBeUndefined();
  });

  it('refuses a model without a price at construction', () => {
    expect(() => provider({ model: 'claude-unknown-9' })).toThrow(ValidationError);
    expect(() => provider({ model: 'claude-unknown-9' })).toThrow(/no price for model "claude-unknown-9"/);
  });

  it('prices a dated model id by its family entry', () => {
    expect(() => provider({ model: 'claude-haiku-4-5-20251001' })).not.toThrow();
  });
});
