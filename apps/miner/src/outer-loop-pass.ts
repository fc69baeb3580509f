import type { DataSource } from 'typeorm';
import { createEvent, deterministicId, EventOf, LoopEvent, ToReachNext } from '@loopwright/events';
import type { EventLog } from '@loopwright/eventlog';
import {
  Correction, decideRule, evolveRule, ExistingRule, goldenExamplesByKey, RubricItemText, HistoryExample, KeyedRule, KeyHistory, planMinerPass, predict, ResidentModel,
  ruleVerdict, RuleState,
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
}

export interface PassSummary {
  searched: string[];
  outcomes: { key: string; outcome: string }[];
  appended: number;
}

/** The frontier's verdicts for a key: primary frontier decisions and the frontier's shadow answers to spot-checks. */
function frontierHistory(decisions: readonly DecisionForMining[]): HistoryExample[] {
  const history: HistoryExample[] = [];
  for (const d of decisions) {
    const seq = d.requestedSeq ?? 0;
    if (d.tier === 'frontier' && d.verdict !== null) history.push({ decisionId: d.decisionId, seq, features: d.features, verdict: d.verdict });
    else if (d.shadowTier === 'frontier' && d.shadowVerdict !== null) {
      history.push({ decisionId: d.decisionId, seq, features: d.features, verdict: d.shadowVerdict });
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
export async function runOuterLoopPass(deps: PassDeps): Promise<PassSummary> {
  const { log, db, config } = deps;
  const records = await readRuleRecords(log);
  const builtin = builtinKeys(deps.rubrics);
  const keyRows: { key: string; role: string }[] = await db.query(`SELECT DISTINCT key, role FROM decisions WHERE key LIKE 'grader:%' ORDER BY key`);
  const decisionsByKey = new Map<string, DecisionForMining[]>();
  const keys: KeyHistory[] = [];
  for (const { key, role } of keyRows) {
    if (builtin.has(key)) continue;
    const decisions = await decisionsForKey(db, key);
    decisionsByKey.set(key, decisions);
    keys.push({ key, role: role as KeyHistory['role'], history: frontierHistory(decisions) });
  }
  // Key by key, so each candidate's golden check sees the rules proposed before it in this pass.
  const plan = { searched: [] as string[], outcomes: [] as { key: string; outcome: string }[] };
  let appended = 0;
  let current = records;
  for (const keyHistory of keys) {
    const rules = [...current.values()].map(existing).filter((r): r is ExistingRule => r !== undefined);
    const golden = goldenExamplesByKey(deps.rubrics, rulesInForce(current));
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
    const proposed = createEvent({ ...(intent as Parameters<typeof createEvent>[0]), producer: 'miner' });
    await log.append(proposed);
    if (proposed.type === 'instruction.proposed') await log.append(scopeCallReview(proposed));
    appended += 2;
  }

  for (const record of (await readRuleRecords(log)).values()) {
    const decisions = record.state.proposal ? (decisionsByKey.get(record.state.proposal.key) ?? []) : [];
    appended += await advanceRule(deps, record, decisions);
  }
  return { searched: plan.searched, outcomes: plan.outcomes, appended };
}

async function ruleAnswer(deps: PassDeps, state: RuleState): Promise<((d: DecisionForMining) => string) | undefined> {
  const proposal = state.proposal!;
  if (proposal.kind === 'deterministic' && proposal.predicate) {
    const rule = { predicate: proposal.predicate, verdictWhenTrue: proposal.verdictWhenTrue!, verdictWhenFalse: proposal.verdictWhenFalse! };
    return (d) => ruleVerdict(rule, d.features);
  }
  if (proposal.kind === 'resident' && proposal.modelId) {
    const model = await deps.residentModel(proposal.modelId);
    return model && ((d) => predict(model, d.features).verdict);
  }
  return undefined;
}

/** Shadow phase, promotion and drift for one rule. Returns how many events it appended. */
async function advanceRule(deps: PassDeps, record: RuleRecord, decisions: readonly DecisionForMining[]): Promise<number> {
  const { log, config } = deps;
  let state = record.state;
  const answer = state.proposal ? await ruleAnswer(deps, state) : undefined;
  if (state.status === 'validated' && !state.shadow.passed && answer && record.validatedAtSeq !== null) {
    const after = decisions.filter((d) => (d.requestedSeq ?? 0) > record.validatedAtSeq! && d.tier === 'frontier' && d.verdict !== null);
    for (const d of after) {
      const agree = answer(d) === d.verdict;
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
    const checks = decisions.filter((d) => d.ruleId === state.ruleId && d.shadowVerdict !== null && d.verdict !== null);
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
