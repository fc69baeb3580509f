import type { EntityManager } from 'typeorm';
import type { EventOf, LoopEvent } from '@loopwright/events';
import { defineReadModel, SequencedEvent } from '../projector';
import { completionKey, FoldedKeys, foldedKeysTable } from '../folded-keys';
import { RowSet } from '../row-set';
import { defineTable } from '../row-table';

export interface BudgetRow {
  scope: 'goal' | 'day';
  /** The run id for a goal budget (as the router keys it), `YYYY-MM-DD` (UTC) for a day. */
  scope_id: string;
  /** The goal's budgetUsd; for a day, the limit the router last reported (null until it does). */
  limit_usd: number | null;
  /** Summed from decision.completed (shadow spot-checks included), in log order; each completion once, on the day of its first event. */
  spent_usd: number;
  /** Completions counted (a decision's primary and its shadow spot-check are two). */
  decisions: number;
  /** As the router last reported them in budget.exhausted. */
  reported_spent_usd: number | null;
  reported_reserved_usd: number | null;
  /** Refusals counted, each (producer, decision) once. */
  exhausted_count: number;
  last_exhausted_decision_id: string | null;
  last_exhausted_at: string | null;
  updated_seq: number;
}

export const BUDGETS = defineTable<BudgetRow>({
  name: 'budgets',
  key: ['scope', 'scope_id'],
  columns: {
    scope: 'text', scope_id: 'text', limit_usd: 'float8', spent_usd: 'float8', decisions: 'int4', reported_spent_usd: 'float8',
    reported_reserved_usd: 'float8', exhausted_count: 'int4', last_exhausted_decision_id: 'text', last_exhausted_at: 'timestamptz',
    updated_seq: 'int8',
  },
});

/** The completions and refusals counted into the budgets: a second event for one adds nothing. */
export const BUDGETS_FOLDED = foldedKeysTable('budgets_folded');

const HANDLES = ['goal.submitted', 'decision.completed', 'budget.exhausted'] as const;
type BudgetEvent = EventOf<(typeof HANDLES)[number]>;

/** The business key of an event the budgets count; the router and the executor each refuse a decision at most once. */
function countedKeyOf(event: BudgetEvent): string | undefined {
  if (event.type === 'decision.completed') return completionKey(event.data.decisionId, event.data.shadow);
  if (event.type === 'budget.exhausted') return `exhausted:${event.producer}:${event.data.decisionId}`;
  return undefined;
}

/** The UTC day of an ISO timestamp, as the router names day budgets. */
export function dayOf(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10);
}

function scopesOf(event: BudgetEvent): [BudgetRow['scope'], string][] {
  switch (event.type) {
    case 'goal.submitted':
      return [['goal', event.aggregateId]];
    case 'decision.completed':
      return [['goal', event.aggregateId], ['day', dayOf(event.occurredAt)]];
    case 'budget.exhausted':
      return [[event.data.scope, event.data.scopeId]];
    default: {
      const unreachable: never = event;
      throw new Error(`budgets: unhandled ${(unreachable as LoopEvent).type}`);
    }
  }
}

function emptyBudget(scope: BudgetRow['scope'], scopeId: string, seq: number): BudgetRow {
  return {
    scope, scope_id: scopeId, limit_usd: null, spent_usd: 0, decisions: 0, reported_spent_usd: null, reported_reserved_usd: null,
    exhausted_count: 0, last_exhausted_decision_id: null, last_exhausted_at: null, updated_seq: seq,
  };
}

export function evolveBudgets(budgets: RowSet<BudgetRow>, folded: FoldedKeys, event: BudgetEvent, seq: number): void {
  const counted = countedKeyOf(event);
  if (counted !== undefined && !folded.firstTime(counted)) return;
  for (const [scope, scopeId] of scopesOf(event)) {
    const row = budgets.get(scope, scopeId) ?? emptyBudget(scope, scopeId, seq);
    switch (event.type) {
      case 'goal.submitted':
        row.limit_usd = event.data.budgetUsd;
        break;
      case 'decision.completed':
        row.spent_usd += event.data.costUsd;
        row.decisions += 1;
        break;
      case 'budget.exhausted':
        row.limit_usd = event.data.limitUsd;
        row.reported_spent_usd = event.data.spentUsd;
        row.reported_reserved_usd = event.data.reservedUsd;
        row.exhausted_count += 1;
        row.last_exhausted_decision_id = event.data.decisionId;
        row.last_exhausted_at = event.occurredAt;
        break;
      default: {
        const unreachable: never = event;
        throw new Error(`budgets: unhandled ${(unreachable as LoopEvent).type}`);
      }
    }
    row.updated_seq = seq;
    budgets.put(row);
  }
}

async function applyBudgets(events: readonly SequencedEvent[], tx: EntityManager): Promise<void> {
  const typed = events as readonly { seq: number; event: BudgetEvent }[];
  const budgets = await RowSet.load(tx, BUDGETS, typed.flatMap(({ event }) => scopesOf(event)));
  const folded = await FoldedKeys.load(tx, BUDGETS_FOLDED, typed.flatMap(({ event }) => countedKeyOf(event) ?? []));
  for (const { seq, event } of typed) evolveBudgets(budgets, folded, event, seq);
  await budgets.save(tx);
  await folded.save(tx);
}

/** Goal and day budgets: limits, what the decisions spent, and what the router reported when one ran out. */
export const budgetsProjector = defineReadModel({
  name: 'budgets',
  version: 1,
  handles: HANDLES,
  tables: ['budgets', BUDGETS_FOLDED.name],
  applyMany: applyBudgets,
});
