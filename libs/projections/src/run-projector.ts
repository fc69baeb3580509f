import type { DataSource } from 'typeorm';
import type { EventLog, RunningConsumer } from '@loopwright/eventlog';
import { Projector } from './projector';
import { applyBatch } from './projector-runtime';

/** Keeps a projector live: a durable consumer over the whole log, one transaction per event. */
export function runProjector(
  log: EventLog,
  dataSource: DataSource,
  projector: Projector,
  options: { ackWaitMs?: number } = {},
): Promise<RunningConsumer> {
  return log.consume(
    { durable: `projector-${projector.name}-v${projector.version}`, filterSubject: `${log.config.subjectRoot}.>`, batch: 256, ackWaitMs: options.ackWaitMs },
    async (event, delivery) => {
      await applyBatch(dataSource, projector, [{ seq: delivery.seq, event }]);
    },
  );
}
