import { LoopEvent, Predicate, Tier } from '@loopwright/events';

/** A rule the router routes by: promoted and not demoted since. */
export interface ActiveRule {
  ruleId: string;
  key: string;
  tier: Exclude<Tier, 'frontier'>;
  predicate?: Predicate;
  verdictWhenTrue?: string;
  verdictWhenFalse?: string;
  modelId?: string;
  confidenceThreshold?: number;
  spotCheckRate: number;
}

export interface Reservation {
  runId: string;
  day: string;
  usd: number;
}

export interface BudgetLedger {
  limitUsd: number;
  spentUsd: number;
  reservedUsd: number;
  /** An evaluation run (label `shadowAll: "true"`): every retired decision is also asked of the frontier. */
  shadowAll?: boolean;
}

/**
 * Everything the routing policy needs, folded from the log. The fold owns this object and
 * updates it in place (a long log would make copying every map per event quadratic); each
 * step is idempotent by id, so an event seen twice (replay, then redelivery) counts once.
 */
export interface RouterState {
  readonly rulesByKey: Map<string, ActiveRule>;
  readonly goals: Map<string, BudgetLedger>;
  readonly days: Map<string, BudgetLedger>;
  readonly reservations: Map<string, Reservation>;
  readonly settled: Set<string>;
  readonly dailyLimitUsd: number;
}

export function initialRouterState(dailyLimitUsd: number): RouterState {
  return { rulesByKey: new Map(), goals: new Map(), days: new Map(), reservations: new Map(), settled: new Set(), dailyLimitUsd };
}

export function dayOf(iso: string): string {
  return iso.slice(0, 10);
}

function goalLedger(state: RouterState, runId: string): BudgetLedger {
  let ledger = state.goals.get(runId);
  if (!ledger) state.goals.set(runId, (ledger = { limitUsd: 0, spentUsd: 0, reservedUsd: 0 }));
  return ledger;
}

function dayLedger(state: RouterState, day: string): BudgetLedger {
  let ledger = state.days.get(day);
  if (!ledger) state.days.set(day, (ledger = { limitUsd: state.dailyLimitUsd, spentUsd: 0, reservedUsd: 0 }));
  return ledger;
}

function reserve(state: RouterState, decisionId: string, reservation: Reservation): void {
  if (state.reservations.has(decisionId) || state.settled.has(decisionId) || reservation.usd === 0) return;
  state.reservations.set(decisionId, reservation);
  goalLedger(state, reservation.runId).reservedUsd += reservation.usd;
  dayLedger(state, reservation.day).reservedUsd += reservation.usd;
}

function settle(state: RouterState, event: Extract<LoopEvent, { type: 'decision.completed' }>): void {
  const settlementId = event.data.shadow ? `${event.data.decisionId}:shadow` : event.data.decisionId;
  if (state.settled.has(settlementId)) return;
  state.settled.add(settlementId);
  const reservation = state.reservations.get(event.data.decisionId);
  const goal = goalLedger(state, event.aggregateId);
  const day = dayLedger(state, reservation?.day ?? dayOf(event.occurredAt));
  goal.spentUsd += event.data.costUsd;
  day.spentUsd += event.data.costUsd;
  if (reservation) {
    state.reservations.delete(event.data.decisionId);
    goal.reservedUsd = Math.max(0, goal.reservedUsd - reservation.usd);
    day.reservedUsd = Math.max(0, day.reservedUsd - reservation.usd);
  }
}

/** Applies one event to the router's state. */
export function evolveRouter(state: RouterState, event: LoopEvent): void {
  switch (event.type) {
    case 'goal.submitted': {
      const ledger = goalLedger(state, event.aggregateId);
      ledger.limitUsd = event.data.budgetUsd;
      ledger.shadowAll = event.data.labels['shadowAll'] === 'true';
      return;
    }
    case 'decision.routed':
      reserve(state, event.data.decisionId, { runId: event.aggregateId, day: dayOf(event.occurredAt), usd: event.data.reservedUsd });
      return;
    case 'decision.completed':
      settle(state, event);
      return;
    case 'rule.promoted': {
      const { ruleId, key, tier, predicate, verdictWhenTrue, verdictWhenFalse, modelId, confidenceThreshold, spotCheckRate } = event.data;
      state.rulesByKey.set(key, { ruleId, key, tier, predicate, verdictWhenTrue, verdictWhenFalse, modelId, confidenceThreshold, spotCheckRate });
      return;
    }
    case 'rule.demoted':
      if (state.rulesByKey.get(event.data.key)?.ruleId === event.data.ruleId) state.rulesByKey.delete(event.data.key);
      return;
    default:
      return;
  }
}

/** The event types the router's state is folded from. */
export const ROUTER_STATE_EVENTS = ['goal.submitted', 'decision.routed', 'decision.completed', 'rule.promoted', 'rule.demoted'] as const;
