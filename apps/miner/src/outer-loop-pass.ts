import type { DataSource } from 'typeorm';
import { createEvent, deterministicId, EventOf, LoopEvent, ToReachNext } from '@loopwright/events';
import type { EventLog } from '@loopwright/eventlog';
import { isDraftingKey, parseDecisionKey } from '@loopwright/events';
import {
  Correction, decideRule, DraftingHistory, DraftOutcome, editorGoldenExamples, evolveRule, ExistingRule, goldenExamplesByKey, HistoryExample, KeyedRule,
  KeyHistory, planDrafting, planMinerPass, ResidentModel, residentAnswer, ResidentPolicy, RubricItemText, ruleVerdict, RuleState,
} from '@loopwright/mining';
import type { Rubric } from '@loopwright/rubrics';
import type { MinerConfig } from './miner.config';
import { decisionsForKey, DecisionForMining } from '@loopwright/projections';
import { appendRuleIntents, readRuleRecords, RuleRecord } from '@loopwright/service';

export interface PassDeps {
  log: EventLog;
  db: DataSource;
  rubrics: readonly Rubric[];
  config: MinerConfig;
  residentModel(modelId: string): Promise<ResidentModel | undefined>;
  /** Aborted when the pass lease is lost: the pass stops at its next step rather than append beside another replica's. */
  signal?: AbortSignal;
}

export interface PassSummary {
  searched: string[];
  outcomes: { key: string; outcome: string }[];
  appended: number;
  /** How many events of each type the pass appended. */
  appendedTypes: Map<string, number>;
}

/** The log as a pass sees it: what it appends is also counted by type. */
function countingAppends(log: EventLog, counts: Map<string, number>): EventLog {
  const counted = Object.create(log) as EventLog;
  counted.append = (event, options) => {
    counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
    return log.append(event, options);
  };
  return counted;
}

/** The frontier's verdicts for a key: primary frontier decisions and the frontier's shadow answers to spot-checks. */
export function frontierHistory(decisions: readonly DecisionForMining[]): HistoryExample[] {
  const history: HistoryExample[] = [];
  for (const d of decisions) {
    const seq = d.requestedSeq ?? 0;
    const texts = d.texts ?? undefined;
    if (d.tier === 'frontier' && d.verdict !== null) history.push({ decisionId: d.decisionId, seq, features: d.features, texts, verdict: d.verdict });
    else if (d.shadowTier === 'frontier' && d.shadowVerdict !== null) {
      history.push({ decisionId: d.decisionId, seq, features: d.features, texts, verdict: d.shadowVerdict });
    }
  }
  return history.filter((h) => h.verdict !== 'unusable' && h.verdict !== 'unanswered');
}

function builtinKeys(rubrics: readonly Rubric[]): Set<string> {
  const keys = new Set<string>();
  for (const r of rubrics) {
    for (const g of r.gates) if (g.check) keys.add(`grader:${r.role}:gate:${g.id}`);
    for (const d of r.dimensions) if (d.check) keys.add(`grader:${r.role}:dimension:${d.id}`);
  }
  return keys;
}

/** A standing instruction changes what a role is told: a scope call, so a person reviews it. */
function scopeCallReview(proposed: EventOf<'instruction.proposed'>): LoopEvent {
  const reviewId = `rv-${proposed.data.instructionId}`.slice(0, 128);
  return createEvent({
    type: 'review.requested',
    id: deterministicId('review.requested', reviewId),
    aggregateId: reviewId,
    producer: 'miner',
    causationId: proposed.id,
    correlationId: proposed.correlationId,
    data: {
      reviewId,
      reason: 'scope-call',
      summary: `a standing instruction for the ${proposed.data.role}, from ${proposed.data.evidence.support} recurring corrections: ${proposed.data.text.slice(0, 300)}`,
      items: [proposed.data.instructionId],
    },
  });
}

