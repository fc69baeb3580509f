import { createEvent, EventOf, LoopEvent } from '@loopwright/events';

/** A review as the log tells it: the request and, once someone answered, the resolution. */
export interface ReviewView {
  requested: EventOf<'review.requested'>;
  resolved?: EventOf<'review.resolved'>;
}

export const RESOLUTIONS = ['accept', 'reject', 'retry'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export interface ResolveReview {
  resolution: Resolution;
  by: string;
  note?: string;
}

export type ReviewDecision =
  | { kind: 'append'; event: EventOf<'review.resolved'> }
  | { kind: 'refuse'; reason: 'unknown' | 'already-resolved'; message: string };

/** Folds review events into one view per review id; a resolution without its request is ignored. */
export function foldReviews(events: Iterable<LoopEvent>): Map<string, ReviewView> {
  const reviews = new Map<string, ReviewView>();
  for (const e of events) {
    if (e.type === 'review.requested' && !reviews.has(e.data.reviewId)) reviews.set(e.data.reviewId, { requested: e });
    if (e.type === 'review.resolved') {
      const view = reviews.get(e.data.reviewId);
      if (view && !view.resolved) view.resolved = e;
    }
  }
  return reviews;
}

/** A person's answer to a review: appended once, refused when the review is unknown or already answered. */
export function decideReviewResolution(reviewId: string, view: ReviewView | undefined, command: ResolveReview): ReviewDecision {
  if (!view) return { kind: 'refuse', reason: 'unknown', message: `no review ${reviewId}: list the open reviews to find its id` };
  if (view.resolved) {
    const { resolution, by } = view.resolved.data;
    return { kind: 'refuse', reason: 'already-resolved', message: `review ${reviewId} was already resolved (${resolution} by ${by})` };
  }
  return {
    kind: 'append',
    event: createEvent({
      type: 'review.resolved',
      aggregateId: reviewId,
      producer: 'submitter',
      correlationId: view.requested.correlationId,
      causationId: view.requested.id,
      data: { reviewId, resolution: command.resolution, by: command.by, note: command.note ?? '' },
    }),
  };
}
