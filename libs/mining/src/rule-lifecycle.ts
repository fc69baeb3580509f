import {
  deterministicId, EventDataInput, isDraftingKey, RuleApproved, RuleDemoted, RulePromoted, RuleProposed, RuleRejected, RuleValidated,
} from '@loopwright/events';
import { shadowVerdict } from './validation';

/** The events of one rule's life, as `{type, data}` (an envelope from the log fits). */
export type RuleEvent =
  | { type: 'rule.proposed'; data: RuleProposed }
  | { type: 'rule.validated'; data: RuleValidated }
  | { type: 'rule.rejected'; data: RuleRejected }
  | { type: 'rule.approved'; data: RuleApproved }
  | { type: 'rule.promoted'; data: RulePromoted }
  | { type: 'rule.demoted'; data: RuleDemoted };

/**
 * One shadow check of a validated rule: the frontier decided a request the rule was also
 * evaluated on, and the two verdicts agreed or not. It is not an event of its own: the runner
 * derives it from the log (a frontier `decision.completed` and the rule's verdict for the same
 * decision) and folds it in like one.
 */
export interface ShadowObserved {
  type: 'shadow.observed';
  data: { ruleId: string; agree: boolean };
}

/** Everything a rule's state is folded from. */
export type RuleFact = RuleEvent | ShadowObserved;

/** Where a rule is in its life. `absent`: no rule.proposed for this id yet. */
export type RuleStatus = 'absent' | 'proposed' | 'validated' | 'rejected' | 'promoted' | 'demoted';

/** One rule, folded from its events. */
export interface RuleState {
  readonly ruleId: string;
  readonly status: RuleStatus;
  readonly proposal: RuleProposed | null;
  /** The first rule.validated: the golden and history figures. */
  readonly validation: RuleValidated | null;
  readonly shadow: { readonly agreements: number; readonly n: number; readonly passed: boolean };
  readonly approvedBy: string | null;
  readonly rejection: { readonly reason: string; readonly by: 'miner' | 'human' } | null;
  readonly demotion: { readonly reason: string } | null;
}

/** What may be asked of a rule: by a person (approve, reject), or by the miner. */
export type RuleCommand =
  | { type: 'approve'; data: { by: string; note?: string } }
  | { type: 'reject'; data: { by: string; reason: string } }
  | { type: 'promote' }
  | { type: 'recordShadow'; data: { agree: boolean } }
  | { type: 'checkDrift'; data: { disagreement: number; n: number } }
  /** A drafting rule's probation: the first-grade pass rate of what the resident path wrote, against the frontier's before it. */
  | { type: 'checkOutcomes'; data: { passRate: number; baseline: number; n: number } }
  /** A newer generation for the same key was promoted: this one stops deciding. */
  | { type: 'supersede'; data: { by: string } };

type RuleEventType = RuleEvent['type'];

/** An event to append, with the id that deduplicates a retry (derived from the rule id and the command). */
export type RuleIntent = {
  [T in RuleEventType]: { type: T; id: string; aggregateId: string; data: EventDataInput<T> };
}[RuleEventType];

/** What a command comes to: events to append, nothing to do (and why), or a refusal to show the asker. */
export type RuleDecision =
  | { kind: 'append'; events: RuleIntent[] }
  | { kind: 'ignore'; reason: string }
  | { kind: 'refuse'; message: string };

/** How rules move through their life. */
export interface RuleLifecycleConfig {
  /** Promote validated deterministic rules for an existing item without a person's approval. Scope calls always wait. */
  autoApproveDeterministic: boolean;
  /** Shadow checks a validated rule needs before promotion, and the agreement it must reach; minN 0 skips the phase. */
  shadow: { minN: number; threshold: number };
  /** Demote a promoted rule whose spot-check disagreement exceeds `maxDisagreement` over at least `minN` checks. */
  drift: { maxDisagreement: number; minN: number };
  /** Share of a promoted rule's decisions the router also sends to the frontier. */
  spotCheckRate: number;
  /** A resident model's answers below this confidence escalate to the frontier, unless the model calibrated its own. */
  residentConfidenceThreshold: number;
  /**
   * Drafting rules (which tier writes a role's work) have no verdict to shadow: they are promoted
   * once approved, and demoted when what the resident path writes passes its first grade less
   * often than the frontier's drafts did, by more than `maxShortfall`, over at least `minN` grades.
   */
  drafting: { maxShortfall: number; minN: number };
}