/** Every shortfall the grades recorded (a failed gate, a dimension below max), newest first: the corrections to mine. */
async function recentCorrections(db: DataSource, limit: number): Promise<Correction[]> {
  const rows: { grade_id: string; recorded_seq: string; role: string; kind: 'gate' | 'dimension'; item_id: string; to_reach_next: ToReachNext }[] =
    await db.query(
      `SELECT g.grade_id, g.recorded_seq, g.role, i.kind, i.item_id, i.to_reach_next
         FROM grade_items i JOIN grades g ON g.grade_id = i.grade_id
        WHERE i.to_reach_next IS NOT NULL ORDER BY g.recorded_seq DESC LIMIT $1`,
      [limit],
    );
  return rows.map((r) => ({
    eventId: `${r.grade_id}:${r.kind}:${r.item_id}`,
    seq: Number(r.recorded_seq),
    role: r.role as Correction['role'],
    itemKind: r.kind,
    itemId: r.item_id,
    fixType: r.to_reach_next.fixType,
    owner: r.to_reach_next.owner,
    delta: r.to_reach_next.delta,
  }));
}

function rubricItemTexts(rubrics: readonly Rubric[]): RubricItemText[] {
  return rubrics.flatMap((r) => [
    ...r.gates.map((g) => ({ key: `grader:${r.role}:gate:${g.id}`, description: g.description })),
    ...r.dimensions.map((d) => ({ key: `grader:${r.role}:dimension:${d.id}`, description: d.description })),
  ]);
}

async function proposedInstructionIds(log: EventLog): Promise<string[]> {
  const ids: string[] = [];
  for await (const stored of log.replay({ filter: `${log.config.subjectRoot}.rule.*.miner.instruction.proposed` })) {
    if (stored.event?.type === 'instruction.proposed') ids.push(stored.event.data.instructionId);
  }
  return ids;
}

/** Deterministic rules proposed, validated or promoted: what a new candidate is checked together with. */
function rulesInForce(records: ReadonlyMap<string, RuleRecord>): KeyedRule[] {
  const inForce: KeyedRule[] = [];
  for (const { state } of records.values()) {
    const p = state.proposal;
    if (!p || p.kind !== 'deterministic' || !p.predicate || !['proposed', 'validated', 'promoted'].includes(state.status)) continue;
    inForce.push({ key: p.key, rule: { predicate: p.predicate, verdictWhenTrue: p.verdictWhenTrue!, verdictWhenFalse: p.verdictWhenFalse! } });
  }
  return inForce;
}

function existing(record: RuleRecord): ExistingRule | undefined {
  const { state } = record;
  const proposal = state.proposal;
  if (!proposal || state.status === 'absent') return undefined;
  return {
    ruleId: state.ruleId,
    key: proposal.key,
    kind: proposal.kind,
    status: state.status,
    proposedAtSeq: record.proposedAtSeq,
    updatedAtSeq: record.updatedAtSeq,
    support: proposal.evidence.support,
    proposal:
      proposal.kind === 'deterministic' && proposal.predicate && proposal.verdictWhenTrue !== undefined && proposal.verdictWhenFalse !== undefined
        ? { predicate: proposal.predicate, verdictWhenTrue: proposal.verdictWhenTrue, verdictWhenFalse: proposal.verdictWhenFalse }
        : undefined,
  };
}

/**
 * One pass of the outer loop: mine the frontier's history for rules (planMinerPass), then move
 * the rules already in the log along: shadow checks for validated ones, promotion of validated
 * and approved ones, demotion of promoted ones whose spot-checks drift.
 */
