import type { DataSource } from 'typeorm';
import { DEFAULT_TIER_SHARE_WINDOW } from './read-models/tier-share';

export const TIER_NAMES = ['frontier', 'resident', 'deterministic', 'human'] as const;
export type TierName = (typeof TIER_NAMES)[number];

export interface TierCount {
  decisions: number;
  costUsd: number;
}

export interface TierShare {
  tiers: Record<TierName, TierCount>;
  decisions: number;
  costUsd: number;
  /** frontier decisions / all decisions; 0 when there were none. */
  frontierShare: number;
}

export interface TierShareWindow extends TierShare {
  /** 1-based: window w holds the runs with ordinals (w-1)·size+1 … w·size. */
  window: number;
  firstRunOrdinal: number;
  lastRunOrdinal: number;
  /** Runs in the window that had at least one counted decision. */
  runs: number;
}

function emptyShare(): TierShare {
  return {
    tiers: Object.fromEntries(TIER_NAMES.map((t) => [t, { decisions: 0, costUsd: 0 }])) as Record<TierName, TierCount>,
    decisions: 0,
    costUsd: 0,
    frontierShare: 0,
  };
}

function addTier(share: TierShare, tier: string, decisions: number, costUsd: number): void {
  const slot = share.tiers[tier as TierName];
  if (!slot) return;
  slot.decisions += decisions;
  slot.costUsd += costUsd;
  share.decisions += decisions;
  share.costUsd += costUsd;
  share.frontierShare = share.decisions === 0 ? 0 : share.tiers.frontier.decisions / share.decisions;
}

/** Decisions and cost per tier for each window of `windowSize` runs by run ordinal (shadow spot-checks excluded). */
export async function tierShareByWindow(db: DataSource, windowSize = DEFAULT_TIER_SHARE_WINDOW): Promise<TierShareWindow[]> {
  if (!Number.isInteger(windowSize) || windowSize < 1) throw new RangeError(`window size must be a positive integer, got ${windowSize}`);
  const rows: { window: number; tier: string; decisions: number; cost_usd: number }[] = await db.query(
    `SELECT (run_ordinal - 1) / $1 + 1 AS window, tier, sum(decisions)::int AS decisions, sum(cost_usd)::float8 AS cost_usd
       FROM tier_share_by_run GROUP BY 1, 2 ORDER BY 1, 2`,
    [windowSize],
  );
  const runs: { window: number; runs: number }[] = await db.query(
    `SELECT (run_ordinal - 1) / $1 + 1 AS window, count(DISTINCT run_id)::int AS runs FROM tier_share_by_run GROUP BY 1`,
    [windowSize],
  );
  const byWindow = new Map<number, TierShareWindow>();
  for (const row of rows) {
    let window = byWindow.get(row.window);
    if (!window) {
      window = {
        ...emptyShare(), window: row.window, firstRunOrdinal: (row.window - 1) * windowSize + 1, lastRunOrdinal: row.window * windowSize,
        runs: runs.find((r) => r.window === row.window)?.runs ?? 0,
      };
      byWindow.set(row.window, window);
    }
    addTier(window, row.tier, row.decisions, row.cost_usd);
  }
  return [...byWindow.values()];
}

export interface RunTierShare extends TierShare {
  runId: string;
  runOrdinal: number;
  simulated: boolean;
}

/** Decisions and cost per tier for each of the latest `limit` runs that had decisions, oldest first. */
export async function tierShareByRun(db: DataSource, options: { limit?: number } = {}): Promise<RunTierShare[]> {
  const rows: { run_ordinal: number; run_id: string; simulated: boolean; tier: string; decisions: number; cost_usd: number }[] = await db.query(
    `SELECT s.run_ordinal, s.run_id, s.simulated, s.tier, s.decisions, s.cost_usd FROM tier_share_by_run s
      WHERE s.run_ordinal IN (SELECT DISTINCT run_ordinal FROM tier_share_by_run ORDER BY run_ordinal DESC LIMIT $1)
      ORDER BY s.run_ordinal, s.tier`,
    [options.limit ?? 500],
  );
  const byRun = new Map<number, RunTierShare>();
  for (const row of rows) {
    let share = byRun.get(row.run_ordinal);
    if (!share) byRun.set(row.run_ordinal, (share = { ...emptyShare(), runId: row.run_id, runOrdinal: row.run_ordinal, simulated: row.simulated }));
    addTier(share, row.tier, row.decisions, row.cost_usd);
  }
  return [...byRun.values()];
}

