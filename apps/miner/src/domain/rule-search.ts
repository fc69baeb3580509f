import { evaluatePredicate, FeatureVector } from '@loopwright/checks';
import type { Condition, Predicate } from '@loopwright/events';
import { BinaryRule, ruleVerdict } from './binary-rule';
import { Bitset, bitsetOf, count, countBoth, fingerprint, intersect } from './bitset';
import { candidateConditions, ConditionLimits } from './candidate-conditions';
import { bySeq, HistoryExample } from './history';
import { verdictFigures, verdictPair } from './verdict-metrics';

/** How hard the rule search looks, and how much evidence it wants. */
export interface RuleSearchOptions extends ConditionLimits {
  /** Conditions in one conjunction (1..3). */
  maxConditions: number;
  /** Partial conjunctions kept at each level of the beam. */
  beamWidth: number;
  /**
   * What an extra condition costs, in examples: a conjunction beats a shorter one only when it gets
   * more than this many more examples right per extra condition. At equal score the shorter wins.
   */
  conditionCost: number;
  /** Fewer examples than this: no search. */
  minSupport: number;
  /**
   * A history with a single verdict yields a constant rule only from this many examples on: a
   * rule that always says the same thing needs far more evidence than one that separates two.
   */
  minSingleVerdictSupport: number;
}

export const DEFAULT_RULE_SEARCH_OPTIONS: RuleSearchOptions = {
  maxConditions: 3,
  beamWidth: 40,
  conditionCost: 0.5,
  minSupport: 30,
  minSingleVerdictSupport: 200,
  maxThresholdsPerFeature: 32,
  maxValuesPerFeature: 16,
};

/** The best rule the search found, with how it does on the history it was found on. */
export interface RuleCandidate extends BinaryRule {
  /** The verdict precision and recall are about (see `VerdictPair`). */
  minorityVerdict: string;
  precision: number;
  recall: number;
  accuracy: number;
  /** Examples the rule was fitted on. */
  support: number;
  /** Examples for which the predicate holds. */
  covered: number;
  /** Conditions in the predicate; 0 for a constant rule. */
  conditions: number;
  /** The history had a single verdict and the rule always gives it. */
  constant: boolean;
}

/** Either a candidate, or why there is none. */
export type RuleSearchOutcome =
  | { found: true; candidate: RuleCandidate }
  | { found: false; reason: string; support: number };

interface Node {
  /** Indexes into the condition list, ascending. */
  readonly members: readonly number[];
  readonly bits: Bitset;
  readonly covered: number;
  readonly correct: number;
  readonly score: number;
  /** Weighted relative accuracy, scaled by n²: how much better than chance the covered set is. */
  readonly lift: number;
}

interface Orientation {
  readonly name: 'minority-when-true' | 'majority-when-true';
  readonly target: Bitset;
  readonly targetTotal: number;
  readonly otherTotal: number;
  readonly other: Bitset;
}

/**
 * Searches predicates over the features that reproduce the history's verdicts: conjunctions of
 * up to `maxConditions` single conditions, the rule saying one of the two most common verdicts
 * when the predicate holds and the other otherwise (both orientations are tried). Conditions are
 * grown by a beam ranked on weighted relative accuracy; every conjunction visited is scored on
 * accuracy less `conditionCost` per condition, so a simpler predicate wins at equal accuracy.
 * The winner must beat always giving the majority verdict. Same input, same output: the history
 * is ordered by sequence and every tie is broken by the canonical order of the conditions.
 */
export function searchRule(history: readonly HistoryExample[], options: Partial<RuleSearchOptions> = {}): RuleSearchOutcome {
  const opts = { ...DEFAULT_RULE_SEARCH_OPTIONS, ...options };
  const examples = bySeq(history);
  const n = examples.length;
  const pair = verdictPair(examples.map((e) => e.verdict));
  if (!pair) return { found: false, reason: 'no history', support: 0 };
  if (pair.minority === pair.majority) return constantRule(examples, pair.majority, opts);
  if (n < opts.minSupport) {
    return { found: false, reason: `${n} examples, the search needs at least ${opts.minSupport}`, support: n };
  }

  const vectors = examples.map((e) => e.features);
  const { conditions, covers } = distinctConditions(vectors, opts);
  const minority = bitsetOf(n, (i) => examples[i].verdict === pair.minority);
  const majority = bitsetOf(n, (i) => examples[i].verdict === pair.majority);
  const orientations: Orientation[] = [
    { name: 'minority-when-true', target: minority, other: majority, targetTotal: count(minority), otherTotal: count(majority) },
    { name: 'majority-when-true', target: majority, other: minority, targetTotal: count(majority), otherTotal: count(minority) },
  ];

  let best: { node: Node; orientation: Orientation } | null = null;
  for (const orientation of orientations) {
    const node = beamSearch(orientation, conditions, covers, n, opts);
    if (node && (!best || better(node, best.node))) best = { node, orientation };
  }

  const baseline = pair.counts[pair.majority];
  if (!best || best.node.correct <= baseline) {
    return {
      found: false,
      reason: `no conjunction of up to ${opts.maxConditions} conditions beats always saying '${pair.majority}' (${baseline} of ${n})`,
      support: n,
    };
  }

  const chosen = best.node.members.map((i) => conditions[i]);
  const predicate: Predicate = chosen.length === 1 ? chosen[0] : { all: chosen };
  const minorityWhenTrue = best.orientation.name === 'minority-when-true';
  const rule: BinaryRule = {
    predicate,
    verdictWhenTrue: minorityWhenTrue ? pair.minority : pair.majority,
    verdictWhenFalse: minorityWhenTrue ? pair.majority : pair.minority,
  };
  const figures = verdictFigures(
    examples.map((e) => ruleVerdict(rule, e.features)),
    examples.map((e) => e.verdict),
    pair.minority,
  );
  return {
    found: true,
    candidate: {
      ...rule,
      minorityVerdict: pair.minority,
      precision: figures.precision,
      recall: figures.recall,
      accuracy: figures.accuracy,
      support: n,
      covered: best.node.covered,
      conditions: chosen.length,
      constant: false,
    },
  };
}

