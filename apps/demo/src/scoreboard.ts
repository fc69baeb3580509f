import type { LoopEvent, RulePromoted, Tier } from '@loopwright/events';

/** Where one decision key sits at the end of a demo, and why. */
export interface KeyStanding {
  key: string;
  /** The tier its rule in force sends it to (a built-in check: deterministic); frontier without one. */
  tier: Tier;
  ruleId?: string;
  /** Why it sits there: the rule's kind, or why no rule holds it (the last rejection or demotion, or no rule yet). */
  why: string;
  /** How its decisions were answered in the runs given (escalations show as frontier). */
  answered: { frontier: number; resident: number; deterministic: number; human: number };
  /** What its decisions in those runs cost. */
  costUsd: number;
  /** What the frontier's spot-checks of them cost on top. */
  spotCheckCostUsd: number;
}

const blank = () => ({ frontier: 0, resident: 0, deterministic: 0, human: 0 });

/** One decision key's decisions in one window of runs, by the tier that answered them, and what they cost. */
export interface KeyWindow {
  frontier: number;
  resident: number;
  deterministic: number;
  human: number;
  costUsd: number;
  /** Spot-checks are not decisions: what they cost is counted apart. */
  spotCheckCostUsd: number;
}

const noCost = () => ({ costUsd: 0, spotCheckCostUsd: 0 });
const cents = (n: number) => Math.round(n * 1e6) / 1e6;

/**
 * Every decision key's answered decisions per window of `windowSize` runs (by the order the runs
 * were submitted), spot-checks not counted as decisions, their cost apart: where the frontier
 * share and the cost of each window come from.
 */
export function keyWindows(events: Iterable<LoopEvent>, windowSize: number): Record<string, KeyWindow[]> {
  const ordinal = new Map<string, number>();
  const byKey = new Map<string, KeyWindow[]>();
  for (const e of events) {
    if (e.type === 'goal.submitted' && !ordinal.has(e.aggregateId)) ordinal.set(e.aggregateId, ordinal.size);
    if (e.type !== 'decision.completed') continue;
    const index = ordinal.get(e.aggregateId);
    if (index === undefined) continue;
    const windows = byKey.get(e.data.key) ?? [];
    byKey.set(e.data.key, windows);
    const w = Math.floor(index / windowSize);
    for (let i = windows.length; i <= w; i++) windows.push({ ...blank(), ...noCost() });
    if (e.data.shadow) {
      windows[w].spotCheckCostUsd += e.data.costUsd;
      continue;
    }
    windows[w].costUsd += e.data.costUsd;
    windows[w][e.data.tier]++;
  }
  const windowsTotal = Math.ceil(ordinal.size / windowSize);
  return Object.fromEntries(
    [...byKey.keys()].sort().map((key) => {
      const windows = byKey.get(key)!;
      while (windows.length < windowsTotal) windows.push({ ...blank(), ...noCost() });
      return [key, windows.map((w) => ({ ...w, costUsd: cents(w.costUsd), spotCheckCostUsd: cents(w.spotCheckCostUsd) }))];
    }),
  );
}

/**
 * Every decision key of the log with the tier it sits at after the last event, and why: a promoted
 * rule not demoted since, a built-in check, or the reason the last rule for it was rejected or
 * demoted (or that none was proposed). `runIds` limits the answered counts to those runs (the
 * last window, say).
 */
export function keyStandings(events: Iterable<LoopEvent>, runIds?: ReadonlySet<string>): KeyStanding[] {
  const answered = new Map<string, KeyStanding['answered']>();
  const cost = new Map<string, ReturnType<typeof noCost>>();
  const builtin = new Map<string, string>();
  const inForce = new Map<string, RulePromoted>();
  const lastWord = new Map<string, string>();
  const keyOfRule = new Map<string, string>();
  for (const e of events) {
    switch (e.type) {
      case 'decision.requested':
        if (e.data.builtinCheck) builtin.set(e.data.key, e.data.builtinCheck);
        if (!answered.has(e.data.key)) answered.set(e.data.key, blank());
        break;
      case 'decision.completed':
        if (!runIds || runIds.has(e.aggregateId)) {
          const counts = answered.get(e.data.key) ?? blank();
          if (!e.data.shadow) counts[e.data.tier]++;
          answered.set(e.data.key, counts);
          const spent = cost.get(e.data.key) ?? noCost();
          spent[e.data.shadow ? 'spotCheckCostUsd' : 'costUsd'] += e.data.costUsd;
          cost.set(e.data.key, spent);
        }
        break;
      case 'rule.proposed':
        keyOfRule.set(e.data.ruleId, e.data.key);
        break;
      case 'rule.promoted':
        inForce.set(e.data.key, e.data);
        break;
      case 'rule.demoted':
        if (inForce.get(e.data.key)?.ruleId === e.data.ruleId) inForce.delete(e.data.key);
        lastWord.set(e.data.key, `${e.data.ruleId} demoted: ${e.data.reason}`);
        break;
      case 'rule.rejected': {
        const key = keyOfRule.get(e.data.ruleId);
        if (key) lastWord.set(key, `${e.data.ruleId} rejected: ${e.data.reason}`);
        break;
      }
      default:
        break;
    }
  }
  return [...answered.keys()].sort().map((key) => {
    const rule = inForce.get(key);
    const spent = cost.get(key) ?? noCost();
    const counts = { answered: answered.get(key)!, costUsd: cents(spent.costUsd), spotCheckCostUsd: cents(spent.spotCheckCostUsd) };
    if (builtin.has(key)) return { key, tier: 'deterministic' as const, why: `built-in check ${builtin.get(key)}`, ...counts };
    if (rule) {
      const why = rule.tier === 'deterministic' ? 'a mined rule' : rule.confidenceThreshold === undefined ? `drafted by ${rule.modelId}` : `resident ${rule.modelId}, escalating below ${rule.confidenceThreshold.toFixed(3)}`;
      return { key, tier: rule.tier, ruleId: rule.ruleId, why, ...counts };
    }
    return { key, tier: 'frontier' as const, why: lastWord.get(key) ?? 'no rule proposed yet (too few frontier verdicts)', ...counts };
  });
}
