import type { DataSource } from 'typeorm';
import type { EventLog, StoredEvent } from '@loopwright/eventlog';
import { ApplyPipeline } from './apply-pipeline';
import { ApplyOptions, applyStoredBatch, handledTypes, lowestCheckpoint } from './apply-stored-batch';
import { replayStoredBatches } from './stored-messages';
import type { ProjectionSet } from './projector';
import { ALL_PROJECTIONS } from './read-models';

/**
 * Messages the reader pulls ahead of the batch being built. Batches already hold the messages read
 * meanwhile; a deeper pull would keep thousands more alive across collections for no gain in speed.
 */
const PULL_AHEAD = 2_000;

export interface ReplayOptions {
  projections?: ProjectionSet;
  /** Messages per transaction. */
  batchSize?: number;
  /** A rebuild relaxes durability: nobody reads its tables before the swap. */
  apply?: ApplyOptions;
  /** Stops between batches (throwing the signal's reason); what was committed stays, checkpoint included. */
  signal?: AbortSignal;
  /**
   * Each projector in its own transaction, the projectors at once: between batches the projectors
   * stand at different positions, which only a generation nobody reads before it is complete allows.
   */
  projectorsApart?: boolean;
  /** Batches applying at once (per projector when apart), while the next one is read; 1 by default. */
  inFlight?: number;
  /** Called after each batch committed by every projector. */
  onBatch?(progress: ReplayProgress): void;
}

export interface ReplayProgress {
  lastSeq: number;
  events: number;
  seconds: number;
}

export interface ReplayResult extends ReplayProgress {
  /** Messages applied per second. */
  rate: number;
}

/**
 * The fast path for catching up or rebuilding: reads the log from the lowest checkpoint of the set
 * to its end (as it stood when the replay began) and applies it in large batches, one transaction
 * per batch. While Postgres commits one batch, the next is read and decoded; only the event types a
 * projector handles are decoded.
 */
export async function replayProjections(log: EventLog, dataSource: DataSource, options: ReplayOptions = {}): Promise<ReplayResult> {
  const projections = options.projections ?? ALL_PROJECTIONS;
  const batchSize = options.batchSize ?? 2_000;
  const started = performance.now();
  const fromSeq = (await lowestCheckpoint(dataSource, projections)) + 1;
  let events = 0;
  let lastSeq = fromSeq - 1;
  const sets = options.projectorsApart ? oneSetPerProjector(projections) : [projections];
  const pipeline = new ApplyPipeline<StoredEvent[]>(
    sets.map((set) => (batch) => applyStoredBatch(dataSource, set, batch, options.apply)),
    options.inFlight ?? 1,
    (batch) => {
      events += batch.length;
      lastSeq = Math.max(lastSeq, batch[batch.length - 1].seq);
      options.onBatch?.({ lastSeq, events, seconds: (performance.now() - started) / 1000 });
    },
  );
  const submit = async (batch: StoredEvent[]): Promise<void> => {
    if (options.signal?.aborted) await pipeline.drain();
    options.signal?.throwIfAborted();
    await pipeline.submit(batch);
  };

  const decode = handledTypes(projections);
  for await (const batch of replayStoredBatches(log, { fromSeq, decode, size: batchSize, batch: PULL_AHEAD })) await submit(batch);
  await pipeline.drain();
  const seconds = (performance.now() - started) / 1000;
  return { lastSeq, events, seconds, rate: seconds > 0 ? events / seconds : events };
}

function oneSetPerProjector(set: ProjectionSet): ProjectionSet[] {
  return [
    ...set.readModels.map((model) => ({ readModels: [model], links: [] })),
    ...set.links.map((link) => ({ readModels: [], links: [link] })),
  ];
}
