import type { FeatureVector } from '@loopwright/checks';
import type { Condition, Predicate } from '@loopwright/events';
import { BinaryRule, ruleVerdict } from './binary-rule';
import { Bitset, bitsetOf, count, countAll, countBoth, fingerprint, intersect } from './bitset';
import { conditionCoverage } from './condition-coverage';
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
  maxThresholdsPerFeature: 64,
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
  /** The examples the conjunction covers: the parent's set narrowed by `added` (built only for the beam). */
  readonly parentBits: Bitset | null;
  readonly added: number;
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
  const { conditions, covers } = distinctConditions(vectors, examples.map((e) => e.verdict), opts);
  const minority = bitsetOf(n, (i) => examples[i].verdict === pair.minority);
  const majority = bitsetOf(n, (i) => examples[i].verdict === pair.majority);
  const orientations: Orientation[] = [
    { name: 'minority-when-true', target: minority, other: majority, targetTotal: count(minority), otherTotal: count(majority) },
    { name: 'majority-when-true', target: majority, other: minority, targetTotal: count(majority), otherTotal: count(minority) },
  ];

  let best: { node: Node; orientation: Orientation } | null = null;
  for (const orientation of orientations) {
    const node = beamSearch(orientation, conditions, covers, n, opts);
    // Across orientations only a higher score or a shorter predicate wins: at a tie the rule names the minority verdict.
    if (node && (!best || node.score > best.node.score || (node.score === best.node.score && node.members.length < best.node.members.length))) {
      best = { node, orientation };
    }
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

function distinctConditions(vectors: readonly FeatureVector[], verdicts: readonly string[], limits: ConditionLimits) {
  const n = vectors.length;
  const all = candidateConditions(vectors, limits, verdicts);
  const coverage = conditionCoverage(all, vectors);
  const conditions: Condition[] = [];
  const covers: Bitset[] = [];
  const seen = new Set<string>();
  all.forEach((condition, i) => {
    const bits = coverage[i];
    const size = count(bits);
    if (size === 0 || size === n) return;
    // Two conditions that select the same examples cannot be told apart here: keep the first in canonical order.
    const print = fingerprint(bits);
    if (seen.has(print)) return;
    seen.add(print);
    conditions.push(condition);
    covers.push(bits);
  });
  return { conditions, covers };
}

function beamSearch(
  orientation: Orientation,
  conditions: readonly Condition[],
  covers: readonly Bitset[],
  n: number,
  opts: RuleSearchOptions,
): Node | null {
  const c = conditions.length;
  const featureIds = new Map<string, number>();
  const featureOf = conditions.map((cond) => {
    if (!featureIds.has(cond.feature)) featureIds.set(cond.feature, featureIds.size);
    return featureIds.get(cond.feature)!;
  });
  const thresholdOp = conditions.map((cond) => ('gte' in cond ? 1 : 'lte' in cond ? 2 : 0));
  /** Two conditions on one feature add nothing to each other, except a `gte` with an `lte` (an interval). */
  const combinable = (a: number, b: number) => featureOf[a] !== featureOf[b] || thresholdOp[a] * thresholdOp[b] === 2;

  const correctOf = (hit: number, miss: number) => hit + orientation.otherTotal - miss;
  const scoreOf = (hit: number, miss: number, size: number) => correctOf(hit, miss) - opts.conditionCost * size;
  const liftOf = (hit: number, covered: number) => hit * n - covered * orientation.targetTotal;
  const node = (members: number[], parentBits: Bitset | null, added: number, covered: number, hit: number, miss: number): Node => ({
    members,
    parentBits,
    added,
    covered,
    correct: correctOf(hit, miss),
    score: scoreOf(hit, miss, members.length),
    lift: liftOf(hit, covered),
  });

  let best: Node | null = null;
  let beam = new Beam(opts.beamWidth);
  covers.forEach((bits, i) => {
    const candidate = node([i], null, i, count(bits), countBoth(bits, orientation.target), countBoth(bits, orientation.other));
    if (!best || better(candidate, best)) best = candidate;
    beam.offer(candidate);
  });

  for (let size = 2; size <= opts.maxConditions; size++) {
    const next = new Beam(opts.beamWidth);
    const seen = new Set<number>();
    for (const parent of beam.nodes()) {
      const bits = parent.parentBits ? intersect(parent.parentBits, covers[parent.added]) : covers[parent.added];
      const members = parent.members;
      candidates: for (let j = 0; j < c; j++) {
        for (const m of members) if (m === j || !combinable(m, j)) continue candidates;
        const covered = countBoth(bits, covers[j]);
        if (covered === 0 || covered === parent.covered) continue;
        const id = setId(members, j, c);
        if (seen.has(id)) continue;
        seen.add(id);
        const hit = countAll(bits, covers[j], orientation.target);
        const miss = countAll(bits, covers[j], orientation.other);
        const score = scoreOf(hit, miss, size);
        const lift = liftOf(hit, covered);
        const wanted = !best || score >= best.score;
        if (!wanted && !next.admits(lift)) continue;
        const candidate = node(insertSorted(members, j), bits, j, covered, hit, miss);
        if (wanted && better(candidate, best!)) best = candidate;
        next.offer(candidate);
      }
    }
    beam = next;
  }
  return best;
}

/**
 * The `width` nodes of highest lift offered so far. A node tied with the weakest kept one is
 * not admitted, so at equal lift the earlier offer stays: the order is the generation order.
 */
class Beam {
  private readonly kept: Node[] = [];
  constructor(private readonly width: number) {}

  admits(lift: number): boolean {
    return this.kept.length < this.width || lift > this.kept[this.kept.length - 1].lift;
  }

  offer(nd: Node): void {
    if (!this.admits(nd.lift)) return;
    let at = this.kept.length;
    while (at > 0 && this.kept[at - 1].lift < nd.lift) at--;
    this.kept.splice(at, 0, nd);
    if (this.kept.length > this.width) this.kept.pop();
  }

  nodes(): readonly Node[] {
    return this.kept;
  }
}

/** A number naming the set `members ∪ {added}` (members ascending), the same whatever order it was built in. */
function setId(members: readonly number[], added: number, base: number): number {
  let id = 0;
  let placed = false;
  for (const m of members) {
    if (!placed && added < m) {
      id = id * base + added;
      placed = true;
    }
    id = id * base + m;
  }
  return placed ? id : id * base + added;
}

function insertSorted(members: readonly number[], added: number): number[] {
  return [...members, added].sort((a, b) => a - b);
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