export async function runOuterLoopPass(given: PassDeps): Promise<PassSummary> {
  const appendedTypes = new Map<string, number>();
  const deps = { ...given, log: countingAppends(given.log, appendedTypes) };
  const { log, db, config } = deps;
  const records = await readRuleRecords(log);
  const builtin = builtinKeys(deps.rubrics);
  const keyRows: { key: string; role: string }[] = await db.query(
    `SELECT DISTINCT key, role FROM decisions WHERE key LIKE 'grader:%' OR key LIKE 'executor:%:edit' ORDER BY key`,
  );
  const decisionsByKey = new Map<string, DecisionForMining[]>();
  const keys: KeyHistory[] = [];
  for (const { key, role } of keyRows) {
    if (builtin.has(key)) continue;
    const decisions = await decisionsForKey(db, key);
    decisionsByKey.set(key, decisions);
    keys.push({ key, role: role as KeyHistory['role'], history: frontierHistory(decisions), ...residentPolicyOf(key) });
  }
  // Key by key, so each candidate's golden check sees the rules proposed before it in this pass.
  const plan = { searched: [] as string[], outcomes: [] as { key: string; outcome: string }[] };
  let appended = 0;
  let current = records;
  for (const keyHistory of keys) {
    deps.signal?.throwIfAborted();
    const rules = [...current.values()].map(existing).filter((r): r is ExistingRule => r !== undefined);
    const golden = { ...goldenExamplesByKey(deps.rubrics, rulesInForce(current)), ...editorGoldenExamples(deps.rubrics) };
    const keyPlan = planMinerPass({ keys: [keyHistory], golden, rules, config: config.plan });
    plan.searched.push(...keyPlan.searched);
    plan.outcomes.push(...keyPlan.outcomes);
    for (const intent of keyPlan.intents) {
      if (intent.type === 'resident.trained') await (await log.artifacts()).put(new TextEncoder().encode(intent.artifact.json));
      const { artifact: _artifact, ...event } = intent as typeof intent & { artifact?: unknown };
      await log.append(createEvent({ ...(event as Parameters<typeof createEvent>[0]), producer: 'miner' }));
      appended++;
    }
    if (keyPlan.intents.length > 0) current = await readRuleRecords(log);
  }

  deps.signal?.throwIfAborted();
  const drafting = await planDraftingKeys(deps, [...current.values()].map(existing).filter((r): r is ExistingRule => r !== undefined));
  plan.outcomes.push(...drafting.outcomes);
  appended += drafting.appended;

  const instructions = planMinerPass({
    keys: [],
    golden: {},
    rules: [],
    corrections: await recentCorrections(db, config.plan.historyWindow * 10),
    rubricItems: rubricItemTexts(deps.rubrics),
    instructionIds: await proposedInstructionIds(log),
    config: config.plan,
  });
  for (const intent of instructions.intents) {
    deps.signal?.throwIfAborted();
    const proposed = createEvent({ ...(intent as Parameters<typeof createEvent>[0]), producer: 'miner' });
    await log.append(proposed);
    if (proposed.type === 'instruction.proposed') await log.append(scopeCallReview(proposed));
    appended += 2;
  }

  for (const record of (await readRuleRecords(log)).values()) {
    deps.signal?.throwIfAborted();
    const key = record.state.proposal?.key;
    if (key && isDraftingKey(key)) {
      appended += await advanceDrafting(deps, record);
      continue;
    }
    const decisions = key ? (decisionsByKey.get(key) ?? []) : [];
    appended += await advanceRule(deps, record, decisions);
  }
  deps.signal?.throwIfAborted();
  appended += await supersedeOlder(deps, await readRuleRecords(log));
  return { searched: plan.searched, outcomes: plan.outcomes, appended, appendedTypes };
}

/** A resident editor may approve a draft the lint passed, by itself; a patch, a regeneration or a thrown-out draft is the frontier's. */
function residentPolicyOf(key: string): { residentPolicy?: ResidentPolicy } {
  const { requester, kind } = parseDecisionKey(key);
  return requester === 'executor' && kind === 'edit' ? { residentPolicy: { answers: ['approve'], requires: { feature: 'lint_passed', eq: true } } } : {};
}