/** Decisions and cost per tier for each UTC day. */
export async function tierShareByDay(db: DataSource): Promise<(TierShare & { day: string })[]> {
  const rows: { day: string; tier: string; decisions: number; cost_usd: number }[] = await db.query(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, tier, decisions, cost_usd FROM tier_share_by_day ORDER BY day, tier`,
  );
  const byDay = new Map<string, TierShare & { day: string }>();
  for (const row of rows) {
    let share = byDay.get(row.day);
    if (!share) byDay.set(row.day, (share = { ...emptyShare(), day: row.day }));
    addTier(share, row.tier, row.decisions, row.cost_usd);
  }
  return [...byDay.values()];
}

export interface RunSummary {
  runId: string;
  runOrdinal: number;
  goalId: string;
  title: string;
  roles: string[];
  backend: string;
  simulated: boolean;
  budgetUsd: number;
  /** submitted, running, review; how it ended (done, stuck, gate-failed, blocked-on-questions); completed or failed in logs from before run.ended. */
  status: string;
  /** Why the run ended and each role's state then, as run.ended said; null while it has not ended (or since it resumed). */
  end: RunEnd | null;
  iterations: number;
  costUsd: number;
  submittedAt: string;
  startedAt: string | null;
  endedAt: string | null;
}

export interface RunEnd {
  reason: string;
  roles: { role: string; status: string }[];
}

const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

function toRunSummary(row: any): RunSummary {
  return {
    runId: row.run_id, runOrdinal: row.run_ordinal, goalId: row.goal_id, title: row.title, roles: row.roles, backend: row.backend,
    simulated: row.simulated, budgetUsd: row.budget_usd, status: row.status,
    end: row.role_states ? { reason: row.end_reason, roles: row.role_states } : null, iterations: row.iterations, costUsd: row.cost_usd,
    submittedAt: row.submitted_at.toISOString(), startedAt: iso(row.started_at), endedAt: iso(row.ended_at),
  };
}

export interface RunFilter {
  status?: string;
  /** Runs whose pipeline includes this role. */
  role?: string;
  backend?: string;
  /** Case-insensitive, anywhere in the title, the run id or the goal id. */
  text?: string;
  limit?: number;
}

/** Runs, newest first, that match every filter given. */
export async function runsList(db: DataSource, options: RunFilter = {}): Promise<RunSummary[]> {
  const rows = await db.query(
    `SELECT * FROM runs
      WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR roles ? $2) AND ($3::text IS NULL OR backend = $3)
        AND ($4::text IS NULL OR strpos(lower(title || ' ' || run_id || ' ' || goal_id), lower($4)) > 0)
      ORDER BY run_ordinal DESC LIMIT $5`,
    [options.status || null, options.role || null, options.backend || null, options.text || null, options.limit ?? 100],
  );
  return rows.map(toRunSummary);
}

export interface RunDetail {
  run: RunSummary;
  tasks: { taskId: string; role: string; iteration: number; status: string; finalOverall: number | null; failureReason: string | null }[];
  grades: {
    gradeId: string;
    taskId: string;
    role: string;
    iteration: number;
    passed: boolean;
    overall: number;
    costUsd: number;
    items: { rubricId: string; kind: string; itemId: string; passed: boolean; score: number | null; tier: string; evidence: string; toReachNext: unknown }[];
  }[];
  decisionsByTier: Record<string, number>;
  reviews: ReviewSummary[];
}

/** One run with its tasks, grades (and their items), decisions per tier and reviews; undefined when unknown. */
export async function runDetail(db: DataSource, runId: string): Promise<RunDetail | undefined> {
  const [run] = await db.query('SELECT * FROM runs WHERE run_id = $1', [runId]);
  if (!run) return undefined;
  const tasks = await db.query('SELECT * FROM tasks WHERE run_id = $1 ORDER BY started_at, task_id', [runId]);
  const grades = await db.query('SELECT * FROM grades WHERE run_id = $1 ORDER BY recorded_seq', [runId]);
  const items = await db.query(
    `SELECT i.* FROM grade_items i JOIN grades g ON g.grade_id = i.grade_id WHERE g.run_id = $1 ORDER BY i.rubric_id, i.kind DESC, i.item_id`,
    [runId],
  );
  const tiers: { tier: string; n: number }[] = await db.query(
    `SELECT tier, decisions AS n FROM tier_share_by_run WHERE run_id = $1`,
    [runId],
  );
  return {
    run: toRunSummary(run),
    tasks: tasks.map((t: any) => ({
      taskId: t.task_id, role: t.role, iteration: t.iteration, status: t.status, finalOverall: t.final_overall, failureReason: t.failure_reason,
    })),
    grades: grades.map((g: any) => ({
      gradeId: g.grade_id, taskId: g.task_id, role: g.role, iteration: g.iteration, passed: g.passed, overall: g.overall, costUsd: g.cost_usd,
      items: items
        .filter((i: any) => i.grade_id === g.grade_id)
        .map((i: any) => ({
          rubricId: i.rubric_id, kind: i.kind, itemId: i.item_id, passed: i.passed, score: i.score, tier: i.tier, evidence: i.evidence,
          toReachNext: i.to_reach_next,
        })),
    })),
    decisionsByTier: Object.fromEntries(tiers.map((t) => [t.tier, t.n])),
    reviews: await reviewsList(db, { runId }),
  };
}

export interface RuleSummary {
  ruleId: string;
  kind: string | null;
  key: string;
  role: string | null;
  state: string;
  tier: string | null;
  scopeCall: boolean;
  predicate: unknown;
  verdictWhenTrue: string | null;
  verdictWhenFalse: string | null;
  evidence: unknown;
  approvals: { by: string; note: string; at: string }[];
  updatedSeq: number;
}

function toRuleSummary(row: any): RuleSummary {
  return {
    ruleId: row.rule_id, kind: row.kind, key: row.key, role: row.role, state: row.state, tier: row.tier, scopeCall: row.scope_call,
    predicate: row.predicate, verdictWhenTrue: row.verdict_when_true, verdictWhenFalse: row.verdict_when_false, evidence: row.evidence,
    approvals: row.approvals, updatedSeq: Number(row.updated_seq),
  };
}

export async function rulesList(db: DataSource, options: { state?: string; key?: string } = {}): Promise<RuleSummary[]> {
  const rows = await db.query(
    `SELECT * FROM rules WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR key = $2) ORDER BY updated_seq DESC`,
    [options.state ?? null, options.key ?? null],
  );
  return rows.map(toRuleSummary);
}

export interface RuleDetail extends RuleSummary {
  rejectionReason: string | null;
  demotionReason: string | null;
  disagreement: number | null;
  validations: {
    seq: number;
    goldenChecked: number;
    goldenChanged: string[];
    history: { precision: number; recall: number; n: number };
    shadow: { agreement: number; n: number } | null;
    validatedAt: string;
  }[];
}

export async function ruleDetail(db: DataSource, ruleId: string): Promise<RuleDetail | undefined> {
  const [row] = await db.query('SELECT * FROM rules WHERE rule_id = $1', [ruleId]);
  if (!row) return undefined;
  const validations = await db.query('SELECT * FROM rule_validations WHERE rule_id = $1 ORDER BY seq', [ruleId]);
  return {
    ...toRuleSummary(row),
    rejectionReason: row.rejection_reason,
    demotionReason: row.demotion_reason,
    disagreement: row.disagreement,
    validations: validations.map((v: any) => ({
      seq: Number(v.seq), goldenChecked: v.golden_checked, goldenChanged: v.golden_changed,
      history: { precision: v.history_precision, recall: v.history_recall, n: v.history_n },
      shadow: v.shadow_agreement === null ? null : { agreement: v.shadow_agreement, n: v.shadow_n },
      validatedAt: v.validated_at.toISOString(),
    })),
  };
}

export interface ReviewSummary {
  reviewId: string;
  runId: string | null;
  taskId: string | null;
  decisionId: string | null;
  ruleId: string | null;
  reason: string | null;
  summary: string | null;
  items: string[];
  status: string;
  resolution: string | null;
  resolvedBy: string | null;
  requestedAt: string | null;
  resolvedAt: string | null;
}

/** Reviews, open ones first, oldest first within each. */
export async function reviewsList(db: DataSource, options: { status?: 'open' | 'resolved'; runId?: string } = {}): Promise<ReviewSummary[]> {
  const rows = await db.query(
    `SELECT * FROM reviews WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR run_id = $2)
      ORDER BY status = 'open' DESC, requested_seq NULLS LAST, review_id`,
    [options.status ?? null, options.runId ?? null],
  );
  return rows.map((r: any) => ({
    reviewId: r.review_id, runId: r.run_id, taskId: r.task_id, decisionId: r.decision_id, ruleId: r.rule_id, reason: r.reason,
    summary: r.summary, items: r.items, status: r.status, resolution: r.resolution, resolvedBy: r.resolved_by,
    requestedAt: iso(r.requested_at), resolvedAt: iso(r.resolved_at),
  }));
}

export interface DecisionForMining {
  decisionId: string;
  runId: string;
  taskId: string | null;
  requestedSeq: number | null;
  features: Record<string, number | boolean | string>;
  texts: string[] | null;
  routedTier: string | null;
  ruleId: string | null;
  tier: string | null;
  verdict: string | null;
  confidence: number | null;
  costUsd: number | null;
  /** The frontier's answer when the decision was spot-checked. */
  shadowTier: string | null;
  shadowVerdict: string | null;
  shadowConfidence: number | null;
}

/**
 * The completed decisions of one key in log order, with the features they were asked with and the
 * verdicts given (primary and, for spot-checks, the frontier's shadow): the miner's training and
 * validation history. `tier` keeps only decisions answered by that tier; `sinceSeq` only those
 * requested after that sequence.
 */
export async function decisionsForKey(
  db: DataSource,
  key: string,
  options: { tier?: string; sinceSeq?: number; limit?: number } = {},
): Promise<DecisionForMining[]> {
  const rows = await db.query(
    `SELECT * FROM decisions
      WHERE key = $1 AND tier IS NOT NULL AND ($2::text IS NULL OR tier = $2) AND ($3::bigint IS NULL OR requested_seq > $3)
      ORDER BY requested_seq NULLS LAST, decision_id LIMIT $4`,
    [key, options.tier ?? null, options.sinceSeq ?? null, options.limit ?? 100_000],
  );
  return rows.map((d: any) => ({
    decisionId: d.decision_id, runId: d.run_id, taskId: d.task_id, requestedSeq: d.requested_seq === null ? null : Number(d.requested_seq),
    features: d.features ?? {}, texts: d.texts ?? null, routedTier: d.routed_tier, ruleId: d.rule_id, tier: d.tier, verdict: d.verdict, confidence: d.confidence,
    costUsd: d.cost_usd, shadowTier: d.shadow_tier, shadowVerdict: d.shadow_verdict, shadowConfidence: d.shadow_confidence,
  }));
}

export interface CorrectionSignature {
  signature: string;
  role: string;
  rubricId: string;
  kind: string;
  itemId: string;
  fixType: string;
  deltaNormalized: string;
  exampleDelta: string;
  count: number;
  exampleEventIds: string[];
}

export interface CorrectionsForKey {
  decisionKey: string;
  /** Occurrences across all its signatures. */
  total: number;
  /** Most frequent first. */
  signatures: CorrectionSignature[];
}

/** Recurring corrections grouped by the decision key they concern, most frequent keys first. */
export async function correctionsByKey(
  db: DataSource,
  options: { key?: string; minCount?: number } = {},
): Promise<CorrectionsForKey[]> {
  const rows = await db.query(
    `SELECT * FROM corrections WHERE ($1::text IS NULL OR decision_key = $1) AND count >= $2
      ORDER BY decision_key, count DESC, signature`,
    [options.key ?? null, options.minCount ?? 1],
  );
  const byKey = new Map<string, CorrectionsForKey>();
  for (const c of rows) {
    let group = byKey.get(c.decision_key);
    if (!group) byKey.set(c.decision_key, (group = { decisionKey: c.decision_key, total: 0, signatures: [] }));
    group.total += c.count;
    group.signatures.push({
      signature: c.signature, role: c.role, rubricId: c.rubric_id, kind: c.kind, itemId: c.item_id, fixType: c.fix_type,
      deltaNormalized: c.delta_normalized, exampleDelta: c.example_delta, count: c.count, exampleEventIds: c.example_event_ids,
    });
  }
  return [...byKey.values()].sort((a, b) => b.total - a.total || a.decisionKey.localeCompare(b.decisionKey));
}
