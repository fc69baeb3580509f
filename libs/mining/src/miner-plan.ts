import { deterministicId, EventDataInput, Role, RuleKind } from '@loopwright/events';
import { BinaryRule, ruleVerdict } from './binary-rule';
import { Correction, MAX_EXAMPLE_IDS, normalizeDelta, recurringCorrections } from './corrections';
import { evidenceId, HistoryExample, recentWindow, timeOrderedSplit } from './history';
import { evaluateResident, predict, residentArtifact, ResidentTrainingOptions, trainResident } from './resident-classifier';
import type { RuleStatus } from './rule-lifecycle';
import { instructionIdFor, modelIdFor, ruleIdFor } from './rule-ids';
import { RuleSearchOptions } from './rule-search';
import {
  DEFAULT_VALIDATION_THRESHOLDS, GoldenExample, ResidentPolicy, searchAndValidate, validateCandidate, validateResident, ValidationResult,
  ValidationThresholds,
} from './validation';

/** The frontier's verdicts for one decision key, as the projections hold them. */
export interface KeyHistory {
  key: string;
  role: Role;
  /** A built-in deterministic check already decides this key: there is nothing to mine. */
  builtinCheck?: boolean;
  /** When a resident may answer this key by itself (an editor approves lint-clean drafts, never patches): default always. */
  residentPolicy?: ResidentPolicy;
  /** Decisions the frontier made for the key (shadow spot-checks included), any order. */
  history: readonly HistoryExample[];
}

/** A rule already in the log for some key, as the rules projection holds it. */
export interface ExistingRule {
  ruleId: string;
  key: string;
  kind: RuleKind;
  status: Exclude<RuleStatus, 'absent'>;
  /** Stream sequence of its rule.proposed. */
  proposedAtSeq: number;
  /** Stream sequence of its latest lifecycle event. */
  updatedAtSeq: number;
  /** A deterministic rule still `proposed` (its validation never reached the log): what it says. */
  proposal?: BinaryRule;
  /** How many examples it was learned from (its evidence's support). */
  support?: number;
}

/** A rubric item's own words: a recurring correction that repeats them is already covered by the rubric. */
export interface RubricItemText {
  key: string;
  description: string;
}

/** How the outer loop's pass decides what to mine. */
export interface MinerPlanConfig {
  /** Frontier verdicts a key needs (within the window) before it is searched. */
  minHistory: number;
  /** Only the most recent verdicts of a key count: how it is decided now. */
  historyWindow: number;
  /** After a key's rule was rejected or demoted, new verdicts needed before it is searched again. */
  minNewHistory: number;
  /** A key needs this many golden examples: a rule that cannot be checked against any is not proposed. */
  minGoldenExamples: number;
  thresholds: ValidationThresholds;
  search: Partial<RuleSearchOptions>;
  /**
   * Residents are tried where no deterministic rule passes; trained on the same train part. A
   * promoted resident is trained again once the key's history has grown `refreshGrowth` times
   * what it learned from: the new generation goes through validation and its shadow phase, and
   * replaces the old one when it is promoted.
   */
  resident: {
    enabled: boolean;
    training: Partial<ResidentTrainingOptions>;
    maxCalibrationError: number;
    minConfidentAccuracy: number;
    minCoverage: number;
    refreshGrowth: number;
  };
  /** Executor-side corrections seen this often (same signature) become instruction proposals. */
  instructions: { minCount: number };
}

export const DEFAULT_MINER_PLAN_CONFIG: MinerPlanConfig = {
  minHistory: 100,
  historyWindow: 2000,
  minNewHistory: 100,
  minGoldenExamples: 1,
  thresholds: DEFAULT_VALIDATION_THRESHOLDS,
  search: {},
  resident: { enabled: true, training: { seed: 1 }, maxCalibrationError: 0.1, minConfidentAccuracy: 0.975, minCoverage: 0.3, refreshGrowth: 2 },
  instructions: { minCount: 5 },
};

/** Everything one pass of the outer loop looks at. Plain data: the runner reads it from the projections. */
export interface MinerPlanInput {
  keys: readonly KeyHistory[];
  /** Golden examples by decision key. */
  golden: Readonly<Record<string, readonly GoldenExample[]>>;
  rules: readonly ExistingRule[];
  corrections?: readonly Correction[];
  rubricItems?: readonly RubricItemText[];
  /** Instructions already proposed: their recurring corrections are not proposed again. */
  instructionIds?: readonly string[];
  config: MinerPlanConfig;
}

type Intent<T extends MinerEventType> = { type: T; id: string; aggregateId: string; data: EventDataInput<T> };
type MinerEventType = 'rule.proposed' | 'rule.validated' | 'rule.rejected' | 'resident.trained' | 'instruction.proposed';

