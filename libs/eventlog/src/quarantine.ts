import { createEvent, deterministicId, LoopEvent, Producer } from '@loopwright/events';
import type { StoredEvent } from './codec';
import type { LogConfig } from './config';
import type { ReplayOptions } from './replay';

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

export interface QuarantineDeps {
  config: Pick<LogConfig, 'subjectRoot'>;
  append(event: LoopEvent): Promise<unknown>;
  replay(options: ReplayOptions): AsyncIterable<StoredEvent>;
}

/**
 * Appends the notice unless the log already holds one for this consumer and sequence. Its id
 * dedups a retry inside the duplicate window; the look-up covers a retry after it (a process that
 * died between the notice and the ack, and came back later).
 */
export async function quarantineOnce(deps: QuarantineDeps, notice: QuarantineNotice): Promise<void> {
  const filter = `${deps.config.subjectRoot}.system.${notice.consumer}.*.system.event.quarantined`;
  for await (const stored of deps.replay({ filter })) {
    if (stored.event?.type === 'system.event.quarantined' && stored.event.data.originalSeq === notice.seq) return;
  }
  await deps.append(quarantineEvent(notice));
}
