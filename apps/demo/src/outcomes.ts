import { evaluatePredicate } from '@loopwright/checks';
import type { LoopEvent, RulePromoted } from '@loopwright/events';
import { gradeGoldenExample, goldenFeatures, Rubric } from '@loopwright/rubrics';

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

/**
 * How many hand-labeled known-bad golden examples would pass if the promoted deterministic rules
 * answered their items instead of the hand labels: it must stay 0.
 */
export function goldenKnownBadPassed(rubrics: readonly Rubric[], promoted: readonly RulePromoted[]): number {
  let passed = 0;
  for (const rubric of rubrics) {
    for (const example of rubric.golden.filter((g) => g.label === 'known-bad')) {
      const features = goldenFeatures(example);
      const judge = { ...example.judge };
      for (const rule of promoted) {
        const [, role, , item] = rule.key.split(':');
        if (role !== rubric.role || !(item in judge) || !rule.predicate) continue;
        const verdict = evaluatePredicate(rule.predicate, features) ? rule.verdictWhenTrue! : rule.verdictWhenFalse!;
        judge[item] = (/^[1-5]$/.test(verdict) ? Number(verdict) : verdict) as never;
      }
      if (gradeGoldenExample(rubric, { ...example, judge }).passed) passed++;
    }
  }
  return passed;
}
