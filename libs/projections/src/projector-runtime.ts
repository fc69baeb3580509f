import type { DataSource, EntityManager } from 'typeorm';
import { checkpointKey, isReadModel, Projector, SequencedEvent } from './projector';

async function lockCheckpoint(tx: EntityManager, key: string): Promise<number> {
  await tx.query('INSERT INTO projection_checkpoint (projector, last_seq) VALUES ($1, 0) ON CONFLICT DO NOTHING', [key]);
  const rows: { last_seq: string }[] = await tx.query(
    'SELECT last_seq FROM projection_checkpoint WHERE projector = $1 FOR UPDATE',
    [key],
  );
  return Number(rows[0].last_seq);
}

/**
 * Applies a batch of events in stream order in ONE transaction and advances the checkpoint in
 * it: an event at or below the checkpoint is skipped, so a redelivered event is applied once.
 * Returns how many events were applied.
 */
export async function applyBatch(dataSource: DataSource, projector: Projector, batch: readonly SequencedEvent[]): Promise<number> {
  if (batch.length === 0) return 0;
  const key = checkpointKey(projector);
  return dataSource.transaction(async (tx) => {
    const lastSeq = await lockCheckpoint(tx, key);
    const handled: SequencedEvent[] = [];
    let highest = lastSeq;
    for (const item of batch) {
      if (item.seq <= highest) continue;
      if (projector.handles.includes(item.event.type)) handled.push(item);
      highest = item.seq;
    }
    if (isReadModel(projector)) {
      if (handled.length > 0) await projector.applyMany(handled, tx);
    } else {
      for (const { seq, event } of handled) await projector.apply(event, seq, tx);
    }
    const applied = handled.length;
    if (highest > lastSeq) {
      await tx.query('UPDATE projection_checkpoint SET last_seq = $2, updated_at = now() WHERE projector = $1', [key, highest]);
    }
    return applied;
  });
}

export async function readCheckpoint(dataSource: DataSource, projector: Pick<Projector, 'name' | 'version'>): Promise<number> {
  const rows: { last_seq: string }[] = await dataSource.query('SELECT last_seq FROM projection_checkpoint WHERE projector = $1', [
    checkpointKey(projector),
  ]);
  return rows.length === 0 ? 0 : Number(rows[0].last_seq);
}

/** How far the projections have got: the highest stream sequence any projector has committed (0 before any). */
export async function projectionPosition(dataSource: DataSource): Promise<number> {
  const rows: { last_seq: string }[] = await dataSource.query('SELECT coalesce(max(last_seq), 0) AS last_seq FROM projection_checkpoint');
  return Number(rows[0].last_seq);
}