export const DEFAULT_RULE_LIFECYCLE_CONFIG: RuleLifecycleConfig = {
  autoApproveDeterministic: false,
  shadow: { minN: 40, threshold: 0.97 },
  drift: { maxDisagreement: 0.05, minN: 30 },
  spotCheckRate: 0.1,
  residentConfidenceThreshold: 0.8,
  drafting: { maxShortfall: 0.15, minN: 30 },
};

const SCOPE_CALL_KINDS: readonly string[] = ['rubric-line', 'instruction'];

export function initialRuleState(ruleId: string): RuleState {
  return {
    ruleId,
    status: 'absent',
    proposal: null,
    validation: null,
    shadow: { agreements: 0, n: 0, passed: false },
    approvedBy: null,
    rejection: null,
    demotion: null,
  };
}

/** Applies one fact to a rule's state. Facts about other rules, and repeats, leave it as it is. */
export function evolveRule(state: RuleState, fact: RuleFact): RuleState {
  if (fact.data.ruleId !== state.ruleId) return state;
  switch (fact.type) {
    case 'rule.proposed':
      return state.status === 'absent' ? { ...state, status: 'proposed', proposal: fact.data } : state;
    case 'rule.validated':
      if (state.status === 'proposed') {
        return { ...state, status: 'validated', validation: fact.data, shadow: { ...state.shadow, passed: fact.data.shadow !== undefined } };
      }
      if (state.status === 'validated' && fact.data.shadow) return { ...state, shadow: { ...state.shadow, passed: true } };
      return state;
    case 'rule.rejected':
      return state.status === 'proposed' || state.status === 'validated'
        ? { ...state, status: 'rejected', rejection: { reason: fact.data.reason, by: fact.data.by } }
        : state;
    // A person approves a validated rule, with its evidence in front of them (as the approve command
    // insists); an approval published before the validation counts for nothing.
    case 'rule.approved':
      return state.status !== 'validated' || state.approvedBy !== null ? state : { ...state, approvedBy: fact.data.by };
    case 'rule.promoted':
      return state.status === 'proposed' || state.status === 'validated' ? { ...state, status: 'promoted' } : state;
    case 'rule.demoted':
      return state.status === 'promoted' ? { ...state, status: 'demoted', demotion: { reason: fact.data.reason } } : state;
    case 'shadow.observed':
      if (state.status !== 'validated' || state.shadow.passed) return state;
      return {
        ...state,
        shadow: { ...state.shadow, agreements: state.shadow.agreements + (fact.data.agree ? 1 : 0), n: state.shadow.n + 1 },
      };
    default:
      return unreachable(fact);
  }
}

/** Decides a command against a rule's state. */
export function decideRule(state: RuleState, command: RuleCommand, config: RuleLifecycleConfig = DEFAULT_RULE_LIFECYCLE_CONFIG): RuleDecision {
  switch (command.type) {
    case 'approve':
      return approve(state, command.data);
    case 'reject':
      return reject(state, command.data);
    case 'promote':
      return promote(state, config);
    case 'recordShadow':
      return recordShadow(state, command.data.agree, config);
    case 'checkDrift':
      return checkDrift(state, command.data, config);
    case 'checkOutcomes':
      return checkOutcomes(state, command.data, config);
    case 'supersede':
      return supersede(state, command.data.by);
    default:
      return unreachable(command);
  }
}

function approve(state: RuleState, { by, note }: { by: string; note?: string }): RuleDecision {
  const id = state.ruleId;
  switch (state.status) {
    case 'absent':
      return refuse(`rule ${id} does not exist: there is nothing to approve`);
    case 'proposed':
      return refuse(`rule ${id} is proposed, not validated: it can be approved once validation passes`);
    case 'rejected':
      return refuse(`rule ${id} was rejected (${state.rejection?.reason}): it cannot be approved; a new generation is proposed when the history changes`);
    case 'demoted':
      return refuse(`rule ${id} was demoted (${state.demotion?.reason}): it cannot be approved again`);
    case 'promoted':
      return ignore(`rule ${id} is already promoted`);
    case 'validated':
      if (state.approvedBy !== null) return ignore(`rule ${id} is already approved by ${state.approvedBy}`);
      if (by.trim() === '') return refuse('an approval must name who approves');
      return append({ type: 'rule.approved', id: deterministicId('rule', id, 'rule.approved'), aggregateId: id, data: { ruleId: id, by, note: note ?? '' } });
    default:
      return unreachable(state.status);
  }
}

