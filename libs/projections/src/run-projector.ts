import type { DataSource } from 'typeorm';
import type { EventLog, RunningConsumer } from '@loopwright/eventlog';
import { Projector } from './projector';
import { applyBatch } from './projector-runtime';

/**
 * Keeps one projector live: a durable consumer over the whole log, one event outstanding and one
 * transaction per event. Its
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
    // One message outstanding at a time: the checkpoint skips what lies below it, so a message must
    // never be applied before an earlier one, and redeliveries after a crash may come in any order.
    { durable: `projector-${projector.name}-v${projector.version}`, filterSubject: `${log.config.subjectRoot}.>`, batch: 256, ackWaitMs: options.ackWaitMs, maxAckPending: 1 },
    async (event, delivery) => {
      await applyBatch(dataSource, projector, [{ seq: delivery.seq, event }]);
    },
  );
}
