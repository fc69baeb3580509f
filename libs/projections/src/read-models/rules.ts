import type { EntityManager } from 'typeorm';
import type { EventOf, LoopEvent, Predicate } from '@loopwright/events';
import { FoldedKeys, foldedKeysTable } from '../folded-keys';
import { defineReadModel, SequencedEvent } from '../projector';
import { RowSet } from '../row-set';
import { defineTable, writeRows } from '../row-table';

export type RuleState = 'proposed' | 'validated' | 'rejected' | 'approved' | 'promoted' | 'demoted';

export interface RuleRow {
  rule_id: string;
  kind: string | null;
  key: string;
  role: string | null;
  state: RuleState;
  predicate: Predicate | null;
  verdict_when_true: string | null;
  verdict_when_false: string | null;
  model_id: string | null;
  text: string | null;
  evidence: { support: number; precision: number; recall: number; exampleEventIds: string[] } | null;
  scope_call: boolean;
  approvals: { by: string; note: string; at: string }[];
  /** The tier a promotion moved the key to. */
  tier: string | null;
  confidence_threshold: number | null;
  spot_check_rate: number | null;
  rejected_by: string | null;
  rejection_reason: string | null;
  demotion_reason: string | null;
  disagreement: number | null;
  proposed_at: string | null;
  validated_at: string | null;
  approved_at: string | null;
  promoted_at: string | null;
  rejected_at: string | null;
  demoted_at: string | null;
  updated_seq: number;
}

export interface RuleValidationRow {
  rule_id: string;
  seq: number;
  golden_checked: number;
  golden_changed: string[];
  history_precision: number;
  history_recall: number;
  history_n: number;
  shadow_agreement: number | null;
  shadow_n: number | null;
  validated_at: string;
}

export const RULES = defineTable<RuleRow>({
  name: 'rules',
  key: ['rule_id'],
  columns: {
    rule_id: 'text', kind: 'text', key: 'text', role: 'text', state: 'text', predicate: 'jsonb', verdict_when_true: 'text',
    verdict_when_false: 'text', model_id: 'text', text: 'text', evidence: 'jsonb', scope_call: 'bool', approvals: 'jsonb',
    tier: 'text', confidence_threshold: 'float8', spot_check_rate: 'float8', rejected_by: 'text', rejection_reason: 'text',
    demotion_reason: 'text', disagreement: 'float8', proposed_at: 'timestamptz', validated_at: 'timestamptz',
    approved_at: 'timestamptz', promoted_at: 'timestamptz', rejected_at: 'timestamptz', demoted_at: 'timestamptz',
    updated_seq: 'int8',
  },
});

export const RULE_VALIDATIONS = defineTable<RuleValidationRow>({
  name: 'rule_validations',
  key: ['rule_id', 'seq'],
  columns: {
    rule_id: 'text', seq: 'int8', golden_checked: 'int4', golden_changed: 'jsonb', history_precision: 'float8',
    history_recall: 'float8', history_n: 'int4', shadow_agreement: 'float8', shadow_n: 'int4', validated_at: 'timestamptz',
  },
});

/** The validation steps each rule has recorded: a second event for one (a replay under a new id) records nothing. */
export const RULES_FOLDED = foldedKeysTable('rules_folded');

const HANDLES = ['rule.proposed', 'rule.validated', 'rule.rejected', 'rule.approved', 'rule.promoted', 'rule.demoted'] as const;
type RuleEvent = EventOf<(typeof HANDLES)[number]>;

function emptyRule(ruleId: string, key: string, seq: number): RuleRow {
  return {
    rule_id: ruleId, kind: null, key, role: null, state: 'proposed', predicate: null, verdict_when_true: null,
    verdict_when_false: null, model_id: null, text: null, evidence: null, scope_call: false, approvals: [], tier: null,
    confidence_threshold: null, spot_check_rate: null, rejected_by: null, rejection_reason: null, demotion_reason: null,
    disagreement: null, proposed_at: null, validated_at: null, approved_at: null, promoted_at: null, rejected_at: null,
    demoted_at: null, updated_seq: seq,
  };
}

/**
 * The states from which each rule event moves a rule, as the miner's rule lifecycle (and so the
 * router) moves it; any other event of the rule changes nothing, so the table never says a rule is
 * rejected or approved while the router still routes by it. `approved` is a validated rule a person approved.
 */
const MOVES_FROM: Record<RuleEvent['type'], readonly RuleRow['state'][]> = {
  'rule.proposed': [],
  'rule.validated': ['proposed', 'validated', 'approved'],
  'rule.rejected': ['proposed', 'validated', 'approved'],
  'rule.approved': ['validated'],
  'rule.promoted': ['proposed', 'validated', 'approved'],
  'rule.demoted': ['promoted'],
};