function reject(state: RuleState, { by, reason }: { by: string; reason: string }): RuleDecision {
  const id = state.ruleId;
  switch (state.status) {
    case 'absent':
      return refuse(`rule ${id} does not exist: there is nothing to reject`);
    case 'rejected':
      return ignore(`rule ${id} is already rejected`);
    case 'demoted':
      return ignore(`rule ${id} is already demoted`);
    case 'promoted':
      return refuse(`rule ${id} is promoted: a rejection cannot retire it; it is demoted when its spot-checks drift`);
    case 'proposed':
    case 'validated': {
      if (reason.trim() === '') return refuse('a rejection must say why');
      const miner = by === 'miner';
      return append({
        type: 'rule.rejected',
        id: deterministicId('rule', id, 'rule.rejected', miner ? 'miner' : 'human'),
        aggregateId: id,
        data: { ruleId: id, by: miner ? 'miner' : 'human', reason: miner ? reason : `${reason} (by ${by})`, failedExamples: [] },
      });
    }
    default:
      return unreachable(state.status);
  }
}

function promote(state: RuleState, config: RuleLifecycleConfig): RuleDecision {
  const id = state.ruleId;
  switch (state.status) {
    case 'absent':
      return refuse(`rule ${id} does not exist: there is nothing to promote`);
    case 'proposed':
      return refuse(`rule ${id} is proposed, not validated: it can be promoted once validation passes`);
    case 'rejected':
      return refuse(`rule ${id} was rejected (${state.rejection?.reason}): it cannot be promoted`);
    case 'demoted':
      return refuse(`rule ${id} was demoted (${state.demotion?.reason}): it cannot be promoted again`);
    case 'promoted':
      return ignore(`rule ${id} is already promoted`);
    case 'validated':
      return promoteValidated(state, state.proposal!, config);
    default:
      return unreachable(state.status);
  }
}

function promoteValidated(state: RuleState, proposal: RuleProposed, config: RuleLifecycleConfig): RuleDecision {
  const id = state.ruleId;
  const scopeCall = proposal.scopeCall || SCOPE_CALL_KINDS.includes(proposal.kind);
  if (scopeCall && state.approvedBy === null) return refuse(`rule ${id} is a scope call (${proposal.kind}): it waits for a person's approval`);
  if (proposal.kind === 'rubric-line' || proposal.kind === 'instruction') {
    return refuse(`rule ${id} is a ${proposal.kind}: once approved, a person applies it; it has no tier to be promoted to`);
  }
  const autoApproved = config.autoApproveDeterministic && proposal.kind === 'deterministic';
  if (state.approvedBy === null && !autoApproved) {
    const why = proposal.kind === 'deterministic' ? ' (auto-approval of deterministic rules is off)' : '';
    return refuse(`rule ${id} is validated and waits for a person's approval${why}`);
  }
  const drafting = isDraftingKey(proposal.key);
  if (config.shadow.minN > 0 && !state.shadow.passed && !drafting) {
    const { agreements, n } = state.shadow;
    return refuse(
      `rule ${id} waits for its shadow phase: ${agreements} of ${n} checks agreed; it needs ${config.shadow.minN} checks at ${config.shadow.threshold} agreement`,
    );
  }
  const common = { ruleId: id, key: proposal.key, spotCheckRate: drafting ? 0 : config.spotCheckRate };
  const data: EventDataInput<'rule.promoted'> =
    proposal.kind === 'deterministic'
      ? {
          ...common,
          tier: 'deterministic',
          predicate: proposal.predicate,
          verdictWhenTrue: proposal.verdictWhenTrue,
          verdictWhenFalse: proposal.verdictWhenFalse,
        }
      : {
          ...common,
          tier: 'resident',
          modelId: proposal.modelId,
          ...(drafting ? {} : { confidenceThreshold: proposal.confidenceThreshold ?? config.residentConfidenceThreshold }),
        };
  return append({ type: 'rule.promoted', id: deterministicId('rule', id, 'rule.promoted'), aggregateId: id, data });
}

