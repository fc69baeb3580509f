import type { EntityManager } from 'typeorm';
import type { EventOf, LoopEvent } from '@loopwright/events';
import { defineReadModel, SequencedEvent } from '../projector';
import { RowSet } from '../row-set';
import { defineTable } from '../row-table';

export interface DecisionRow {
  decision_id: string;
  run_id: string;
  key: string;
  requester: string | null;
  role: string | null;
  kind: string | null;
  item: string | null;
  task_id: string | null;
  builtin_check: string | null;
  features: Record<string, number | boolean | string> | null;
  /** What a text-reading resident may read for the decision (the final message, the code). */
  texts: string[] | null;
  estimated_usd: number | null;
  routed_tier: string | null;
  reason: string | null;
  rule_id: string | null;
  model: string | null;
  rule_verdict: string | null;
  reserved_usd: number | null;
  /** The router asked for a spot-check: the frontier also answers, recorded in the shadow_* columns. */
  shadow: boolean;
  /** The primary completion: the tier that answered (after any escalation) and what it said. */
  tier: string | null;
  verdict: string | null;
  confidence: number | null;
  cost_usd: number | null;
  tokens_in: number | null;
  tokens_out: number | null;
  latency_ms: number | null;
  escalated_from: string | null;
  simulated: boolean;
  shadow_tier: string | null;
  shadow_verdict: string | null;
  shadow_confidence: number | null;
  shadow_cost_usd: number | null;
  shadow_latency_ms: number | null;
  requested_at: string | null;
  completed_at: string | null;
  requested_seq: number | null;
  routed_seq: number | null;
  completed_seq: number | null;
  shadow_completed_seq: number | null;
}

export const DECISIONS = defineTable<DecisionRow>({
  name: 'decisions',
  key: ['decision_id'],
  columns: {
    decision_id: 'text', run_id: 'text', key: 'text', requester: 'text', role: 'text', kind: 'text', item: 'text', task_id: 'text',
    builtin_check: 'text', features: 'jsonb', texts: 'jsonb', estimated_usd: 'float8', routed_tier: 'text', reason: 'text', rule_id: 'text',
    model: 'text', rule_verdict: 'text', reserved_usd: 'float8', shadow: 'bool', tier: 'text', verdict: 'text',
    confidence: 'float8', cost_usd: 'float8', tokens_in: 'int4', tokens_out: 'int4', latency_ms: 'float8', escalated_from: 'text',
    simulated: 'bool', shadow_tier: 'text', shadow_verdict: 'text', shadow_confidence: 'float8', shadow_cost_usd: 'float8',
    shadow_latency_ms: 'float8', requested_at: 'timestamptz', completed_at: 'timestamptz', requested_seq: 'int8',
    routed_seq: 'int8', completed_seq: 'int8', shadow_completed_seq: 'int8',
  },
});

const HANDLES = ['decision.requested', 'decision.routed', 'decision.completed'] as const;
type DecisionEvent = EventOf<(typeof HANDLES)[number]>;

function emptyDecision(decisionId: string, runId: string, key: string): DecisionRow {
  return {
    decision_id: decisionId, run_id: runId, key, requester: null, role: null, kind: null, item: null, task_id: null,
    builtin_check: null, features: null, texts: null, estimated_usd: null, routed_tier: null, reason: null, rule_id: null, model: null,
    rule_verdict: null, reserved_usd: null, shadow: false, tier: null, verdict: null, confidence: null, cost_usd: null,
    tokens_in: null, tokens_out: null, latency_ms: null, escalated_from: null, simulated: false, shadow_tier: null,
    shadow_verdict: null, shadow_confidence: null, shadow_cost_usd: null, shadow_latency_ms: null, requested_at: null,
    completed_at: null, requested_seq: null, routed_seq: null, completed_seq: null, shadow_completed_seq: null,
  };
}

export function evolveDecision(decisions: RowSet<DecisionRow>, event: DecisionEvent, seq: number): void {
  const { data } = event;
  const row = decisions.get(data.decisionId) ?? emptyDecision(data.decisionId, event.aggregateId, data.key);
  switch (event.type) {
    case 'decision.requested':
      if (row.requested_seq !== null) return;
      Object.assign(row, {
        requester: event.data.requester, role: event.data.role, kind: event.data.kind, item: event.data.item ?? null,
        task_id: event.data.taskId ?? null, builtin_check: event.data.builtinCheck ?? null, features: event.data.features,
        texts: event.data.texts ?? null,
        estimated_usd: event.data.estimatedUsd, requested_at: event.occurredAt, requested_seq: seq,
      });
      break;
    // A decision routed or completed again under another id (a replica's answer, a routing repeated
    // after a restart) keeps its first: the requester acted on that one, and graded with it.
    case 'decision.routed':
      if (row.routed_seq !== null) return;
      Object.assign(row, {
        routed_tier: event.data.tier, reason: event.data.reason, rule_id: event.data.ruleId ?? null, model: event.data.model ?? null,
        rule_verdict: event.data.ruleVerdict ?? null, reserved_usd: event.data.reservedUsd, shadow: event.data.shadow,
        routed_seq: seq,
      });
      break;
    case 'decision.completed':
      if (event.data.shadow) {
        if (row.shadow_completed_seq !== null) return;
        Object.assign(row, {
          shadow_tier: event.data.tier, shadow_verdict: event.data.verdict, shadow_confidence: event.data.confidence,
          shadow_cost_usd: event.data.costUsd, shadow_latency_ms: event.data.latencyMs, shadow_completed_seq: seq,
        });
      } else {
        if (row.completed_seq !== null) return;
        Object.assign(row, {
          tier: event.data.tier, verdict: event.data.verdict, confidence: event.data.confidence, cost_usd: event.data.costUsd,
          tokens_in: event.data.tokens.input, tokens_out: event.data.tokens.output, latency_ms: event.data.latencyMs,
          escalated_from: event.data.escalatedFrom ?? null, simulated: event.data.simulated, completed_at: event.occurredAt,
          completed_seq: seq,
        });
        if (event.data.ruleId) row.rule_id = event.data.ruleId;
      }
      break;
    default: {
      const unreachable: never = event;
      throw new Error(`decisions: unhandled ${(unreachable as LoopEvent).type}`);
    }
  }
  decisions.put(row);
}

async function applyDecisions(events: readonly SequencedEvent[], tx: EntityManager): Promise<void> {
  const typed = events as readonly { seq: number; event: DecisionEvent }[];
  const decisions = await RowSet.load(tx, DECISIONS, typed.map(({ event }) => [event.data.decisionId]));
  for (const { seq, event } of typed) evolveDecision(decisions, event, seq);
  await decisions.save(tx);
}

/**
 * One row per decision: what was asked (key, features), where it was routed and why, and what the
 * answering tier said, with a spot-check's frontier answer alongside in the shadow_* columns.
 */
export const decisionsProjector = defineReadModel({
  name: 'decisions',
  version: 1,
  handles: HANDLES,
  tables: ['decisions'],
  applyMany: applyDecisions,
});