function distinctConditions(vectors: readonly FeatureVector[], limits: ConditionLimits) {
  const n = vectors.length;
  const conditions: Condition[] = [];
  const covers: Bitset[] = [];
  const seen = new Set<string>();
  for (const condition of candidateConditions(vectors, limits)) {
    const bits = bitsetOf(n, (i) => evaluatePredicate(condition, vectors[i]));
    const size = count(bits);
    if (size === 0 || size === n) continue;
    // Two conditions that select the same examples cannot be told apart here: keep the first in canonical order.
    const print = fingerprint(bits);
    if (seen.has(print)) continue;
    seen.add(print);
    conditions.push(condition);
    covers.push(bits);
  }
  return { conditions, covers };
}

function beamSearch(
  orientation: Orientation,
  conditions: readonly Condition[],
  covers: readonly Bitset[],
  n: number,
  opts: RuleSearchOptions,
): Node | null {
  const evaluate = (members: number[], bits: Bitset): Node => {
    const covered = count(bits);
    const hit = countBoth(bits, orientation.target);
    const miss = countBoth(bits, orientation.other);
    const correct = hit + orientation.otherTotal - miss;
    return {
      members,
      bits,
      covered,
      correct,
      score: correct - opts.conditionCost * members.length,
      lift: hit * n - covered * orientation.targetTotal,
    };
  };

  let level = covers.map((bits, i) => evaluate([i], bits));
  let best: Node | null = null;
  for (let size = 1; size <= opts.maxConditions && level.length > 0; size++) {
    for (const node of level) if (!best || better(node, best)) best = node;
    if (size === opts.maxConditions) break;
    const beam = [...level].sort(byLift).slice(0, opts.beamWidth);
    const next = new Map<string, Node>();
    for (const node of beam) {
      for (let j = 0; j < conditions.length; j++) {
        if (node.members.includes(j) || node.members.some((m) => redundant(conditions[m], conditions[j]))) continue;
        const members = [...node.members, j].sort((a, b) => a - b);
        const id = members.join(',');
        if (next.has(id)) continue;
        const bits = intersect(node.bits, covers[j]);
        const covered = count(bits);
        if (covered === 0 || covered === node.covered) continue;
        next.set(id, evaluate(members, bits));
      }
    }
    level = [...next.values()];
  }
  return best;
}

/**
 * Two conditions on one feature add nothing to each other (one implies the other, or they
 * cannot both hold), except a `gte` with an `lte`: together they make an interval.
 */
function redundant(a: Condition, b: Condition): boolean {
  if (a.feature !== b.feature) return false;
  const ops = new Set([operator(a), operator(b)]);
  return !(ops.has('gte') && ops.has('lte'));
}

function operator(c: Condition): string {
  return Object.keys(c).find((k) => k !== 'feature')!;
}

function byLift(a: Node, b: Node): number {
  return b.lift - a.lift || compareMembers(a.members, b.members);
}

function better(a: Node, b: Node): boolean {
  const order = b.score - a.score || a.members.length - b.members.length || compareMembers(a.members, b.members);
  return order < 0;
}

function compareMembers(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * A history with one verdict: a rule that always gives it, once the support is strong enough.
 * The predicate is a tautology over a feature every example has (`eq v` or `neq v`), and both
 * verdicts are the same, so the rule is constant even for a request that lacks the feature.
 */
function constantRule(examples: readonly HistoryExample[], verdict: string, opts: RuleSearchOptions): RuleSearchOutcome {
  const n = examples.length;
  if (n < opts.minSingleVerdictSupport) {
    return {
      found: false,
      reason: `all ${n} examples are '${verdict}'; a constant rule needs at least ${opts.minSingleVerdictSupport}`,
      support: n,
    };
  }
  const names = [...new Set(examples.flatMap((e) => Object.keys(e.features)))].sort();
  const feature = names.find((name) => examples.every((e) => Object.prototype.hasOwnProperty.call(e.features, name))) ?? names[0];
  if (feature === undefined) return { found: false, reason: 'the examples carry no features', support: n };
  const value = examples.find((e) => feature in e.features)!.features[feature];
  return {
    found: true,
    candidate: {
      predicate: { any: [{ feature, eq: value }, { feature, neq: value }] },
      verdictWhenTrue: verdict,
      verdictWhenFalse: verdict,
      minorityVerdict: verdict,
      precision: 1,
      recall: 1,
      accuracy: 1,
      support: n,
      covered: n,
      conditions: 0,
      constant: true,
    },
  };
}
