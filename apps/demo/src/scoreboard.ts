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
}

const blank = () => ({ frontier: 0, resident: 0, deterministic: 0, human: 0 });

/**
 * Every decision key of the log with the tier it sits at after the last event, and why: a promoted
 * rule not demoted since, a built-in check, or the reason the last rule for it was rejected or
 * demoted (or that none was proposed). `runIds` limits the answered counts to those runs (the
 * last window, say).
 */
export function keyStandings(events: Iterable<LoopEvent>, runIds?: ReadonlySet<string>): KeyStanding[] {
  const answered = new Map<string, KeyStanding['answered']>();
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
        if (!e.data.shadow && (!runIds || runIds.has(e.aggregateId))) {
          const counts = answered.get(e.data.key) ?? blank();
          counts[e.data.tier]++;
          answered.set(e.data.key, counts);
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
    const counts = answered.get(key)!;
    if (builtin.has(key)) return { key, tier: 'deterministic' as const, why: `built-in check ${builtin.get(key)}`, answered: counts };
    if (rule) {
      const why = rule.tier === 'deterministic' ? 'a mined rule' : rule.confidenceThreshold === undefined ? `drafted by ${rule.modelId}` : `resident ${rule.modelId}, escalating below ${rule.confidenceThreshold.toFixed(3)}`;
      return { key, tier: rule.tier, ruleId: rule.ruleId, why, answered: counts };
    }
    return { key, tier: 'frontier' as const, why: lastWord.get(key) ?? 'no rule proposed yet (too few frontier verdicts)', answered: counts };
  });
}
