import { deterministicId, EventDataInput, Role } from '@loopwright/events';
import { timeOrderedSplit } from './history';
import type { ExistingRule, MinerIntent } from './miner-plan';
import { ruleIdFor } from './rule-ids';

/** One draft the frontier wrote for a drafting key, with how its work fared at its first grade. */
export interface DraftOutcome {
  decisionId: string;
  /** Stream sequence of the draft's decision: the time order. */
  seq: number;
  passed: boolean;
  /** It failed, and a deterministic check (built in or mined) was among what failed it: an automatic check would have thrown it out. */
  caughtByCheck: boolean;
}

/** A drafting key's history: the frontier's drafts and their grades. */
export interface DraftingHistory {
  key: string;
  role: Role;
  drafts: readonly DraftOutcome[];
  /** The role's work is graded against the goal's own tests, re-run by the grader: a wrong draft cannot pass. */
  gradedAgainstTests: boolean;
}

export interface DraftingPlanConfig {
  /** Graded frontier drafts a key needs before drafting can go down. */
  minHistory: number;
  /** The resident drafting model the rule names (the executor's configured resident, or the simulation's). */
  modelId: string;
  trainShare: number;
}

export const DEFAULT_DRAFTING_PLAN_CONFIG: DraftingPlanConfig = { minHistory: 30, modelId: 'resident-drafter', trainShare: 0.7 };

const share = (part: number, whole: number) => (whole === 0 ? 1 : part / whole);

function figures(drafts: readonly DraftOutcome[]) {
  const failed = drafts.filter((d) => !d.passed);
  return { n: drafts.length, passRate: share(drafts.length - failed.length, drafts.length), caught: share(failed.filter((d) => d.caughtByCheck).length, failed.length) };
}

/**
 * Whether a role's drafting may go down a tier (draft–lint–edit: a resident drafts, deterministic
 * checks throw out the obvious failures, one budgeted frontier pass edits the rest), decided from
 * the key's history like any other decision: the role's work must be graded against the goal's own
 * tests (the grader holds the line whoever drafts), and the key needs enough graded frontier drafts
 * to know how they fare. The proposal carries the frontier's first-grade pass rate in the later part
 * of the time-ordered history (and the share of failures a deterministic check caught, the lint's
 * reach): the bar the resident path's work is held to on probation once promoted, and demoted when
 * it falls short. Drafting has no golden verdicts and no shadow phase.
 */
export function planDrafting(
  k: DraftingHistory,
  rules: readonly ExistingRule[],
  config: DraftingPlanConfig,
): { intents: MinerIntent[]; outcome?: string; skipped?: string } {
  const pending = rules.filter((r) => ['proposed', 'validated', 'promoted'].includes(r.status));
  if (pending.length > 0) return { intents: [], skipped: `has ${pending.map((r) => `${r.ruleId} (${r.status})`).join(', ')}` };
  if (rules.some((r) => r.status === 'demoted' || r.status === 'rejected')) {
    return { intents: [], skipped: 'drafting was tried at a cheaper tier and withdrawn: a person decides whether to try again' };
  }
  if (!k.gradedAgainstTests) return { intents: [], skipped: `the ${k.role}'s work is not graded against tests the grader re-runs` };
  if (k.drafts.length < config.minHistory) return { intents: [], skipped: `${k.drafts.length} graded frontier drafts, drafting needs ${config.minHistory}` };

  const history = k.drafts.map((d) => ({ ...d, features: {}, verdict: d.passed ? 'pass' : 'fail' }));
  const { train, test, lastTrainSeq } = timeOrderedSplit(history, config.trainShare);
  const before = figures(train);
  const after = figures(test);
  const ruleId = ruleIdFor(k.key, rules.length + 1);
  const id = (type: string) => deterministicId('rule', ruleId, type);
  const proposed: EventDataInput<'rule.proposed'> = {
    ruleId,
    kind: 'resident',
    key: k.key,
    role: k.role,
    modelId: config.modelId,
    text: `draft–lint–edit: ${config.modelId} drafts, the lint throws out what fails it, one frontier pass edits the rest; bar: a first-grade pass rate of ${after.passRate.toFixed(3)}`,
    evidence: { support: k.drafts.length, precision: after.passRate, recall: after.caught, exampleEventIds: test.slice(-10).map((d) => d.decisionId) },
    scopeCall: false,
  };
  const intents: MinerIntent[] = [{ type: 'rule.proposed', id: id('rule.proposed'), aggregateId: ruleId, data: proposed }];
  const figuresText = `of ${test.length} frontier drafts after seq ${lastTrainSeq}, ${after.passRate.toFixed(3)} passed their first grade and a check caught ${after.caught.toFixed(3)} of the failures (before: ${before.passRate.toFixed(3)}, ${before.caught.toFixed(3)})`;
  intents.push({
    type: 'rule.validated',
    id: id('rule.validated'),
    aggregateId: ruleId,
    data: { ruleId, golden: { checked: 0, changed: [] }, history: { precision: after.passRate, recall: after.caught, n: test.length } },
  });
  return { intents, outcome: `proposed ${ruleId} (${figuresText})` };
}
