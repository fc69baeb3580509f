import { IMPORTED_RUN_PREFIX, isImportedRun } from './catalog';
import { parseDecisionKey } from './decision-keys';
import type { LoopEvent } from './envelope';
import type { Aggregate } from './vocabulary';

/** The data field that names an event's own aggregate, where its data carries one. */
const OWN_ID_FIELD: Partial<Record<Aggregate, string>> = { run: 'runId', review: 'reviewId', rule: 'ruleId' };

/**
 * What an event's data says of whom it speaks for that its envelope contradicts, or undefined: a
 * data id naming another aggregate than the envelope's (the subject's), or a decision requested or
 * completed by another producer than the requester its key names, or a goal whose backend says
 * otherwise than its run id about an import. Each would let an identity that may publish the type
 * act on another aggregate, on another service's decisions, or record a run's work in another's place.
 */
export function identityConflict(event: LoopEvent): string | undefined {
  const field = OWN_ID_FIELD[event.aggregate];
  const ownId = field === undefined ? undefined : (event.data as Record<string, unknown>)[field];
  if (typeof ownId === 'string' && ownId !== event.aggregateId) {
    return `${event.type} ${event.id} names ${field} ${ownId} in its data but belongs to ${event.aggregate} ${event.aggregateId}`;
  }
  if (event.type === 'goal.submitted' && (event.data.backend === 'import') !== isImportedRun(event.aggregateId)) {
    const rule = event.data.backend === 'import'
      ? `only a run id starting ${IMPORTED_RUN_PREFIX} is an import`
      : `a run id starting ${IMPORTED_RUN_PREFIX} is an import's`;
    return `goal.submitted ${event.id} of run ${event.aggregateId} names backend ${event.data.backend}, but ${rule}`;
  }
  if (event.type === 'decision.requested' || event.type === 'decision.completed') {
    const { requester } = parseDecisionKey(event.data.key);
    const claimed = event.type === 'decision.requested' ? event.data.requester : requester;
    if (requester !== event.producer || claimed !== event.producer) {
      return `${event.type} ${event.id} for decision ${event.data.decisionId} (key ${event.data.key}) comes from ${event.producer}: only its requester ${requester} may request or complete it`;
    }
  }
  return undefined;
}
