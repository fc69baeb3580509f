import { evaluatePredicate, runCheck } from '@loopwright/checks';
import type { EventOf, LoopEvent, RulePromoted } from '@loopwright/events';

export interface Rederivation {
  decisionId: string;
  key: string;
  by: string;
  recorded: string;
  rederived: string;
  match: boolean;
}

/**
 * Re-derives every deterministic verdict of a run from its recorded inputs: built-in checks from
 * the features in decision.requested, mined rules from their promoted predicate on the same features.
 */
export function rederiveDeterministic(events: readonly LoopEvent[], rules: ReadonlyMap<string, RulePromoted>): Rederivation[] {
  const requests = new Map<string, EventOf<'decision.requested'>>();
  const routes = new Map<string, EventOf<'decision.routed'>>();
  for (const e of events) {
    if (e.type === 'decision.requested') requests.set(e.data.decisionId, e);
    if (e.type === 'decision.routed') routes.set(e.data.decisionId, e);
  }
  const out: Rederivation[] = [];
  for (const e of events) {
    if (e.type !== 'decision.completed' || e.data.tier !== 'deterministic' || e.data.shadow) continue;
    const request = requests.get(e.data.decisionId);
    const route = routes.get(e.data.decisionId);
    if (!request) continue;
    let rederived: string;
    let by: string;
    if (route?.data.ruleId) {
      const rule = rules.get(route.data.ruleId);
      by = `rule ${route.data.ruleId}`;
      rederived = rule?.predicate
        ? evaluatePredicate(rule.predicate, request.data.features)
          ? (rule.verdictWhenTrue ?? '?')
          : (rule.verdictWhenFalse ?? '?')
        : `(rule ${route.data.ruleId} not found in the log)`;
    } else if (request.data.builtinCheck) {
      by = `check ${request.data.builtinCheck}`;
      rederived = runCheck(request.data.builtinCheck, request.data.features).passed ? 'pass' : 'fail';
    } else {
      continue;
    }
    out.push({ decisionId: e.data.decisionId, key: e.data.key, by, recorded: e.data.verdict, rederived, match: rederived === e.data.verdict });
  }
  return out;
}
