import { ValidationError } from '@loopwright/core';
import { ANTHROPIC_PRICES, ModelPrice, priceOf } from '../pricing';
import type { AnswerRequest, AnswerResult, ModelProvider, TurnRequest, TurnResult } from '../provider';
import { answerWithValidation } from '../structured/validated-answer';
import { simAgentTurn } from './sim-agent';
import { JudgeParams, simJudgeText } from './sim-judge';
import { simulatedCall } from './sim-usage';
import type { WorkloadSpec } from './workload';

export interface SimProviderOptions {
  workload: WorkloadSpec;
  /** Names the answers `sim-frontier` or `sim-resident`. Default frontier. */
  tier?: 'frontier' | 'resident';
  /** Whose list prices the simulated tokens are charged at. Default claude-sonnet-4-6 (frontier), claude-haiku-4-5 (resident). */
  priceModel?: string;
  prices?: Readonly<Record<string, ModelPrice>>;
  /** Overrides the workload's judge, e.g. a noisier resident. */
  judge?: Partial<JudgeParams>;
}

/**
 * Simulated role agents and a simulated judge, driven by a seeded workload: no network, and
 * every result says `simulated: true`. Answers go through the same validate / retry-once path as
 * the real providers.
 */
export function createSimProvider(options: SimProviderOptions): ModelProvider {
  return new SimProvider(options);
}

class SimProvider implements ModelProvider {
  readonly name = 'sim';
  private readonly model: string;
  private readonly price: ModelPrice;
  private readonly judge: JudgeParams;

  constructor(private readonly options: SimProviderOptions) {
    const tier = options.tier ?? 'frontier';
    this.model = `sim-${tier}`;
    const priceModel = options.priceModel ?? (tier === 'frontier' ? 'claude-sonnet-4-6' : 'claude-haiku-4-5');
    this.price = priceOf(priceModel, { ...ANTHROPIC_PRICES, ...options.prices });
    this.judge = { ...options.workload.judge, ...options.judge };
  }

  async answer<T>(req: AnswerRequest<T>): Promise<AnswerResult<T>> {
    const ctx = req.sim;
    if (!ctx) {
      throw new ValidationError('the sim provider needs req.sim (a SimJudgeContext) on answer()', [{ path: 'sim', message: 'required' }]);
    }
    return answerWithValidation(req, async (prompt, attempt) => {
      const text = simJudgeText(ctx, this.judge, attempt);
      return { raw: { kind: 'text', text }, call: simulatedCall(this.model, this.price, req.system, prompt, text) };
    });
  }

  async turn(req: TurnRequest): Promise<TurnResult> {
    const { content, stopReason } = simAgentTurn(this.options.workload, req);
    const call = simulatedCall(this.model, this.price, req.system + JSON.stringify(req.tools), JSON.stringify(req.messages), JSON.stringify(content));
    return { ...call, content, stopReason };
  }
}
