import { createHash } from 'node:crypto';
import { evaluatePredicate } from '@loopwright/checks';
import { deterministicId, EventOf, isDraftingKey, NewEvent } from '@loopwright/events';
import { ActiveRule, dayOf, RouterState } from './router-state';

export interface RoutingConfig {
  /** The frontier model the requester should use. */
  frontierModel: string;
}

export type RoutingOutcome =
  | { kind: 'routed'; events: NewEvent<'decision.routed' | 'budget.exhausted' | 'review.requested'>[] }
  /** The goal's budget is not in the state yet (its event is still on the way): try again shortly. */
  | { kind: 'wait'; reason: string };

/** A number in [0, 1) drawn from the decision id: the same decision always draws the same. */
export function spotCheckDraw(decisionId: string): number {
  return createHash('sha256').update(`spot-check:${decisionId}`).digest().readUInt32BE(0) / 2 ** 32;
}

function remaining(ledger: { limitUsd: number; spentUsd: number; reservedUsd: number }): number {
  return ledger.limitUsd - ledger.spentUsd - ledger.reservedUsd;
}

function frontierAffordable(state: RouterState, runId: string, day: string, usd: number): 'goal' | 'day' | null {
  const goal = state.goals.get(runId)!;
  if (remaining(goal) < usd || goal.limitUsd === 0) return 'goal';
  const dayLedger = state.days.get(day) ?? { limitUsd: state.dailyLimitUsd, spentUsd: 0, reservedUsd: 0 };
  if (remaining(dayLedger) < usd) return 'day';
  return null;
}

/**
 * The routing policy, in order: a built-in deterministic check → deterministic; an active mined
 * rule for the key → deterministic (its verdict evaluated on the request's features); a promoted
 * resident model → resident, escalating below its threshold; otherwise frontier if the budgets
 * allow; otherwise a human, loudly: budget.exhausted and review.requested, never a silent default.
 */
/** `day`: the day the decision counts against, the router's own when it routes (never the request's claim). */
export function routeDecision(state: RouterState, request: EventOf<'decision.requested'>, config: RoutingConfig, day: string): RoutingOutcome {
  const runId = request.aggregateId;
  if (!state.goals.has(runId)) return { kind: 'wait', reason: `the goal of run ${runId} has not reached the router yet` };
  const { decisionId, key, estimatedUsd, builtinCheck, features } = request.data;
  const common = { aggregateId: runId, producer: 'router' as const, correlationId: request.correlationId, causationId: request.id };
  const routed = (data: Omit<EventOf<'decision.routed'>['data'], 'decisionId' | 'key'>): NewEvent<'decision.routed'> => ({
    ...common,
    type: 'decision.routed',
    id: deterministicId('decision.routed', decisionId),
    data: { decisionId, key, ...data },
  });

  if (builtinCheck) {
    return { kind: 'routed', events: [routed({ tier: 'deterministic', reason: `built-in check ${builtinCheck}`, reservedUsd: 0, shadow: false })] };
  }

  const rule = state.rulesByKey.get(key);
  if (rule) {
    // Drafting has no verdict a frontier could give in shadow: it is judged on the grades of what it wrote.
    const sampled = !isDraftingKey(key) && (state.goals.get(runId)!.shadowAll || spotCheckDraw(decisionId) < rule.spotCheckRate);
    const shadow = sampled && frontierAffordable(state, runId, day, estimatedUsd) === null;
    return { kind: 'routed', events: [routed(ruleRoute(rule, features, shadow, shadow ? estimatedUsd : 0, config))] };
  }

  const shortOf = frontierAffordable(state, runId, day, estimatedUsd);
  if (shortOf === null) {
    return {
      kind: 'routed',
      events: [routed({ tier: 'frontier', reason: 'no cheaper tier holds this key', model: config.frontierModel, reservedUsd: estimatedUsd, shadow: false })],
    };
  }
  return { kind: 'routed', events: humanRoute(state, request, shortOf, day, routed) };
}

function ruleRoute(
  rule: ActiveRule,
  features: Record<string, number | boolean | string>,
  shadow: boolean,
  reservedUsd: number,
  config: RoutingConfig,
): Omit<EventOf<'decision.routed'>['data'], 'decisionId' | 'key'> {
  const base = { ruleId: rule.ruleId, shadow, reservedUsd, ...(shadow ? { model: config.frontierModel } : {}) };
  if (rule.tier === 'deterministic' && rule.predicate) {
    const holds = evaluatePredicate(rule.predicate, features);
    const ruleVerdict = holds ? rule.verdictWhenTrue : rule.verdictWhenFalse;
    return { ...base, tier: 'deterministic', reason: `mined rule ${rule.ruleId} (predicate ${holds ? 'holds' : 'does not hold'})`, ruleVerdict };
  }
  return {
    ...base,
    tier: 'resident',
    reason: `resident model ${rule.modelId} promoted for this key`,
    model: rule.modelId,
    confidenceThreshold: rule.confidenceThreshold ?? 0.8,
  };
}

function humanRoute(
  state: RouterState,
  request: EventOf<'decision.requested'>,
  shortOf: 'goal' | 'day',
  day: string,
  routed: (data: Omit<EventOf<'decision.routed'>['data'], 'decisionId' | 'key'>) => NewEvent<'decision.routed'>,
): NewEvent<'decision.routed' | 'budget.exhausted' | 'review.requested'>[] {
  const runId = request.aggregateId;
  const { decisionId, key, estimatedUsd } = request.data;
  const ledger = shortOf === 'goal' ? state.goals.get(runId)! : (state.days.get(day) ?? { limitUsd: state.dailyLimitUsd, spentUsd: 0, reservedUsd: 0 });
  const scopeId = shortOf === 'goal' ? runId : day;
  const reviewId = `rv-${deterministicId('review', decisionId).slice(0, 18).replace(/-/g, '')}`;
  const reason = `the ${shortOf} budget cannot cover $${estimatedUsd.toFixed(4)} (limit $${ledger.limitUsd.toFixed(2)}, spent $${ledger.spentUsd.toFixed(4)}, reserved $${ledger.reservedUsd.toFixed(4)})`;
  const exhausted: NewEvent<'budget.exhausted'> = {
    type: 'budget.exhausted',
    id: deterministicId('budget.exhausted', decisionId),
    aggregateId: `${shortOf}-${scopeId}`,
    producer: 'router',
    correlationId: request.correlationId,
    causationId: request.id,
    data: { scope: shortOf, scopeId, limitUsd: ledger.limitUsd, spentUsd: ledger.spentUsd, reservedUsd: ledger.reservedUsd, decisionId },
  };
  const review: NewEvent<'review.requested'> = {
    type: 'review.requested',
    id: deterministicId('review.requested', decisionId),
    aggregateId: reviewId,
    producer: 'router',
    correlationId: request.correlationId,
    causationId: request.id,
    data: { reviewId, runId, taskId: request.data.taskId, decisionId, reason: 'budget', summary: `${key}: ${reason}; a person must decide`, items: [key] },
  };
  return [routed({ tier: 'human', reason, reservedUsd: 0, shadow: false }), exhausted, review];
}

