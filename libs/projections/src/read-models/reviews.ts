import type { EntityManager } from 'typeorm';
import type { EventOf, LoopEvent } from '@loopwright/events';
import { defineReadModel, SequencedEvent } from '../projector';
import { RowSet } from '../row-set';
import { defineTable } from '../row-table';

export interface ReviewRow {
  review_id: string;
  run_id: string | null;
  task_id: string | null;
  decision_id: string | null;
  rule_id: string | null;
  reason: string | null;
  summary: string | null;
  items: string[];
  status: 'open' | 'resolved';
  resolution: string | null;
  resolved_by: string | null;
  note: string | null;
  requested_at: string | null;
  resolved_at: string | null;
  requested_seq: number | null;
  resolved_seq: number | null;
}

export const REVIEWS = defineTable<ReviewRow>({
  name: 'reviews',
  key: ['review_id'],
  columns: {
    review_id: 'text', run_id: 'text', task_id: 'text', decision_id: 'text', rule_id: 'text', reason: 'text', summary: 'text',
    items: 'jsonb', status: 'text', resolution: 'text', resolved_by: 'text', note: 'text', requested_at: 'timestamptz',
    resolved_at: 'timestamptz', requested_seq: 'int8', resolved_seq: 'int8',
  },
});

const HANDLES = ['review.requested', 'review.resolved'] as const;
type ReviewEvent = EventOf<(typeof HANDLES)[number]>;

export function evolveReview(reviews: RowSet<ReviewRow>, event: ReviewEvent, seq: number): void {
  const existing = reviews.get(event.data.reviewId);
  switch (event.type) {
    case 'review.requested': {
      if (existing?.requested_seq != null) return;
      const d = event.data;
      reviews.put({
        review_id: d.reviewId, run_id: d.runId ?? null, task_id: d.taskId ?? null, decision_id: d.decisionId ?? null,
        rule_id: d.ruleId ?? null, reason: d.reason, summary: d.summary, items: d.items, status: existing?.status ?? 'open',
        resolution: existing?.resolution ?? null, resolved_by: existing?.resolved_by ?? null, note: existing?.note ?? null,
        requested_at: event.occurredAt, resolved_at: existing?.resolved_at ?? null, requested_seq: seq,
        resolved_seq: existing?.resolved_seq ?? null,
      });
      return;
    }
    case 'review.resolved': {
      // A review is answered once: a later resolution is not acted on (the executor quarantines it), so it does not show.
      if (existing?.resolved_seq != null) return;
      const base: ReviewRow = existing ?? {
        review_id: event.data.reviewId, run_id: null, task_id: null, decision_id: null, rule_id: null, reason: null, summary: null,
        items: [], status: 'open', resolution: null, resolved_by: null, note: null, requested_at: null, resolved_at: null,
        requested_seq: null, resolved_seq: null,
      };
      reviews.put({
        ...base, status: 'resolved', resolution: event.data.resolution, resolved_by: event.data.by, note: event.data.note,
        resolved_at: event.occurredAt, resolved_seq: seq,
      });
      return;
    }
    default: {
      const unreachable: never = event;
      throw new Error(`reviews: unhandled ${(unreachable as LoopEvent).type}`);
    }
  }
}

async function applyReviews(events: readonly SequencedEvent[], tx: EntityManager): Promise<void> {
  const typed = events as readonly { seq: number; event: ReviewEvent }[];
  const reviews = await RowSet.load(tx, REVIEWS, typed.map(({ event }) => [event.data.reviewId]));
  for (const { seq, event } of typed) evolveReview(reviews, event, seq);
  await reviews.save(tx);
}

/** Hand-offs to a human: why, what to look at, and how they were resolved. */
export const reviewsProjector = defineReadModel({
  name: 'reviews',
  version: 1,
  handles: HANDLES,
  tables: ['reviews'],
  applyMany: applyReviews,
});