function recordShadow(state: RuleState, agree: boolean, config: RuleLifecycleConfig): RuleDecision {
  const id = state.ruleId;
  switch (state.status) {
    case 'absent':
      return refuse(`rule ${id} does not exist: there is nothing to shadow`);
    case 'proposed':
      return refuse(`rule ${id} is proposed, not validated: shadow checks start once validation passes`);
    case 'promoted':
      return refuse(`rule ${id} is promoted: its spot-checks are judged for drift, not as a shadow phase`);
    case 'rejected':
    case 'demoted':
      return ignore(`rule ${id} is ${state.status}: shadow checks no longer count`);
    case 'validated': {
      if (config.shadow.minN <= 0) return ignore('no shadow phase is configured');
      if (state.shadow.passed) return ignore(`rule ${id} has passed its shadow phase`);
      const agreements = state.shadow.agreements + (agree ? 1 : 0);
      const n = state.shadow.n + 1;
      const verdict = shadowVerdict({ agreements, n, threshold: config.shadow.threshold, minN: config.shadow.minN });
      const agreement = agreements / n;
      if (verdict === 'pending') return ignore(`shadow phase of ${id}: ${agreements} of ${n} checks agreed; ${config.shadow.minN} needed`);
      if (verdict === 'pass') {
        const { golden, history } = state.validation!;
        return append({
          type: 'rule.validated',
          id: deterministicId('rule', id, 'rule.validated', 'shadow'),
          aggregateId: id,
          data: { ruleId: id, golden, history, shadow: { agreement, n } },
        });
      }
      return append({
        type: 'rule.rejected',
        id: deterministicId('rule', id, 'rule.rejected', 'shadow'),
        aggregateId: id,
        data: {
          ruleId: id,
          by: 'miner',
          reason: `shadow phase: agreed with the frontier on ${agreements} of ${n} checks (${agreement.toFixed(3)}), below ${config.shadow.threshold}`,
          failedExamples: [],
        },
      });
    }
    default:
      return unreachable(state.status);
  }
}

function checkDrift(state: RuleState, { disagreement, n }: { disagreement: number; n: number }, config: RuleLifecycleConfig): RuleDecision {
  const id = state.ruleId;
  if (!(disagreement >= 0 && disagreement <= 1) || !Number.isInteger(n) || n < 0) {
    return refuse(`a drift check needs a disagreement in [0, 1] and a whole number of checks, got ${disagreement} over ${n}`);
  }
  switch (state.status) {
    case 'absent':
    case 'proposed':
    case 'validated':
      return refuse(`rule ${id} is ${state.status}, not promoted: drift is checked on promoted rules`);
    case 'rejected':
    case 'demoted':
      return ignore(`rule ${id} is ${state.status}: it decides nothing`);
    case 'promoted': {
      const { maxDisagreement, minN } = config.drift;
      if (n < minN) return ignore(`${n} spot-checks of ${id}; drift is judged from ${minN}`);
      if (disagreement <= maxDisagreement) return ignore(`rule ${id} disagrees with the frontier on ${disagreement.toFixed(3)} of its spot-checks, within ${maxDisagreement}`);
      return demote(state, `spot-checks disagree with the frontier on ${disagreement.toFixed(3)} of ${n} decisions, above ${maxDisagreement}`, disagreement, n);
    }
    default:
      return unreachable(state.status);
  }
}

function checkOutcomes(state: RuleState, { passRate, baseline, n }: { passRate: number; baseline: number; n: number }, config: RuleLifecycleConfig): RuleDecision {
  const id = state.ruleId;
  if (state.status !== 'promoted') return ignore(`rule ${id} is ${state.status}: only a promoted drafting rule is on probation`);
  if (!isDraftingKey(state.proposal!.key)) return refuse(`rule ${id} does not decide drafting: its drift is judged on spot-checks`);
  const { maxShortfall, minN } = config.drafting;
  if (n < minN) return ignore(`${n} grades of work the resident path wrote; outcomes are judged from ${minN}`);
  const shortfall = baseline - passRate;
  if (shortfall <= maxShortfall) return ignore(`the resident path passes ${passRate.toFixed(3)} of its first grades against ${baseline.toFixed(3)}, within ${maxShortfall}`);
  const reason = `work the resident path wrote passed ${passRate.toFixed(3)} of ${n} first grades, the frontier's drafts ${baseline.toFixed(3)}: short by more than ${maxShortfall}`;
  return demote(state, reason, Math.min(1, Math.max(0, shortfall)), n);
}

function demote(state: RuleState, reason: string, disagreement: number, n: number): RuleDecision {
  const id = state.ruleId;
  return append({ type: 'rule.demoted', id: deterministicId('rule', id, 'rule.demoted'), aggregateId: id, data: { ruleId: id, key: state.proposal!.key, reason, disagreement, n } });
}

function supersede(state: RuleState, by: string): RuleDecision {
  const id = state.ruleId;
  if (state.status !== 'promoted') return ignore(`rule ${id} is ${state.status}: nothing to supersede`);
  if (by === id) return refuse(`rule ${id} cannot supersede itself`);
  return demote(state, `superseded by ${by}, trained on more history`, 0, 0);
}

function append(...events: RuleIntent[]): RuleDecision {
  return { kind: 'append', events };
}

function ignore(reason: string): RuleDecision {
  return { kind: 'ignore', reason };
}

function refuse(message: string): RuleDecision {
  return { kind: 'refuse', message };
}

function unreachable(value: never): never {
  throw new Error(`unhandled: ${JSON.stringify(value)}`);
}
