import type { DataSource } from 'typeorm';
import { type EventLog, lastHeld, quarantineOnce, type StoredEvent } from '@loopwright/eventlog';
import { StallWatch, stallMsFromEnv } from '@loopwright/service';
import {
  ALL_PROJECTIONS, applyStoredBatch, CheckpointGapError, handledTypes, lowestCheckpoint, openStoredMessages, ProjectionSet,
  rebuildProjections, RebuildResult, StoredMessageReader,
} from '@loopwright/projections';

export interface StartProjectionsOptions {
  projections?: ProjectionSet;
  /** Most messages applied in one transaction when the runner is behind. */
  batchSize?: number;
  retryDelayMs?: number;
  /** Failures are retried from the checkpoint forever (a projection must not skip an event); this is told each one. */
  onError?(error: unknown): void;
  /** How long the reader may sit behind a moving log before it is recreated and reported (default LOOP_PROJECTION_STALL_MS, else 30 s). */
  stallMs?: number;
}

/** The consumer named in the quarantine notices of the live projections. */
export const PROJECTIONS_CONSUMER = 'miner-projections';

/**
 * A message of a type the projections read that is not a valid event (a producer the catalog does
 * not allow, a malformed body) is passed over by every read model; it stays in the log, and a
 * notice says why, as a service's consumer quarantines it (so the executor ends the run it names).
 */
async function quarantineRefused(log: EventLog, batch: readonly StoredEvent[]): Promise<void> {
  for (const stored of batch) {
    if (stored.error === undefined) continue;
    await quarantineOnce(
      { config: log.config, append: (event) => log.append(event), replay: (options) => log.replay(options) },
      {
        streamName: log.config.streamName, consumer: PROJECTIONS_CONSUMER, producer: log.config.producer, seq: stored.seq,
        subject: stored.subject, deliveries: 1, reason: stored.error,
      },
    );
  }
}

export interface RunningProjections {
  /** The highest sequence every projection has applied. */
  position(): number;
  /** Resolves once every projection has applied `seq`. */
  waitFor(seq: number, timeoutMs?: number): Promise<void>;
  /**
   * A rebuild left unfinished by a killed process, resumed at start; undefined when there was none.
   * `stop()` interrupts it between batches; the next start resumes it again.
   */
  readonly rebuild: Promise<RebuildResult | undefined>;
  /** Why the projections are not healthy (stalled behind the log), or undefined. */
  problem(): string | undefined;
  stop(): Promise<void>;
  readonly done: Promise<void>;
}

/**
 * Keeps every projection (read models and the audit chain) live from one reader over the whole log,
 * applying what has arrived in one transaction for all projectors.
 *
 * The reader is an ordered consumer started at the lowest checkpoint + 1, not a JetStream durable:
 * the position that survives a restart is the checkpoints in Postgres, committed with the rows, so
 * there is no second, acked position that could disagree with them (after a rebuild swaps in tables
 * at an earlier position, or a database restored from a backup). The ordered consumer never skips
 * a message; every batch is contiguous, and a projector whose checkpoint is behind the batch (a
 * rebuild just swapped) makes the runner start over from the lowest checkpoint, where projectors
 * already past a message skip it. One transaction for all keeps the tables mutually consistent for
 * readers (the tier-share views join runs and decisions) and costs one commit per batch instead of
 * nine; each projector still has its own checkpoint, so one can be rebuilt alone.
 */
export async function startProjections(log: EventLog, db: DataSource, options: StartProjectionsOptions = {}): Promise<RunningProjections> {
  const projections = options.projections ?? ALL_PROJECTIONS;
  const batchSize = options.batchSize ?? 1_000;
  const decode = handledTypes(projections);
  let position = await lowestCheckpoint(db, projections);
  let stopped = false;
  let reader: StoredMessageReader | undefined;
  const waiters = new Set<{ seq: number; resolve(): void }>();
  const stallMs = options.stallMs ?? stallMsFromEnv();
  const watch = new StallWatch(stallMs);
  let problem: string | undefined;

  const advance = (seq: number): void => {
    position = seq;
    for (const waiter of waiters) {
      if (waiter.seq <= seq) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  };

  const done = (async () => {
    while (!stopped) {
      try {
        const from = await lowestCheckpoint(db, projections);
        advance(from);
        reader = await openStoredMessages(log, { fromSeq: from + 1, decode, batch: batchSize });
        if (stopped) break;
        let batch: StoredEvent[] = [];
        for await (const stored of reader.messages) {
          if (stopped) break;
          batch.push(stored);
          // caught up when the server says nothing is pending past this message: no request per message
          if (batch.length < batchSize && stored.pending > 0) continue;
          // the notice before the rows: a crash between them re-reads the batch, and the notice is sent once
          await quarantineRefused(log, batch);
          await applyStoredBatch(db, projections, batch);
          advance(stored.seq);
          batch = [];
        }
      } catch (error) {
        if (stopped) break;
        if (!(error instanceof CheckpointGapError)) {
          options.onError?.(error);
          await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 1_000));
        }
      } finally {
        await reader?.close().catch(() => undefined);
      }
    }
  })();

  // An ordered consumer can sit silent after NATS restarts (no error, no messages). The reader is
  // recreated from the checkpoints whenever it has not moved for stallMs while the log has; /health
  // reports it stalled meanwhile. It is not closed on reconnect: the client is then checking and
  // replacing the consumer itself, and a close in that moment loses the replacement on the server.
  // The head is the last message the log holds, not its last sequence, which may name a deleted one
  // (a stream that allows deletes, a purge) that no reader is given: a reader at the end is no stall.
  const recreate = () => void reader?.close().catch(() => undefined);
  const watchdog = setInterval(() => {
    void log.jsm.streams.info(log.config.streamName, { deleted_details: true }).then(
      ({ state }) => {
        problem = watch.problem('the projection reader', { position, head: lastHeld(state) }, Date.now());
        if (problem && !stopped) recreate();
      },
      (error: unknown) => (problem = `the projection reader cannot see the log: ${(error as Error).message}`),
    );
  }, Math.max(100, Math.min(5_000, stallMs / 4)));

  const unfinished: unknown[] = await db.query(`SELECT 1 FROM projection_rebuild WHERE status = 'running' LIMIT 1`);
  const stopping = new AbortController();
  const rebuild = unfinished.length > 0 ? rebuildProjections(log, db, { signal: stopping.signal }) : Promise.resolve(undefined);
  rebuild.catch((error: unknown) => {
    if (!stopping.signal.aborted) options.onError?.(error);
  });

  return {
    position: () => position,
    waitFor(seq, timeoutMs = 30_000) {
      if (position >= seq) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const waiter = { seq, resolve: () => (clearTimeout(timer), resolve()) };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`projections did not reach ${seq} within ${timeoutMs} ms (at ${position})`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    rebuild,
    done,
    problem: () => problem,
    async stop() {
      stopped = true;
      clearInterval(watchdog);
      stopping.abort(new Error('projections stopped'));
      await reader?.close().catch(() => undefined);
      await done;
      await rebuild.catch(() => undefined);
    },
  };
}
