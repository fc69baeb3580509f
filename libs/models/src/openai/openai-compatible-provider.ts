import { UpstreamModelError } from '@loopwright/core';
import { costOf, FREE, ModelPrice } from '../pricing';
import type { AnswerRequest, AnswerResult, ModelCall, ModelProvider, TurnRequest, TurnResult } from '../provider';
import type { HttpProviderOptions } from '../http-provider-options';
import { DEFAULT_RETRY_POLICY, realSleep, RetryPolicy, withRetries } from '../retry/with-retries';
import { answerJsonSchema } from '../structured/answer-json-schema';
import { answerWithValidation } from '../structured/validated-answer';
import { classifyChatError, postJson } from './chat-http';
import { ChatCompletion, fromChatUsage, fromChoice, schemaName, toChatMessages, toChatTools } from './chat-wire';

export interface OpenAICompatibleProviderOptions extends HttpProviderOptions {
  /** The server's root, e.g. `http://127.0.0.1:11434` (Ollama) or `http://127.0.0.1:8000` (vLLM). */
  baseURL: string;
  apiKey?: string;
  /** USD per million tokens. Default 0: a resident model on our own machine. */
  price?: ModelPrice;
  fetch?: typeof fetch;
}

/**
 * A resident model behind an OpenAI-compatible `/v1/chat/completions`. Answers ask for
 * `response_format: json_schema`; servers that ignore it still see the schema in the system
 * prompt, and JSON is read out of whatever text comes back before it is validated.
 */
export function createOpenAICompatibleProvider(options: OpenAICompatibleProviderOptions): ModelProvider {
  return new OpenAICompatibleProvider(options);
}

class OpenAICompatibleProvider implements ModelProvider {
  readonly name = 'openai-compatible';
  private readonly url: string;
  private readonly policy: RetryPolicy;
  private readonly now: () => number;

  constructor(private readonly options: OpenAICompatibleProviderOptions) {
    const root = options.baseURL.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.url = `${root}/v1/chat/completions`;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.now = options.now ?? (() => performance.now());
  }

  async answer<T>(req: AnswerRequest<T>): Promise<AnswerResult<T>> {
    const schema = answerJsonSchema(req.schema);
    const system = [req.system, `Answer with one JSON value that matches this JSON schema:\n${JSON.stringify(schema)}`]
      .filter((part) => part !== '')
      .join('\n\n');
    return answerWithValidation(req, async (prompt) => {
      const { completion, call } = await this.complete({
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: prompt },
        ],
        max_tokens: req.maxTokens ?? this.options.answerMaxTokens ?? 1024,
        response_format: { type: 'json_schema', json_schema: { name: schemaName(req.purpose), schema } },
      });
      return { raw: { kind: 'text', text: completion.choices[0].message.content ?? '' }, call };
    });
  }

  async turn(req: TurnRequest): Promise<TurnResult> {
    const { completion, call } = await this.complete({
      messages: toChatMessages(req.system, req.messages),
      max_tokens: req.maxTokens ?? this.options.turnMaxTokens ?? 4096,
      ...(req.tools.length > 0 ? { tools: toChatTools(req.tools) } : {}),
    });
    return { ...call, ...fromChoice(completion, this.label) };
  }

  private get label(): string {
    return `openai-compatible ${this.options.model}`;
  }

  private async complete(body: Record<string, unknown>): Promise<{ completion: ChatCompletion; call: ModelCall }> {
    const started = this.now();
    const headers: Record<string, string> = this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {};
    const completion = (await withRetries(
      () =>
        postJson(
          this.options.fetch ?? fetch,
          this.url,
          { model: this.options.model, ...body },
          headers,
          this.options.timeoutMs ?? 120_000,
          Date.now,
        ),
      {
        label: this.label,
        policy: this.policy,
        sleep: this.options.sleep ?? realSleep,
        random: this.options.random ?? Math.random,
        classify: classifyChatError,
      },
    )) as ChatCompletion;
    if (!Array.isArray(completion?.choices) || completion.choices.length === 0 || !completion.choices[0].message) {
      throw new UpstreamModelError(`${this.label}: the response has no choices[0].message`, false);
    }
    const usage = fromChatUsage(completion.usage);
    return {
      completion,
      call: {
        usage,
        costUsd: costOf(usage, this.options.price ?? FREE),
        model: completion.model ?? this.options.model,
        latencyMs: this.now() - started,
        simulated: false,
      },
    };
  }
}