/** An event for the runner to append (with its deduplicating id); a trained model also carries its artifact to store first. */
export type MinerIntent =
  | Intent<'rule.proposed'>
  | Intent<'rule.validated'>
  | Intent<'rule.rejected'>
  | Intent<'instruction.proposed'>
  | (Intent<'resident.trained'> & { artifact: { json: string; digest: string } });

/** What one pass does, and why it leaves the rest alone. */
export interface MinerPlan {
  /** Keys searched this pass. */
  searched: string[];
  skipped: { key: string; reason: string }[];
  /** What came of each key searched or revalidated, in words. */
  outcomes: { key: string; outcome: string }[];
  intents: MinerIntent[];
}

const PENDING_OR_ACTIVE: readonly RuleStatus[] = ['proposed', 'validated', 'promoted'];

/**
 * The outer loop's pass, as a pure function: for each key decided at the frontier with enough
 * history and no pending or active rule, search a rule on the train part of its time-ordered
 * history and propose it with its validation (or rejection) against the golden examples and
 * the test part; where no deterministic rule passes, train a resident classifier on the same
 * train part and propose it if it passes. A deterministic rule still `proposed` from an earlier
 * pass is validated now. Recurring executor-side corrections that the rubric's own words do not
 * already cover become instruction proposals (scope calls for a person). Keys are planned in order.
 */
export function planMinerPass(input: MinerPlanInput): MinerPlan {
  const plan: MinerPlan = { searched: [], skipped: [], outcomes: [], intents: [] };
  for (const keyHistory of [...input.keys].sort((a, b) => compare(a.key, b.key))) {
    const rules = input.rules.filter((r) => r.key === keyHistory.key);
    planKey(keyHistory, input.golden[keyHistory.key] ?? [], rules, input.config, plan);
  }
  plan.intents.push(...instructionProposals(input));
  return plan;
}

function planKey(k: KeyHistory, golden: readonly GoldenExample[], rules: readonly ExistingRule[], config: MinerPlanConfig, plan: MinerPlan): void {
  const skip = (reason: string): void => {
    plan.skipped.push({ key: k.key, reason });
  };
  if (k.builtinCheck) return skip('decided by a built-in check');

  const pending = rules.filter((r) => PENDING_OR_ACTIVE.includes(r.status)).sort((a, b) => compare(a.ruleId, b.ruleId));
  const window = recentWindow(k.history, config.historyWindow);
  const refresh = refreshable(pending, window, config);
  if (pending.length > 0 && !refresh) {
    for (const rule of pending) {
      if (rule.status === 'proposed' && rule.kind === 'deterministic' && rule.proposal) revalidate(k, golden, rule, config, plan);
    }
    return skip(`has ${pending.map((r) => `${r.ruleId} (${r.status})`).join(', ')}`);
  }

  if (window.length < config.minHistory) return skip(`${window.length} frontier verdicts, the search needs ${config.minHistory}`);

  const deterministicWait = waitAfterRetirement(rules, 'deterministic', window, config);
  const residentWait = config.resident.enabled ? waitAfterRetirement(rules, 'resident', window, config) : 'residents are off';
  if (deterministicWait && residentWait) return skip(deterministicWait);
  if (golden.length < config.minGoldenExamples) {
    return skip(`${golden.length} golden examples, a rule needs ${config.minGoldenExamples} to be proven against`);
  }

  plan.searched.push(k.key);
  const taken = new Set(rules.map((r) => r.ruleId));
  let generation = rules.length + 1;
  const nextGeneration = () => {
    while (taken.has(ruleIdFor(k.key, generation))) generation++;
    taken.add(ruleIdFor(k.key, generation));
    return generation;
  };
  const { train, test } = timeOrderedSplit(window, config.thresholds.trainShare);
  if (refresh) {
    const resident = proposeResident(k, golden, window, train, train.length, config, nextGeneration);
    if (resident.intents.length > 0) plan.intents.push(...resident.intents);
    plan.outcomes.push({ key: k.key, outcome: `${refresh.ruleId} learned from ${refresh.support}; ${train.length + test.length} verdicts now: ${resident.outcome}` });
    return;
  }
  if (deterministicWait) {
    const resident = proposeResident(k, golden, window, train, train.length, config, nextGeneration);
    if (resident.intents.length > 0) plan.intents.push(...resident.intents);
    plan.outcomes.push({ key: k.key, outcome: `no rule search (${deterministicWait}); ${resident.outcome}` });
    return;
  }


  const { split, search, validation } = searchAndValidate({ history: window, golden, thresholds: config.thresholds, search: config.search });
  let why: string;
  if (search.found && validation) {
    const ruleId = ruleIdFor(k.key, nextGeneration());
    const { candidate } = search;
    plan.intents.push(
      intent('rule.proposed', ruleId, {
        ruleId,
        kind: 'deterministic',
        key: k.key,
        role: k.role,
        predicate: candidate.predicate,
        verdictWhenTrue: candidate.verdictWhenTrue,
        verdictWhenFalse: candidate.verdictWhenFalse,
        evidence: {
          support: candidate.support,
          precision: candidate.precision,
          recall: candidate.recall,
          exampleEventIds: exampleIds(train, (e) => ruleVerdict(candidate, e.features), candidate.minorityVerdict),
        },
        scopeCall: false,
      }),
      verdictIntent(ruleId, validation),
    );
    if (validation.ok) {
      plan.outcomes.push({ key: k.key, outcome: `proposed ${ruleId}, validated on ${validation.figures.history.n} later decisions` });
      return;
    }
    plan.outcomes.push({ key: k.key, outcome: `proposed ${ruleId}, rejected: ${validation.reason}` });
    why = `rule ${ruleId} was rejected`;
  } else {
    why = `no rule: ${search.found ? 'nothing found' : search.reason}`;
  }

  if (!config.resident.enabled) {
    if (!search.found) plan.outcomes.push({ key: k.key, outcome: why });
    return;
  }
  if (residentWait) {
    plan.outcomes.push({ key: k.key, outcome: `${why}; no resident: ${residentWait}` });
    return;
  }
  const resident = proposeResident(k, golden, window, train, split.trainN, config, nextGeneration);
  if (resident.intents.length > 0) plan.intents.push(...resident.intents);
  plan.outcomes.push({ key: k.key, outcome: `${why}; ${resident.outcome}` });
}

