import { ValidationError } from '@loopwright/core';
import { ANTHROPIC_PRICES, ModelPrice, priceOf } from '../pricing';
import type { AnswerRequest, AnswerResult, ModelProvider, TurnRequest, TurnResult } from '../provider';
import { answerWithValidation } from '../structured/validated-answer';
import { simAgentTurn } from './sim-agent';
import { JudgeParams, simEditorText, simJudgeText } from './sim-judge';
import { simulatedCall } from './sim-usage';
import type { WorkloadSpec } from './workload';

export interface SimProviderOptions {
  workload: WorkloadSpec;
  /** Names the answers `sim-frontier` or `sim-resident`, and decides whose drafts the agent writes. Default frontier. */
  tier?: 'frontier' | 'resident';
  /**
   * Whose list prices the simulated tokens are charged at. Default claude-sonnet-4-6 (frontier);
   * for the resident, the workload's `resident.price`, else claude-haiku-4-5.
   */
  priceModel?: string;
  prices?: Readonly<Record<string, ModelPrice>>;
  /** Overrides the workload's judge, e.g. a noisier one. */
  judge?: Partial<JudgeParams>;
}

/**
 * Simulated role agents, a simulated judge and a simulated editor, driven by a seeded workload:
 * no network, and every result says `simulated: true`. Answers go through the same validate /
 * retry-once path as the real providers.
 */
export function createSimProvider(options: SimProviderOptions): ModelProvider {
  return new SimProvider(options);
}

class SimProvider implements ModelProvider {
  readonly name = 'sim';
  private readonly tier: 'frontier' | 'resident';
  private readonly model: string;
  private readonly price: ModelPrice;
  private readonly judge: JudgeParams;

  constructor(private readonly options: SimProviderOptions) {
    this.tier = options.tier ?? 'frontier';
    this.model = `sim-${this.tier}`;
    const residentPrice = this.tier === 'resident' && !options.priceModel ? options.workload.resident.price : undefined;
    const priceModel = options.priceModel ?? (this.tier === 'frontier' ? 'claude-sonnet-4-6' : 'claude-haiku-4-5');
    this.price = residentPrice ?? priceOf(priceModel, { ...ANTHROPIC_PRICES, ...options.prices });
    this.judge = { ...options.workload.judge, ...options.judge };
  }

  async answer<T>(req: AnswerRequest<T>): Promise<AnswerResult<T>> {
    const ctx = req.sim;
    if (!ctx) {
      throw new ValidationError('the sim provider needs req.sim (a judge or editor context) on answer()', [{ path: 'sim', message: 'required' }]);
    }
    return answerWithValidation(req, async (prompt, attempt) => {
      const text = ctx.kind === 'judge' ? simJudgeText(this.options.workload, ctx, this.judge, attempt) : simEditorText(this.options.workload, ctx, this.judge, attempt);
      return { raw: { kind: 'text', text }, call: simulatedCall(this.model, this.price, req.system, prompt, text) };
    });
  }

  async turn(req: TurnRequest): Promise<TurnResult> {
    const { content, stopReason } = simAgentTurn(this.options.workload, req, this.tier);
    const call = simulatedCall(this.model, this.price, req.system + JSON.stringify(req.tools), JSON.stringify(req.messages), JSON.stringify(content));
    return { ...call, content, stopReason };
  }
}