/**
 * The step of a rule's life a validation records, as the miner counts it: the validation of the
 * proposal, and the one shadow phase the rule passes (the validation that carries the shadow's figures).
 */
function validationKey(data: EventOf<'rule.validated'>['data']): string {
  return `validated:${data.ruleId}:${data.shadow ? 'shadow' : 'proposal'}`;
}

/** Folds one rule event; a validation also yields its figures as a rule_validations row. */
export function evolveRule(rules: RowSet<RuleRow>, folded: FoldedKeys, event: RuleEvent, seq: number): RuleValidationRow | undefined {
  const at = event.occurredAt;
  const existing = rules.get(event.data.ruleId);
  // a rule exists once proposed: an event about any other id (or a second proposal) records nothing
  if (existing ? !MOVES_FROM[event.type].includes(existing.state) : event.type !== 'rule.proposed') return undefined;
  const rule = existing ?? emptyRule(event.data.ruleId, 'key' in event.data ? event.data.key : '', seq);
  let validation: RuleValidationRow | undefined;
  switch (event.type) {
    case 'rule.proposed': {
      const d = event.data;
      Object.assign(rule, {
        kind: d.kind, key: d.key, role: d.role, state: 'proposed', predicate: d.predicate ?? null,
        verdict_when_true: d.verdictWhenTrue ?? null, verdict_when_false: d.verdictWhenFalse ?? null, model_id: d.modelId ?? null,
        text: d.text ?? null, evidence: d.evidence, scope_call: d.scopeCall, proposed_at: at,
      });
      break;
    }
    case 'rule.validated': {
      const d = event.data;
      if (!folded.firstTime(validationKey(d))) return undefined;
      Object.assign(rule, { state: rule.state === 'approved' ? 'approved' : 'validated', validated_at: at });
      validation = {
        rule_id: d.ruleId, seq, golden_checked: d.golden.checked, golden_changed: d.golden.changed,
        history_precision: d.history.precision, history_recall: d.history.recall, history_n: d.history.n,
        shadow_agreement: d.shadow?.agreement ?? null, shadow_n: d.shadow?.n ?? null, validated_at: at,
      };
      break;
    }
    case 'rule.rejected':
      Object.assign(rule, { state: 'rejected', rejected_by: event.data.by, rejection_reason: event.data.reason, rejected_at: at });
      break;
    case 'rule.approved':
      rule.state = 'approved';
      rule.approved_at = at;
      rule.approvals = [...rule.approvals, { by: event.data.by, note: event.data.note, at }];
      break;
    case 'rule.promoted': {
      const d = event.data;
      Object.assign(rule, {
        state: 'promoted', key: d.key, tier: d.tier, confidence_threshold: d.confidenceThreshold ?? null,
        spot_check_rate: d.spotCheckRate, promoted_at: at, predicate: d.predicate ?? rule.predicate,
        verdict_when_true: d.verdictWhenTrue ?? rule.verdict_when_true, verdict_when_false: d.verdictWhenFalse ?? rule.verdict_when_false,
        model_id: d.modelId ?? rule.model_id,
      });
      break;
    }
    case 'rule.demoted':
      Object.assign(rule, { state: 'demoted', demotion_reason: event.data.reason, disagreement: event.data.disagreement, demoted_at: at });
      break;
    default: {
      const unreachable: never = event;
      throw new Error(`rules: unhandled ${(unreachable as LoopEvent).type}`);
    }
  }
  rule.updated_seq = seq;
  rules.put(rule);
  return validation;
}

async function applyRules(events: readonly SequencedEvent[], tx: EntityManager): Promise<void> {
  const typed = events as readonly { seq: number; event: RuleEvent }[];
  const rules = await RowSet.load(tx, RULES, typed.map(({ event }) => [event.data.ruleId]));
  const validationKeys = typed.flatMap(({ event }) => (event.type === 'rule.validated' ? [validationKey(event.data)] : []));
  const folded = await FoldedKeys.load(tx, RULES_FOLDED, validationKeys);
  const validations: RuleValidationRow[] = [];
  for (const { seq, event } of typed) {
    const validation = evolveRule(rules, folded, event, seq);
    if (validation) validations.push(validation);
  }
  await rules.save(tx);
  await folded.save(tx);
  await writeRows(tx, RULE_VALIDATIONS, validations, 'keep');
}

/** Mined rules through their life (proposed → validated → approved → promoted → demoted) and each validation's figures. */
export const rulesProjector = defineReadModel({
  name: 'rules',
  version: 1,
  handles: HANDLES,
  tables: ['rules', 'rule_validations', RULES_FOLDED.name],
  applyMany: applyRules,
});