/**
 * Why a key's rules of this kind wait: after one was rejected or demoted, the next of the same kind
 * needs `minNewHistory` new verdicts. A rejected deterministic rule does not hold back a resident,
 * whose validation is its own: a resident that fails it proposes nothing, so it is tried each pass.
 */
function waitAfterRetirement(rules: readonly ExistingRule[], kind: RuleKind, window: readonly HistoryExample[], config: MinerPlanConfig): string | undefined {
  const retired = rules.filter((r) => r.kind === kind && (r.status === 'rejected' || r.status === 'demoted'));
  if (retired.length === 0) return undefined;
  const since = Math.max(...retired.map((r) => r.updatedAtSeq));
  const fresh = window.filter((e) => e.seq > since).length;
  if (fresh >= config.minNewHistory) return undefined;
  const last = retired.find((r) => r.updatedAtSeq === since)!;
  return `${last.ruleId} was ${last.status}; ${fresh} new verdicts since, the search needs ${config.minNewHistory}`;
}

function proposeResident(
  k: KeyHistory,
  golden: readonly GoldenExample[],
  window: readonly HistoryExample[],
  train: readonly HistoryExample[],
  trainN: number,
  config: MinerPlanConfig,
  nextGeneration: () => number,
): { intents: MinerIntent[]; outcome: string } {
  const only = k.residentPolicy?.answers?.length === 1 ? { positive: k.residentPolicy.answers[0] } : {};
  const training = trainResident(train, { ...config.resident.training, ...only, seed: keySeed(k.key, config.resident.training.seed ?? 1) });
  if (!training.trained) return { intents: [], outcome: `no resident: ${training.reason}` };
  const validation = validateResident({
    model: training.model,
    golden,
    history: window,
    policy: k.residentPolicy,
    thresholds: {
      ...config.thresholds,
      maxCalibrationError: config.resident.maxCalibrationError,
      minConfidentAccuracy: config.resident.minConfidentAccuracy,
      minCoverage: config.resident.minCoverage,
    },
  });
  if (!validation.ok) return { intents: [], outcome: `no resident: ${validation.reason}` };

  const generation = nextGeneration();
  const ruleId = ruleIdFor(k.key, generation);
  const modelId = modelIdFor(k.key, generation);
  const artifact = residentArtifact(training.model);
  const onTrain = evaluateResident(training.model, train);
  const { history } = validation.figures;
  return {
    outcome: `proposed resident ${ruleId} (model ${modelId}), validated on ${history.n} later decisions`,
    intents: [
      {
        ...intent('resident.trained', modelId, {
          modelId,
          key: k.key,
          artifactDigest: artifact.digest,
          trainedOn: trainN,
          accuracy: history.accuracy,
          calibrationError: Math.min(1, history.calibrationError ?? 0),
        }),
        artifact,
      },
      intent('rule.proposed', ruleId, {
        ruleId,
        kind: 'resident',
        key: k.key,
        role: k.role,
        modelId,
        confidenceThreshold: training.model.confidenceThreshold,
        evidence: {
          support: train.length,
          precision: onTrain.precision,
          recall: onTrain.recall,
          exampleEventIds: exampleIds(train, (e) => predict(training.model, e.features, e.texts).verdict, training.model.positiveVerdict),
        },
        scopeCall: false,
      }),
      verdictIntent(ruleId, validation),
    ],
  };
}

