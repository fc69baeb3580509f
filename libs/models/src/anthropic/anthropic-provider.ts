import Anthropic from '@anthropic-ai/sdk';
import { ValidationError } from '@loopwright/core';
import { ANTHROPIC_PRICES, costOf, ModelPrice, priceOf } from '../pricing';
import type { AnswerRequest, AnswerResult, ModelCall, ModelProvider, TurnRequest, TurnResult } from '../provider';
import type { HttpProviderOptions } from '../http-provider-options';
import { DEFAULT_RETRY_POLICY, realSleep, RetryPolicy, withRetries } from '../retry/with-retries';
import { answerWithValidation, RawAnswer } from '../structured/validated-answer';
import { classifyAnthropicError } from './anthropic-failure';
import { cachedSystem, fromContent, fromStopReason, fromUsage, toMessageParams, toTools } from './anthropic-wire';
import { ANSWER_TOOL_NAME, answerTool } from './answer-tool';

export interface AnthropicProviderOptions extends HttpProviderOptions {
  /** Passed in by the service that owns it (the grader its own key): never read from the environment here. */
  apiKey: string;
  /** Default `https://api.anthropic.com`. */
  baseURL?: string;
  /** Extra or overriding prices (USD per million tokens), keyed by model id. */
  prices?: Readonly<Record<string, ModelPrice>>;
}

/** The Messages API provider. Throws at construction when the model has no known price. */
export function createAnthropicProvider(options: AnthropicProviderOptions): ModelProvider {
  return new AnthropicProvider(options);
}

class AnthropicProvider implements ModelProvider {
  readonly name = 'anthropic';
  private readonly client: Anthropic;
  private readonly price: ModelPrice;
  private readonly policy: RetryPolicy;
  private readonly now: () => number;

  constructor(private readonly options: AnthropicProviderOptions) {
    if (!options.apiKey) {
      throw new ValidationError('anthropic provider: no API key given', [{ path: 'apiKey', message: 'required' }]);
    }
    this.price = priceOf(options.model, { ...ANTHROPIC_PRICES, ...options.prices });
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.now = options.now ?? (() => performance.now());
    this.client = new Anthropic({
      apiKey: options.apiKey,
      baseURL: options.baseURL ?? 'https://api.anthropic.com',
      // Retries are done here, explicitly, so that they are observable and testable.
      maxRetries: 0,
      timeout: options.timeoutMs ?? 120_000,
    });
  }

  async answer<T>(req: AnswerRequest<T>): Promise<AnswerResult<T>> {
    const { tool, unwrap } = answerTool(req.schema);
    return answerWithValidation(req, async (prompt) => {
      const { message, call } = await this.create({
        max_tokens: req.maxTokens ?? this.options.answerMaxTokens ?? 1024,
        system: cachedSystem(req.system),
        messages: [{ role: 'user', content: prompt }],
        tools: [tool],
        tool_choice: { type: 'tool', name: ANSWER_TOOL_NAME },
      });
      const toolUse = message.content.find((b) => b.type === 'tool_use' && b.name === ANSWER_TOOL_NAME);
      const raw: RawAnswer =
        toolUse?.type === 'tool_use'
          ? { kind: 'json', value: unwrap(toolUse.input) }
          : { kind: 'text', text: message.content.map((b) => (b.type === 'text' ? b.text : '')).join('') };
      return { raw, call };
    });
  }

  async turn(req: TurnRequest): Promise<TurnResult> {
    const { message, call } = await this.create({
      max_tokens: req.maxTokens ?? this.options.turnMaxTokens ?? 4096,
      system: cachedSystem(req.system),
      messages: toMessageParams(req.messages),
      ...(req.tools.length > 0 ? { tools: toTools(req.tools) } : {}),
    });
    return { ...call, content: fromContent(message.content), stopReason: fromStopReason(message.stop_reason) };
  }

  private async create(
    params: Omit<Anthropic.Messages.MessageCreateParamsNonStreaming, 'model'>,
  ): Promise<{ message: Anthropic.Messages.Message; call: ModelCall }> {
    const started = this.now();
    const message = await withRetries(() => this.client.messages.create({ ...params, model: this.options.model }), {
      label: `anthropic ${this.options.model}`,
      policy: this.policy,
      sleep: this.options.sleep ?? realSleep,
      random: this.options.random ?? Math.random,
      classify: (error) => classifyAnthropicError(error, Date.now()),
    });
    const usage = fromUsage(message.usage);
    return {
      message,
      call: {
        usage,
        costUsd: costOf(usage, this.price),
        model: message.model,
        latencyMs: this.now() - started,
        simulated: false,
      },
    };
  }
}
