import { Inject, Injectable } from '@nestjs/common';
import { FeatureVector, runCheck } from '@loopwright/checks';
import { createEvent, DecisionCompleted, deterministicId, EventOf, GoalSubmitted, NewEvent } from '@loopwright/events';
import type { EventLog } from '@loopwright/eventlog';
import { ENGINEER_JUDGE_TRUTH, ModelProvider, UnusableAnswerError } from '@loopwright/models';
import type { Rubric } from '@loopwright/rubrics';
import { EVENT_LOG, LOOP_METRICS, LoopMetrics } from '@loopwright/service';
import { assembleGrade, decisionRequests, GradingItem, workIdOfDecision } from './domain/grading-plan';
import { buildGradingContext, GradingContext } from './grading-context';
import { judgeItem, JudgeVerdict } from './judge';
import { GRADER_OPTIONS } from './grader.tokens';

export interface GraderOptions {
  rubrics: Rubric[];
  /** The frontier judge, on the grader's own credentials (never the executor's). */
  frontier(goal: GoalSubmitted): ModelProvider;
  /** A promoted resident model by id, or undefined when it is not available here (the decision escalates). */
  resident(modelId: string): Promise<ResidentPredictor | undefined>;
  commandTimeoutMs: number;
  judgeEstimateUsd: number;
}

type Completion = Omit<DecisionCompleted, 'decisionId' | 'key'>;

/** A resident classifier distilled from frontier verdicts: a verdict with its calibrated confidence. */
export interface ResidentPredictor {
  predict(features: FeatureVector): { verdict: string; confidence: number };
}

const MAX_CACHED_CONTEXTS = 256;

/** Grades work from the log: features and a re-run of its tests, then one routed decision per rubric item. */
@Injectable()
export class GraderService {
  private readonly contexts = new Map<string, Promise<GradingContext>>();

  constructor(
    @Inject(EVENT_LOG) private readonly log: EventLog,
    @Inject(LOOP_METRICS) private readonly metrics: LoopMetrics,
    @Inject(GRADER_OPTIONS) private readonly options: GraderOptions,
  ) {}

  async onWork(work: EventOf<'work.produced'>): Promise<void> {
    const context = await this.contextFor(work.aggregateId, work.data.workId, work);
    for (const request of decisionRequests(work, context.items, context.features, this.options.judgeEstimateUsd)) {
      await this.emit(request);
    }
  }

  async onRouted(routed: EventOf<'decision.routed'>): Promise<void> {
    const context = await this.contextFor(routed.aggregateId, workIdOfDecision(routed.data.decisionId));
    const item = context.items.find((i) => i.decisionId === routed.data.decisionId);
    if (!item) throw new Error(`decision ${routed.data.decisionId} names no item of the rubrics`);
    if (!context.completions.has(item.decisionId)) {
      const completion = await this.decide(context, item, routed);
      const data: DecisionCompleted = { decisionId: item.decisionId, key: item.key, ...completion };
      await this.emit(this.completedEvent(routed, data));
      context.completions.set(item.decisionId, data);
    }
    if (routed.data.shadow) await this.shadow(context, item, routed);
    await this.tryGrade(context);
  }

  private async decide(context: GradingContext, item: GradingItem, routed: EventOf<'decision.routed'>): Promise<Completion> {
    const started = Date.now();
    const free = { costUsd: 0, tokens: { input: 0, output: 0 }, confidence: 1, shadow: false, simulated: false, reasoning: '' };
    switch (routed.data.tier) {
      case 'deterministic': {
        if (routed.data.ruleVerdict !== undefined) {
          return { ...free, tier: 'deterministic', verdict: routed.data.ruleVerdict, ruleId: routed.data.ruleId, evidence: `mined rule ${routed.data.ruleId}: ${routed.data.reason}`, latencyMs: Date.now() - started };
        }
        if (!item.check) throw new Error(`${item.key} was routed to a deterministic tier without a check or a rule verdict`);
        const result = runCheck(item.check, context.features);
        return { ...free, tier: 'deterministic', verdict: result.passed ? 'pass' : 'fail', evidence: result.evidence, latencyMs: Date.now() - started };
      }
      case 'frontier':
        return this.judged(context, item, routed, this.options.frontier(context.goal), 'frontier');
      case 'resident': {
        const resident = routed.data.model ? await this.options.resident(routed.data.model) : undefined;
        const prediction = resident?.predict(context.features);
        if (!prediction || prediction.confidence < (routed.data.confidenceThreshold ?? 0.8)) {
          const escalated = await this.judged(context, item, routed, this.options.frontier(context.goal), 'frontier');
          return { ...escalated, escalatedFrom: 'resident' };
        }
        return {
          ...free, tier: 'resident', verdict: prediction.verdict, confidence: prediction.confidence, ruleId: routed.data.ruleId,
          evidence: `resident model ${routed.data.model} (confidence ${prediction.confidence.toFixed(3)})`, latencyMs: Date.now() - started,
        };
      }
      case 'human':
        return { ...free, tier: 'human', verdict: 'unanswered', confidence: 0, evidence: `no tier could decide: ${routed.data.reason}`, latencyMs: 0 };
      default: {
        const unreachable: never = routed.data.tier;
        throw new Error(`unknown tier ${String(unreachable)}`);
      }
    }
  }

