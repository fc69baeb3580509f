import type { DataSource } from 'typeorm';
import { RunDetail, runDetail } from './queries';

/** One decision of a run as the timeline shows it: what was decided, by which tier, at what cost. */
export interface TimelineDecision {
  decisionId: string;
  key: string;
  taskId: string | null;
  kind: string | null;
  /** Where the router sent it, and why. */
  routedTier: string | null;
  reason: string | null;
  ruleId: string | null;
  model: string | null;
  /** The tier that answered (after any escalation); null while it is pending. */
  tier: string | null;
  escalatedFrom: string | null;
  verdict: string | null;
  confidence: number | null;
  costUsd: number | null;
  latencyMs: number | null;
  /** A spot-check: the frontier's answer alongside. */
  shadow: { tier: string | null; verdict: string | null; costUsd: number | null } | null;
  requestedSeq: number | null;
  requestedAt: string | null;
}

/** One iteration of a task: its grade and the feedback that went back to the agent when it failed. */
export interface TimelineIteration {
  taskId: string;
  role: string;
  iteration: number;
  gradeId: string;
  passed: boolean;
  overall: number;
  /** The grade's toReachNext entries: what the next iteration was asked to change (empty when it passed). */
  feedback: { rubricId: string; itemId: string; delta: string; fixType: string; owner: string }[];
}

export interface RunTimeline extends RunDetail {
  iterations: TimelineIteration[];
  decisions: TimelineDecision[];
  /** Decisions and their cost per answering tier (shadow answers excluded). */
  costByTier: Record<string, { decisions: number; costUsd: number }>;
}

interface ToReachNextEntry {
  delta: string;
  fixType: string;
  owner: string;
}

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** A run's timeline from the projections: tasks, iterations with their feedback, grades item by item, every decision. */
export async function runTimeline(db: DataSource, runId: string): Promise<RunTimeline | undefined> {
  const detail = await runDetail(db, runId);
  if (!detail) return undefined;
  const rows = await db.query('SELECT * FROM decisions WHERE run_id = $1 ORDER BY requested_seq NULLS LAST, decision_id', [runId]);
  const decisions: TimelineDecision[] = rows.map((d: any) => ({
    decisionId: d.decision_id, key: d.key, taskId: d.task_id, kind: d.kind, routedTier: d.routed_tier, reason: d.reason, ruleId: d.rule_id,
    model: d.model, tier: d.tier, escalatedFrom: d.escalated_from, verdict: d.verdict, confidence: d.confidence, costUsd: d.cost_usd,
    latencyMs: d.latency_ms,
    shadow: d.shadow_tier === null ? null : { tier: d.shadow_tier, verdict: d.shadow_verdict, costUsd: d.shadow_cost_usd },
    requestedSeq: num(d.requested_seq), requestedAt: d.requested_at ? d.requested_at.toISOString() : null,
  }));
  const costByTier: RunTimeline['costByTier'] = {};
  for (const d of decisions) {
    if (!d.tier) continue;
    const slot = (costByTier[d.tier] ??= { decisions: 0, costUsd: 0 });
    slot.decisions += 1;
    slot.costUsd += d.costUsd ?? 0;
  }
  const iterations = detail.grades.map((g) => ({
    taskId: g.taskId, role: g.role, iteration: g.iteration, gradeId: g.gradeId, passed: g.passed, overall: g.overall,
    feedback: g.passed
      ? []
      : g.items
          .filter((i) => i.toReachNext !== null)
          .map((i) => {
            const next = i.toReachNext as ToReachNextEntry;
            return { rubricId: i.rubricId, itemId: i.itemId, delta: next.delta, fixType: next.fixType, owner: next.owner };
          }),
  }));
  return { ...detail, iterations, decisions, costByTier };
}
