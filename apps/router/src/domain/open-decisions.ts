import type { LoopEvent } from '@loopwright/events';

/**
 * The decisions of a run still open when `endEventId` ended it: requested before that event and
 * not completed before it. Their lives are over (nothing acts on a routing of an ended run), so
 * what they hold is released; a decision requested after the end (a person gave the task another
 * iteration) is not among them.
 */
export function decisionsOpenAtEnd(runEvents: readonly LoopEvent[], endEventId: string): string[] {
  const open = new Set<string>();
  for (const event of runEvents) {
    if (event.id === endEventId) return [...open];
    if (event.type === 'decision.requested') open.add(event.data.decisionId);
    else if (event.type === 'decision.completed' && !event.data.shadow) open.delete(event.data.decisionId);
  }
  // an end the run does not hold (not readable yet): every decision is open as far as the log shows
  return [...open];
}
