import { LoopEvent, SubjectToken } from '@loopwright/events';
import type { EventLog } from '@loopwright/eventlog';
import { decideReviewResolution, foldReviews, ResolveReview, ReviewDecision, ReviewView } from './review-resolution';

/** Reviews folded from the log (all of them, or one by id): the log, not a projection, has the last word. */
export async function readReviews(log: EventLog, reviewId = '*'): Promise<Map<string, ReviewView>> {
  const events: LoopEvent[] = [];
  for await (const stored of log.replay({ filter: `${log.config.subjectRoot}.review.${reviewId}.>` })) {
    if (stored.event) events.push(stored.event);
  }
  return foldReviews(events);
}

/** Resolves a review against its state in the log and appends the resolution when it is allowed. */
export async function resolveReview(log: EventLog, reviewId: string, command: ResolveReview): Promise<ReviewDecision> {
  // An id that is not a subject token names no review, and must not become a wildcard in the filter.
  const view = SubjectToken.safeParse(reviewId).success ? (await readReviews(log, reviewId)).get(reviewId) : undefined;
  const decision = decideReviewResolution(reviewId, view, command);
  if (decision.kind === 'append') await log.append(decision.event);
  return decision;
}