/** The promoted resident due to be trained again, if the key's history has grown enough since it learned. */
function refreshable(pending: readonly ExistingRule[], window: readonly HistoryExample[], config: MinerPlanConfig): (ExistingRule & { support: number }) | undefined {
  if (!config.resident.enabled || pending.length !== 1) return undefined;
  const [rule] = pending;
  if (rule.status !== 'promoted' || rule.kind !== 'resident' || rule.support === undefined) return undefined;
  const trainable = Math.floor(window.length * config.thresholds.trainShare);
  return trainable >= rule.support * config.resident.refreshGrowth ? { ...rule, support: rule.support } : undefined;
}

/** Validates a deterministic rule an earlier pass proposed, on the history it was mined from. */
function revalidate(k: KeyHistory, golden: readonly GoldenExample[], rule: ExistingRule, config: MinerPlanConfig, plan: MinerPlan): void {
  const before = k.history.filter((e) => e.seq < rule.proposedAtSeq);
  const window = recentWindow(before, config.historyWindow);
  const validation = validateCandidate({ candidate: rule.proposal!, golden, history: window, thresholds: config.thresholds });
  plan.intents.push(verdictIntent(rule.ruleId, validation));
  plan.outcomes.push({
    key: k.key,
    outcome: validation.ok ? `validated ${rule.ruleId}, proposed earlier` : `rejected ${rule.ruleId}, proposed earlier: ${validation.reason}`,
  });
}

function verdictIntent(ruleId: string, validation: ValidationResult): MinerIntent {
  if (validation.ok) {
    const { golden, history } = validation.figures;
    return intent('rule.validated', ruleId, {
      ruleId,
      golden,
      history: { precision: history.precision, recall: history.recall, n: history.n },
    });
  }
  return {
    ...intent('rule.rejected', ruleId, { ruleId, by: 'miner', reason: validation.reason, failedExamples: validation.failedExamples }),
    id: deterministicId('rule', ruleId, 'rule.rejected', 'validation'),
  };
}

/** Recurring executor-side corrections, not in the rubric's own words, not proposed before: standing instructions. */
function instructionProposals(input: MinerPlanInput): MinerIntent[] {
  const executorSide = (input.corrections ?? []).filter((c) => c.owner === 'executor' && c.fixType !== 'tier-ceiling');
  const perRole = new Map<string, number>();
  for (const c of executorSide) perRole.set(c.role, (perRole.get(c.role) ?? 0) + 1);
  const rubricWords = new Map((input.rubricItems ?? []).map((item) => [item.key, normalizeDelta(item.description)]));
  const known = new Set(input.instructionIds ?? []);
  const minCount = input.config.instructions.minCount;

  const intents: MinerIntent[] = [];
  for (const group of recurringCorrections(executorSide, minCount)) {
    for (const signature of group.signatures) {
      if (signature.count < minCount || rubricWords.get(group.key) === signature.normalizedDelta) continue;
      const instructionId = instructionIdFor(group.role, signature.signature);
      if (known.has(instructionId)) continue;
      known.add(instructionId);
      intents.push(
        intent('instruction.proposed', instructionId, {
          instructionId,
          role: group.role,
          text: signature.latestDelta,
          evidence: {
            support: signature.count,
            // How specific the correction is to its item, and how much of the role's corrections it explains.
            precision: signature.count / group.count,
            recall: signature.count / perRole.get(group.role)!,
            exampleEventIds: signature.exampleEventIds,
          },
        }),
      );
    }
  }
  return intents;
}

function intent<T extends MinerEventType>(type: T, aggregateId: string, data: EventDataInput<T>): Intent<T> {
  const prefix = type === 'resident.trained' ? 'resident' : type === 'instruction.proposed' ? 'instruction' : 'rule';
  return { type, id: deterministicId(prefix, aggregateId, type), aggregateId, data };
}

/** Up to 50 ids of training examples the rule decides right, those with the minority verdict first, oldest first. */
function exampleIds(train: readonly HistoryExample[], decide: (e: HistoryExample) => string, minority: string): string[] {
  const right = train.filter((e) => decide(e) === e.verdict);
  const minorityFirst = [...right.filter((e) => e.verdict === minority), ...right.filter((e) => e.verdict !== minority)];
  return [...new Set(minorityFirst.map(evidenceId))].slice(0, MAX_EXAMPLE_IDS);
}

/** A per-key seed from the configured one, so each key's model is reproducible on its own. */
function keySeed(key: string, seed: number): number {
  let hash = seed >>> 0;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