/** A newer generation promoted for a key retires the older ones still promoted. */
async function supersedeOlder(deps: PassDeps, records: ReadonlyMap<string, RuleRecord>): Promise<number> {
  const promoted = [...records.values()].filter((r) => r.state.status === 'promoted' && r.state.proposal);
  let appended = 0;
  for (const record of promoted) {
    const newer = promoted.find((r) => r.state.proposal!.key === record.state.proposal!.key && r.proposedAtSeq > record.proposedAtSeq);
    if (!newer) continue;
    const decision = decideRule(record.state, { type: 'supersede', data: { by: newer.state.ruleId } }, deps.config.lifecycle);
    if (decision.kind === 'append') {
      await appendRuleIntents(deps.log, decision.events, 'miner');
      appended += decision.events.length;
    }
  }
  return appended;
}

/** The first grade of each draft of a drafting key, with whether a deterministic gate failed it. */
async function draftOutcomes(db: DataSource, key: string, where: { tier?: string; ruleId?: string }): Promise<DraftOutcome[]> {
  const rows: { decision_id: string; requested_seq: string; passed: boolean; caught: boolean }[] = await db.query(
    `SELECT d.decision_id, d.requested_seq, g.passed,
            EXISTS (SELECT 1 FROM grade_items i WHERE i.grade_id = g.grade_id AND i.kind = 'gate' AND i.passed = false AND i.tier = 'deterministic') AS caught
       FROM decisions d
       JOIN grades g ON g.task_id = d.task_id AND g.iteration = (d.features->>'iteration')::int
      WHERE d.key = $1 AND ($2::text IS NULL OR d.tier = $2) AND ($3::text IS NULL OR d.rule_id = $3)
      ORDER BY d.requested_seq`,
    [key, where.tier ?? null, where.ruleId ?? null],
  );
  return rows.map((r) => ({ decisionId: r.decision_id, seq: Number(r.requested_seq), passed: r.passed, caughtByCheck: !r.passed && r.caught }));
}

/** Drafting keys (which tier writes a role's work): proposed from the frontier's drafts and their grades. */
async function planDraftingKeys(deps: PassDeps, rules: readonly ExistingRule[]): Promise<{ outcomes: { key: string; outcome: string }[]; appended: number }> {
  const rows: { key: string; role: string }[] = await deps.db.query(
    `SELECT DISTINCT key, role FROM decisions WHERE key LIKE 'executor:%:draft' OR key LIKE 'executor:%:revise' ORDER BY key`,
  );
  const outcomes: { key: string; outcome: string }[] = [];
  let appended = 0;
  for (const { key, role } of rows) {
    const history: DraftingHistory = {
      key,
      role: role as DraftingHistory['role'],
      drafts: await draftOutcomes(deps.db, key, { tier: 'frontier' }),
      gradedAgainstTests: deps.rubrics.some((r) => r.role === role && r.gates.some((g) => g.check === 'rerun_tests_pass')),
    };
    const planned = planDrafting(history, rules.filter((r) => r.key === key), deps.config.drafting);
    if (planned.outcome) outcomes.push({ key, outcome: planned.outcome });
    for (const intent of planned.intents) {
      await deps.log.append(createEvent({ ...(intent as Parameters<typeof createEvent>[0]), producer: 'miner' }));
      appended++;
    }
  }
  return { outcomes, appended };
}

/** Promotion once approved, then probation: what the resident path writes must pass its first grade about as often as the frontier's drafts did. */
async function advanceDrafting(deps: PassDeps, record: RuleRecord): Promise<number> {
  const { state } = record;
  const proposal = state.proposal!;
  const command =
    state.status === 'validated'
      ? ({ type: 'promote' } as const)
      : state.status === 'promoted'
        ? await (async () => {
            const outcomes = await draftOutcomes(deps.db, proposal.key, { ruleId: state.ruleId });
            const passRate = outcomes.length === 0 ? 1 : outcomes.filter((o) => o.passed).length / outcomes.length;
            return { type: 'checkOutcomes', data: { passRate, baseline: proposal.evidence.precision, n: outcomes.length } } as const;
          })()
        : undefined;
  if (!command) return 0;
  const decision = decideRule(state, command, deps.config.lifecycle);
  if (decision.kind !== 'append') return 0;
  await appendRuleIntents(deps.log, decision.events, 'miner');
  return decision.events.length;
}

