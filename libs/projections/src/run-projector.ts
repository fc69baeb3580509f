import type { DataSource } from 'typeorm';
import type { EventLog, RunningConsumer } from '@loopwright/eventlog';
import { Projector } from './projector';
import { applyBatch } from './projector-runtime';

/**
 * Keeps one projector live: a durable consumer over the whole log, one transaction per event. Its
 * position is the consumer's acks as well as the checkpoint, so it does not follow a rebuild that
 * swaps in tables at an earlier checkpoint; the miner keeps the read models live with its own
 * runner (startProjections), which reads from the checkpoints.
 */
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
