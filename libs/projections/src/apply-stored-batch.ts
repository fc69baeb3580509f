import type { DataSource, EntityManager } from 'typeorm';
import { LoopwrightError } from '@loopwright/core';
import type { StoredEvent } from '@loopwright/eventlog';
import { checkpointKey, LinkProjector, ProjectionSet, ReadModel, SequencedEvent } from './projector';

/**
 * A batch starts past a projector's checkpoint + 1: applying it would skip events. It happens when a
 * rebuild swapped in tables at an earlier position than the live runner had reached; the runner
 * restarts reading from the lowest checkpoint.
 */
export class CheckpointGapError extends LoopwrightError {
  readonly code = 'PROJECTION_GAP';
  readonly retryable = true;
  constructor(
    readonly projector: string,
    readonly checkpoint: number,
    readonly firstSeq: number,
  ) {
    super(`projection ${projector} is at ${checkpoint} but the batch starts at ${firstSeq}`);
  }
}

export function checkpointKeys(set: ProjectionSet): string[] {
  return [...set.readModels, ...set.links].map(checkpointKey).sort();
}

/** Locks (creating) the checkpoint rows of the set, in key order so concurrent lockers cannot deadlock. */
export async function lockCheckpoints(tx: EntityManager, keys: readonly string[]): Promise<Map<string, number>> {
  const lock = async () => {
    const rows: { projector: string; last_seq: string }[] = await tx.query(
      'SELECT projector, last_seq FROM projection_checkpoint WHERE projector = ANY($1::text[]) ORDER BY projector FOR UPDATE',
      [keys],
    );
    return new Map(rows.map((row) => [row.projector, Number(row.last_seq)]));
  };
  // The rows exist after the first batch: creating them only when missing saves a statement per batch.
  const locked = await lock();
  if (locked.size === keys.length) return locked;
  await tx.query(
    'INSERT INTO projection_checkpoint (projector, last_seq) SELECT unnest($1::text[]), 0 ON CONFLICT (projector) DO NOTHING',
    [keys],
  );
  return lock();
}

/** The lowest checkpoint of the set: where a replay feeding all of them must start after. */
export async function lowestCheckpoint(dataSource: DataSource, set: ProjectionSet): Promise<number> {
  const keys = checkpointKeys(set);
  const rows: { projector: string; last_seq: string }[] = await dataSource.query(
    'SELECT projector, last_seq FROM projection_checkpoint WHERE projector = ANY($1::text[])',
    [keys],
  );
  if (rows.length < keys.length) return 0;
  return Math.min(...rows.map((row) => Number(row.last_seq)));
}

export interface ApplyOptions {
  /**
   * Commit without waiting for the WAL flush. A crash may lose the last commits, whole, checkpoint
   * included, so they are replayed again: safe for a rebuild, which nobody reads before it swaps.
   */
  relaxedDurability?: boolean;
}

type AnyProjector = { kind: 'model'; projector: ReadModel } | { kind: 'links'; projector: LinkProjector };

/**
 * Applies a contiguous run of stored messages to every projector of the set in ONE transaction and
 * advances each projector's checkpoint in it, so every table is at the same position when it commits
 * (the tier-share views join two projectors' tables). Each projector gets only what lies above its own
 * checkpoint (so a redelivered or replayed message is applied once); read models get the decoded
 * events they handle, link projectors every message, malformed ones included.
 */
export async function applyStoredBatch(
  dataSource: DataSource,
  set: ProjectionSet,
  batch: readonly StoredEvent[],
  options: ApplyOptions = {},
): Promise<void> {
  if (batch.length === 0) return;
  for (let i = 1; i < batch.length; i++) {
    if (batch[i].seq !== batch[i - 1].seq + 1) {
      throw new Error(`a projection batch must be contiguous: ${batch[i - 1].seq} is followed by ${batch[i].seq}`);
    }
  }
  const all: AnyProjector[] = [
    ...set.readModels.map((projector) => ({ kind: 'model' as const, projector })),
    ...set.links.map((projector) => ({ kind: 'links' as const, projector })),
  ];
  await dataSource.transaction(async (tx) => {
    if (options.relaxedDurability) await tx.query('SET LOCAL synchronous_commit = off');
    const checkpoints = await lockCheckpoints(tx, checkpointKeys(set));
    const advanced: string[] = [];
    for (const p of all) {
      const key = checkpointKey(p.projector);
      if (await applyAbove(tx, p, checkpoints.get(key) ?? 0, batch)) advanced.push(key);
    }
    if (advanced.length > 0) {
      await tx.query('UPDATE projection_checkpoint SET last_seq = $2, updated_at = now() WHERE projector = ANY($1::text[])', [
        advanced,
        batch[batch.length - 1].seq,
      ]);
    }
  });
}

/** Applies what lies above the checkpoint; false when the projector is already past the batch. */
async function applyAbove(tx: EntityManager, p: AnyProjector, checkpoint: number, batch: readonly StoredEvent[]): Promise<boolean> {
  const firstSeq = batch[0].seq;
  if (checkpoint >= batch[batch.length - 1].seq) return false;
  if (firstSeq > checkpoint + 1) throw new CheckpointGapError(checkpointKey(p.projector), checkpoint, firstSeq);
  const from = Math.max(0, checkpoint - firstSeq + 1);
  if (p.kind === 'links') {
    await p.projector.applyLinks(batch.slice(from), tx);
    return true;
  }
  const handles = new Set<string>(p.projector.handles);
  const events: SequencedEvent[] = [];
  for (let i = from; i < batch.length; i++) {
    const { seq, event } = batch[i];
    if (event && handles.has(event.type)) events.push({ seq, event });
  }
  if (events.length > 0) await p.projector.applyMany(events, tx);
  return true;
}

/** The event types at least one read model of the set handles: the only ones worth decoding. */
export function handledTypes(set: ProjectionSet): Set<string> {
  return new Set(set.readModels.flatMap((model) => model.handles));
}
