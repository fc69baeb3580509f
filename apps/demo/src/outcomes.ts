import type { LoopEvent, RulePromoted } from '@loopwright/events';
import { knownBadPassing } from '@loopwright/mining';
import type { Rubric } from '@loopwright/rubrics';

/**
 * Agreement of retired decisions (a rule or a resident decided) with the frontier's shadow answer
 * to the same request, over the given runs. Null when no retired decision was spot-checked.
 */
export function shadowAgreement(events: Iterable<LoopEvent>, runIds: ReadonlySet<string>): { agreement: number | null; n: number } {
  const primary = new Map<string, string>();
  const shadow = new Map<string, string>();
  for (const e of events) {
    if (e.type !== 'decision.completed' || !runIds.has(e.aggregateId)) continue;
    if (e.data.shadow && e.data.tier === 'frontier') shadow.set(e.data.decisionId, e.data.verdict);
    else if (!e.data.shadow && (e.data.tier === 'deterministic' || e.data.tier === 'resident') && e.data.ruleId) primary.set(e.data.decisionId, e.data.verdict);
  }
  let n = 0;
  let agree = 0;
  for (const [id, verdict] of primary) {
    const frontier = shadow.get(id);
    if (frontier === undefined || frontier === 'unusable') continue;
    n++;
    if (frontier === verdict) agree++;
  }
  return { agreement: n === 0 ? null : agree / n, n };
}

/** Golden known-bad examples that would pass with the promoted deterministic rules answering their items: must stay 0. */
export function goldenKnownBadPassed(rubrics: readonly Rubric[], promoted: readonly RulePromoted[]): number {
  const rules = promoted
    .filter((r) => r.predicate)
    .map((r) => ({ key: r.key, rule: { predicate: r.predicate!, verdictWhenTrue: r.verdictWhenTrue!, verdictWhenFalse: r.verdictWhenFalse! } }));
  return knownBadPassing(rubrics, rules).length;
}