/** How a rule answers a decision: a rule always, a resident only when it would answer by itself (undefined: it escalates). */
async function ruleAnswer(deps: PassDeps, state: RuleState): Promise<((d: DecisionForMining) => string | undefined) | undefined> {
  const proposal = state.proposal!;
  if (proposal.kind === 'deterministic' && proposal.predicate) {
    const rule = { predicate: proposal.predicate, verdictWhenTrue: proposal.verdictWhenTrue!, verdictWhenFalse: proposal.verdictWhenFalse! };
    return (d) => ruleVerdict(rule, d.features);
  }
  if (proposal.kind === 'resident' && proposal.modelId) {
    const model = await deps.residentModel(proposal.modelId);
    const { residentPolicy } = residentPolicyOf(proposal.key);
    return model && ((d) => residentAnswer(model, d.features, d.texts ?? undefined, residentPolicy));
  }
  return undefined;
}

/** Shadow phase, promotion and drift for one rule. Returns how many events it appended. */
async function advanceRule(deps: PassDeps, record: RuleRecord, decisions: readonly DecisionForMining[]): Promise<number> {
  const { log, config } = deps;
  let state = record.state;
  const answer = state.proposal ? await ruleAnswer(deps, state) : undefined;
  if (state.status === 'validated' && !state.shadow.passed && answer && record.validatedAtSeq !== null) {
    // The frontier's answers after validation, its shadow answers to another rule's spot-checks included; a resident is checked where it would answer.
    const after = decisions
      .filter((d) => (d.requestedSeq ?? 0) > record.validatedAtSeq!)
      .map((d) => ({ d, frontier: d.tier === 'frontier' ? d.verdict : d.shadowTier === 'frontier' ? d.shadowVerdict : null }))
      .filter((x): x is { d: DecisionForMining; frontier: string } => x.frontier !== null && x.frontier !== 'unusable');
    for (const { d, frontier } of after) {
      const own = answer(d);
      if (own === undefined) continue;
      const agree = own === frontier;
      const decision = decideRule(state, { type: 'recordShadow', data: { agree } }, config.lifecycle);
      if (decision.kind === 'append') {
        await appendRuleIntents(log, decision.events, 'miner');
        for (const e of decision.events) state = evolveRule(state, e as never);
        break;
      }
      state = evolveRule(state, { type: 'shadow.observed', data: { ruleId: state.ruleId, agree } });
    }
  }
  if (state.status === 'validated') {
    const decision = decideRule(state, { type: 'promote' }, config.lifecycle);
    if (decision.kind === 'append') {
      await appendRuleIntents(log, decision.events, 'miner');
      return decision.events.length;
    }
  }
  if (state.status === 'promoted') {
    // Spot-checks of the answers the rule gave itself (an escalated answer is the frontier's own).
    const checks = decisions.filter(
      (d) => d.ruleId === state.ruleId && (d.tier === 'resident' || d.tier === 'deterministic') && d.shadowVerdict !== null && d.shadowVerdict !== 'unusable' && d.verdict !== null,
    );
    if (checks.length === 0) return 0;
    const disagreement = checks.filter((d) => d.verdict !== d.shadowVerdict).length / checks.length;
    const decision = decideRule(state, { type: 'checkDrift', data: { disagreement, n: checks.length } }, config.lifecycle);
    if (decision.kind === 'append') {
      await appendRuleIntents(log, decision.events, 'miner');
      return decision.events.length;
    }
  }
  return 0;
}
