import { createEvent, deterministicId, LoopEvent, Producer } from '@loopwright/events';

export interface QuarantineNotice {
  streamName: string;
  consumer: string;
  producer: Producer;
  seq: number;
  subject: string;
  deliveries: number;
  reason: string;
}

/**
 * The `system.event.quarantined` notice for a message a consumer can never handle. Its id is
 * derived from (stream, consumer, seq) so a crash between publishing it and terminating the
 * message does not record it twice.
 */
export function quarantineEvent(notice: QuarantineNotice): LoopEvent {
  return createEvent({
    type: 'system.event.quarantined',
    id: deterministicId('quarantine', notice.streamName, notice.consumer, notice.seq),
    aggregateId: notice.consumer,
    producer: notice.producer,
    data: {
      originalSeq: notice.seq,
      originalSubject: notice.subject,
      consumer: notice.consumer,
      deliveries: notice.deliveries,
      reason: notice.reason.slice(0, 2_000),
    },
  });
}