  /** A model's verdict; an unusable answer (after its one retry) goes to a person, never into the grade as if valid. */
  private async judged(
    context: GradingContext,
    item: GradingItem,
    routed: EventOf<'decision.routed'>,
    provider: ModelProvider,
    tier: 'frontier' | 'resident',
  ): Promise<Completion> {
    let verdict: JudgeVerdict;
    try {
      verdict = await judgeItem(
        provider,
        { rubric: this.rubric(item), item, work: context.work, features: context.features, files: context.files },
        context.goal.backend === 'sim' ? { seed: context.goal.labels['simSeed'] ?? '0', truth: simTruthFor(item) } : undefined,
      );
    } catch (error) {
      if (!(error instanceof UnusableAnswerError)) throw error;
      await this.emit(this.unusableReview(routed, item, error));
      return {
        tier: 'human', verdict: 'unusable', confidence: 0, escalatedFrom: tier, evidence: `the ${tier} judge's answers were unusable twice; a person must decide`,
        reasoning: error.message, costUsd: 0, tokens: { input: 0, output: 0 }, latencyMs: 0, shadow: false, simulated: context.goal.backend === 'sim',
      };
    }
    return {
      tier,
      verdict: verdict.verdict,
      evidence: verdict.evidence,
      reasoning: verdict.reasoning,
      confidence: 1,
      costUsd: verdict.call.costUsd,
      tokens: { input: verdict.call.usage.inputTokens + verdict.call.usage.cacheReadTokens, output: verdict.call.usage.outputTokens },
      latencyMs: verdict.call.latencyMs,
      shadow: false,
      simulated: verdict.call.simulated,
    };
  }

  /** A spot-check: the frontier also decides a retired item, recorded in shadow for the miner to compare. */
  private async shadow(context: GradingContext, item: GradingItem, routed: EventOf<'decision.routed'>): Promise<void> {
    const answer = await this.judged(context, item, routed, this.options.frontier(context.goal), 'frontier');
    await this.emit(this.completedEvent(routed, { decisionId: item.decisionId, key: item.key, ...answer, shadow: true }));
  }

  private async tryGrade(context: GradingContext): Promise<void> {
    if (context.items.some((i) => !context.completions.has(i.decisionId))) {
      // Another grader replica may have decided the rest: the log has the last word.
      for await (const stored of this.log.replay({ filter: `${this.log.config.subjectRoot}.run.${context.work.aggregateId}.grader.decision.completed` })) {
        const e = stored.event;
        if (e?.type === 'decision.completed' && !e.data.shadow && context.items.some((i) => i.decisionId === e.data.decisionId)) {
          context.completions.set(e.data.decisionId, e.data);
        }
      }
    }
    const outcome = assembleGrade(context.work, this.options.rubrics, context.items, context.completions, context.rerun);
    if (outcome.kind === 'incomplete') return;
    const { duplicate } = await this.log.append(createEvent({ ...outcome.event, occurredAt: new Date() }));
    if (!duplicate) {
      for (const rubric of outcome.event.data.rubrics) this.metrics.grades.inc({ role: outcome.event.data.role, rubric: rubric.rubricId, passed: String(rubric.passed) });
    }
    this.contexts.delete(context.work.data.workId);
  }

  private rubric(item: GradingItem): Rubric {
    return this.options.rubrics.find((r) => r.id === item.rubricId)!;
  }

  private async contextFor(runId: string, workId: string, known?: EventOf<'work.produced'>): Promise<GradingContext> {
    let context = this.contexts.get(workId);
    if (!context) {
      context = (async () => {
        const events = await this.log.readRun(runId);
        const work = known ?? events.find((e): e is EventOf<'work.produced'> & { seq: number } => e.type === 'work.produced' && e.data.workId === workId);
        if (!work) throw new Error(`no work.produced ${workId} in run ${runId}`);
        return buildGradingContext(this.log, this.options.rubrics, events, work, this.options.commandTimeoutMs);
      })();
      context.catch(() => this.contexts.delete(workId));
      this.contexts.set(workId, context);
      if (this.contexts.size > MAX_CACHED_CONTEXTS) this.contexts.delete(this.contexts.keys().next().value!);
    }
    return context;
  }

  private completedEvent(routed: EventOf<'decision.routed'>, data: DecisionCompleted): NewEvent<'decision.completed'> {
    return {
      type: 'decision.completed',
      id: deterministicId('decision.completed', data.decisionId, data.shadow ? 'shadow' : 'primary'),
      aggregateId: routed.aggregateId,
      producer: 'grader',
      correlationId: routed.correlationId,
      causationId: routed.id,
      data,
    };
  }

  private unusableReview(routed: EventOf<'decision.routed'>, item: GradingItem, error: UnusableAnswerError): NewEvent<'review.requested'> {
    const reviewId = `rv-${deterministicId('unusable', item.decisionId).replace(/-/g, '').slice(0, 20)}`;
    return {
      type: 'review.requested',
      id: deterministicId('review.requested', reviewId),
      aggregateId: reviewId,
      producer: 'grader',
      correlationId: routed.correlationId,
      causationId: routed.id,
      data: {
        reviewId, runId: routed.aggregateId, decisionId: item.decisionId, reason: 'model-unusable',
        summary: `${item.key}: the judge's answer broke its schema twice (${error.message.slice(0, 300)})`, items: [item.itemId],
      },
    };
  }

  private async emit(input: NewEvent<'decision.requested' | 'decision.completed' | 'review.requested' | 'grade.recorded'>): Promise<void> {
    await this.log.append(createEvent({ ...input, occurredAt: new Date() }));
  }
}

/** The sim judge's truth for an item; items with no entry are judged favorably. */
function simTruthFor(item: GradingItem) {
  const always = { feature: 'turns_used', gte: 0 };
  return (
    ENGINEER_JUDGE_TRUTH[item.itemId] ??
    (item.kind === 'gate' ? { kind: 'gate' as const, pass: always } : { kind: 'dimension' as const, high: always, highScore: 5, lowScore: 3 })
  );
}
