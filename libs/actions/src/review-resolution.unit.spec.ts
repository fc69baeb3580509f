import { createEvent } from '@loopwright/events';
import { decideReviewResolution, foldReviews } from './review-resolution';

const requested = (reviewId: string) =>
  createEvent({ type: 'review.requested', aggregateId: reviewId, producer: 'router', correlationId: 'run-7', data: { reviewId, reason: 'budget', summary: 'the goal ran out of budget' } });
const resolved = (reviewId: string, resolution: 'accept' | 'reject' | 'retry', by: string) =>
  createEvent({ type: 'review.resolved', aggregateId: reviewId, producer: 'submitter', data: { reviewId, resolution, by } });

describe('resolving a review', () => {
  it('appends the resolution, chained to the request it answers', () => {
    const request = requested('rv-1');
    const decision = decideReviewResolution('rv-1', foldReviews([request]).get('rv-1'), { resolution: 'retry', by: 'ada', note: 'try again' });
    if (decision.kind !== 'append') throw new Error(`expected an append, got ${decision.message}`);
    expect(decision.event).toMatchObject({
      type: 'review.resolved', aggregateId: 'rv-1', producer: 'submitter', correlationId: 'run-7', causationId: request.id,
      data: { reviewId: 'rv-1', resolution: 'retry', by: 'ada', note: 'try again' },
    });
  });

  it('refuses an unknown review and says where to look', () => {
    expect(decideReviewResolution('rv-none', undefined, { resolution: 'accept', by: 'ada' })).toEqual({
      kind: 'refuse', reason: 'unknown', message: 'no review rv-none: list the open reviews to find its id',
    });
  });

  it('refuses a second answer, naming the first; the first resolution stays the one that counts', () => {
    const views = foldReviews([requested('rv-2'), resolved('rv-2', 'accept', 'ada'), resolved('rv-2', 'reject', 'bob')]);
    expect(views.get('rv-2')!.resolved!.data).toMatchObject({ resolution: 'accept', by: 'ada' });
    expect(decideReviewResolution('rv-2', views.get('rv-2'), { resolution: 'reject', by: 'bob' })).toMatchObject({
      kind: 'refuse', reason: 'already-resolved', message: 'review rv-2 was already resolved (accept by ada)',
    });
  });

  it('ignores a resolution whose request is not in the log', () => {
    expect(foldReviews([resolved('rv-3', 'accept', 'ada')]).size).toBe(0);
  });
});
