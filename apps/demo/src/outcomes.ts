import type { LoopEvent, RulePromoted } from '@loopwright/events';
import { KeyedAnswerer, knownBadPassing, ResidentModel, residentAnswer, ruleVerdict } from '@loopwright/mining';
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

/**
 * Golden known-bad examples that would pass with the promoted rules and residents answering their
 * items (a resident where it would answer by itself; the hand label where it would escalate): must stay 0.
 */
export function goldenKnownBadPassed(rubrics: readonly Rubric[], promoted: readonly RulePromoted[], residents: ReadonlyMap<string, ResidentModel> = new Map()): number {
  const answerers: KeyedAnswerer[] = [];
  for (const r of promoted) {
    if (r.predicate) {
      const rule = { predicate: r.predicate, verdictWhenTrue: r.verdictWhenTrue!, verdictWhenFalse: r.verdictWhenFalse! };
      answerers.push({ key: r.key, answer: (features) => ruleVerdict(rule, features) });
    } else if (r.modelId && residents.has(r.modelId)) {
      const model = residents.get(r.modelId)!;
      answerers.push({ key: r.key, answer: (features, texts) => residentAnswer(model, features, texts) });
    }
  }
  return knownBadPassing(rubrics, answerers).length;
}
