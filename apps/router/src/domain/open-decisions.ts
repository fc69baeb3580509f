import { type LoopEvent, spendKeyOf } from '@loopwright/events';

/**
 * The decisions of a run still open when `endEventId` ended it (as the ledger keys them, see
 * spendKeyOf): requested before that event and not completed before it, and spot-checks routed and
 * not completed. Their lives are over (nothing acts on a routing of an ended run), so
 * what they hold is released; a decision requested after the end (a person gave the task another
 * iteration) is not among them.
 */
export function decisionsOpenAtEnd(runEvents: readonly LoopEvent[], endEventId: string): string[] {
  const open = new Set<string>();
  for (const event of runEvents) {
    if (event.id === endEventId) return [...open];
    if (event.type === 'decision.requested') open.add(event.data.decisionId);
    // a spot-check's frontier call holds under a key of its own, open until its shadow completion
    else if (event.type === 'decision.routed' && event.data.shadow) open.add(spendKeyOf(event.data.decisionId, true));
    else if (event.type === 'decision.completed') open.delete(spendKeyOf(event.data.decisionId, event.data.shadow));
  }
  // an end the run does not hold (not readable yet): every decision is open as far as the log shows
  return [...open];
}
